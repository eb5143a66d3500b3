"""capabilities package."""
