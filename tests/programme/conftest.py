"""Fixtures for the programme: a counsellor (the root conftest's assistant has the programme)."""

from __future__ import annotations

import pytest

from capabilities.assistant.assistant import Assistant
from store.staff import Staff


@pytest.fixture
def counsellor(assistant: Assistant) -> int:
    """A counsellor in the shared staff table."""
    with assistant.sessions() as session:
        staff = Staff(name="Claire Martin", role="counsellor")
        session.add(staff)
        session.commit()
        return staff.id
