"""How a failure is told without its text: the error's kind (its class, SQLAlchemy's error code,
the driver's class and SQLSTATE) and the stack of code lines, never the message.

An error's message can carry personal data: a driver echoes the row it refused
(``Key (email_normalized)=(…) already exists``) and SQLAlchemy appends the bound parameters
unless the engine hides them. Job failures (what RQ stores in Redis and a worker logs) and
after-commit failures are told through ``kind_of`` and ``log_failure`` only.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any


def kind_of(exc: BaseException) -> str:
    """``IntegrityError (code gkpj; sqlite3.IntegrityError SQLITE_CONSTRAINT_TRIGGER)``-like:
    names and codes only."""
    details = []
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code.isalnum() and len(code) <= 8:
        details.append(f"code {code}")
    original = getattr(exc, "orig", None)
    if isinstance(original, BaseException):
        cls = type(original)
        driver = f"{cls.__module__.split('.')[0]}.{cls.__name__}"
        state = getattr(original, "sqlstate", None) or getattr(original, "sqlite_errorname", None)
        details.append(f"{driver} {state}" if isinstance(state, str) else driver)
    name = type(exc).__name__
    return f"{name} ({'; '.join(details)})" if details else name


def stack_of(exc: BaseException) -> str:
    """Where it failed: file, line, function and source line of each frame (no values)."""
    return "".join(traceback.format_tb(exc.__traceback__))


def log_failure(logger: logging.Logger, message: str, *args: Any, exc: BaseException) -> None:
    """Log ``message % args`` with the error's kind and stack, never its text."""
    logger.error(message + ": %s\n%s", *args, kind_of(exc), stack_of(exc).rstrip())
