"""Known failures, each as the one message a person can act on: the mapping, written once.

Every ``deskbot`` command runs inside ``DeskbotGroup`` (bot/cli.py), which turns an exception this
module recognises into that message and exit status 1, and lets anything else (a bug) keep its
traceback.
"""

from __future__ import annotations

import errno
import socket


def explain(error: BaseException) -> str | None:
    """The message for a known failure, or None for one we do not know (a bug)."""
    # Imported here: each module is already loaded whenever its error can have been raised,
    # and `deskbot --help` must not pay for any of them.
    from adapters.base import AdapterStartError
    from bot.config import ConfigError
    from bot.db import SchemaError
    from conversations.messages import Unavailable
    from conversations.team import TeamFileError
    from kb import KBError

    if isinstance(error, ConfigError | SchemaError | AdapterStartError):
        return str(error)
    if isinstance(error, Unavailable):
        return f"the database cannot take this now, nothing was saved; try again ({error})"
    if isinstance(error, KBError):
        return f"the knowledge base has problems (DESKBOT_KB_PATH):\n{error}"
    if isinstance(error, TeamFileError):
        return f"the team file has problems (DESKBOT_TEAM_FILE):\n{error}"
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
        return (
            "cannot listen: the address is already in use by another program; "
            "choose another DESKBOT_PORT (--port) or stop the other program"
        )
    if isinstance(error, OSError) and error.errno == errno.EADDRNOTAVAIL:
        return "cannot listen: DESKBOT_HOST (--host) is not an address of this machine"
    database = _database_failure(error)
    if database is not None:
        return f"cannot reach the database ({database}): check DESKBOT_DATABASE_URL"
    return None


def _database_failure(error: BaseException) -> str | None:
    """What went wrong connecting to the database, when that is what ``error`` is."""
    import sqlalchemy.exc

    if isinstance(error, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError):
        return str(error.orig or error).splitlines()[0]
    # asyncpg raises the socket's own error when the server is down or the name unknown.
    if isinstance(error, ConnectionRefusedError | socket.gaierror | TimeoutError):
        return str(error) or type(error).__name__
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - a dependency; absent only in a broken install
        return None
    if isinstance(error, asyncpg.PostgresError | asyncpg.InterfaceError):
        return str(error).splitlines()[0]
    return None
