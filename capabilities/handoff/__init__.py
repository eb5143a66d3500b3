"""capabilities.handoff package."""
