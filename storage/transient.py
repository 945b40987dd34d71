"""Which database errors are worth trying again: lost races and dropped connections."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

# SQLSTATEs of a lost race or a passing outage (PostgreSQL): serialization_failure,
# deadlock_detected, lock_not_available, query_canceled (lock/statement timeout),
# admin_shutdown, cannot_connect_now, and the connection_exception class (08xxx)
TRANSIENT_STATES = frozenset({"40001", "40P01", "55P03", "57014", "57P01", "57P03"})
# what drivers say when they give no SQLSTATE (SQLite, asyncpg's connection errors)
TRANSIENT_WORDS = ("deadlock", "database is locked", "could not serialize", "lock timeout",
                   "serialization failure", "connection was closed", "connection is closed",
                   "connection reset", "server closed the connection", "terminating connection")


def is_transient(exc: BaseException) -> bool:
    """True for a database error that the same work may not hit again: a deadlock, a
    serialization failure, a lock timeout, a locked SQLite file or a dropped connection."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    state = _sqlstate(exc.orig)
    if state is not None and (state in TRANSIENT_STATES or state.startswith("08")):
        return True
    # the text is only matched here, never logged: it can quote statement parameters
    words = str(exc.orig).lower()
    return any(word in words for word in TRANSIENT_WORDS)


def _sqlstate(orig: BaseException | None) -> str | None:
    for holder in (orig, getattr(orig, "__cause__", None)):
        for name in ("sqlstate", "pgcode"):
            value = getattr(holder, name, None)
            if isinstance(value, str) and value:
                return value
    return None


# deadlock_detected and serialization_failure: PostgreSQL rolled the whole transaction back
LOST_RACE_STATES = frozenset({"40001", "40P01"})


def is_lost_race(exc: BaseException) -> bool:
    """True when another transaction won a race and ours was rolled back whole (a deadlock, a
    serialization failure, a busy SQLite file), so the same work can simply run again; unlike a
    dropped connection, nothing of it can have been committed."""
    if not isinstance(exc, DBAPIError) or exc.connection_invalidated:
        return False
    state = _sqlstate(exc.orig)
    if state is not None:
        return state in LOST_RACE_STATES
    return "database is locked" in str(exc.orig).lower()
