"""capabilities.privacy package."""
