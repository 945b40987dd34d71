"""Which database errors make a channel try an update again (storage/transient.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from storage.transient import is_transient


class PgError(Exception):
    """A driver error carrying PostgreSQL's SQLSTATE, as asyncpg's do."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__("error")
        self.sqlstate = sqlstate


@pytest.mark.parametrize("error", [
    OperationalError("UPDATE", {}, PgError("40P01")),  # deadlock_detected
    DBAPIError("UPDATE", {}, PgError("40001")),  # serialization_failure
    OperationalError("UPDATE", {}, PgError("55P03")),  # lock_not_available
    OperationalError("UPDATE", {}, PgError("08006")),  # connection_failure
    OperationalError("UPDATE", {}, Exception("database is locked")),  # SQLite
    DBAPIError("SELECT", {}, Exception("gone"), connection_invalidated=True),
])
def test_lost_races_and_dropped_connections_are_tried_again(error: Exception):
    assert is_transient(error)


@pytest.mark.parametrize("error", [
    IntegrityError("INSERT", {}, PgError("23505")),  # unique_violation: the same again
    OperationalError("SELECT", {}, Exception("no such table: inbox")),
    RuntimeError("deadlock"),  # not from the database
])
def test_other_errors_are_not_tried_again(error: Exception):
    assert not is_transient(error)
