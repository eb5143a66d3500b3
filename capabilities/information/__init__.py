"""capabilities.information package."""
