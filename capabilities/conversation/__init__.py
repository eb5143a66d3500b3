"""capabilities.conversation package."""
