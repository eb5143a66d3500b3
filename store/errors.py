"""Store-level errors, so that code outside ``store/`` never catches SQLAlchemy's own.

:func:`database_errors` wraps a unit of work: an integrity violation (a unique key taken by
a concurrent writer, a row erased meanwhile) becomes :class:`Conflict`, any other database
failure :class:`Unavailable`; the original error is kept as ``__cause__``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy.exc import IntegrityError, SQLAlchemyError


class Conflict(Exception):
    """A constraint refused the change (duplicate key, missing parent row…)."""


class Unavailable(Exception):
    """The database failed for another reason (connection lost, lock timeout…)."""


@contextlib.contextmanager
def database_errors() -> Iterator[None]:
    """Raise :class:`Conflict` / :class:`Unavailable` for SQLAlchemy errors in the block."""
    try:
        yield
    except IntegrityError as exc:
        raise Conflict(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise Unavailable(str(exc)) from exc
