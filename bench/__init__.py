"""Benchmarks: each module prints its numbers; ``python -m bench`` runs them all."""
