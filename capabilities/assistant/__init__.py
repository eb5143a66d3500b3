"""The assistant: one turn in, replies out — guards, routing to the slices, group commit."""
