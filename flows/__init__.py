"""Conversation logic, channel-agnostic: it never imports ``telegram``."""
