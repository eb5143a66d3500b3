"""Cross-cutting pieces every package shares: settings, clock, translations."""
