"""What the repositories raise instead of SQLAlchemy's exceptions (callers never import it)."""

from __future__ import annotations


class Conflict(Exception):
    """The write clashes with a row already there (a unique key, a concurrent writer)."""


class Unavailable(Exception):
    """The database (or the connection in hand) cannot be reached right now."""
