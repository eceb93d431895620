"""Groups that cannot be evaluated: the reason in words safe to show and log, and the group's
failing state (set, announced once through ``group_failed``, cleared).

A failing group never stops the write that evaluated it: capture records the event without it,
and per-event evaluation skips it until a full refresh succeeds or the merchant edits it. The
reason names the condition when a stored value is the cause, else the kind of error: never an
exception's text, which may carry bound parameters.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pluggy
from sqlalchemy import or_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ...db import after_commit, is_statement_timeout
from ...models import CustomerGroup
from ...plugins import has_listeners, notify
from ...types import utcnow
from .conditions import ConditionsInvalid

if TYPE_CHECKING:
    from ...state import CustomersState

log = logging.getLogger(__name__)

MAX_REASON = 500
QUERY_TIMEOUT = "query_timeout"


def failure_reason(exc: BaseException) -> str:
    """Why evaluating a group failed, in words fit for the merchant, a log and a hook."""
    if isinstance(exc, ConditionsInvalid):
        text = "; ".join(f"{path}: {'; '.join(msgs)}" for path, msgs in exc.errors.items())
        reason = f"invalid conditions: {text}"
    elif is_statement_timeout(exc):
        reason = f"{QUERY_TIMEOUT}: the conditions took longer than the statement timeout"
    elif isinstance(exc, DBAPIError):
        kind = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
        reason = f"the database refused the conditions ({kind})"
    else:
        reason = f"the conditions could not be evaluated ({type(exc).__name__})"
    return reason[:MAX_REASON]


def mark_failing(
    session: Session,
    pm: pluggy.PluginManager,
    store_id: str,
    group_id: uuid.UUID,
    reason: str,
) -> bool:
    """Mark the group failing in ``session``'s transaction; ``group_failed`` follows the commit.

    Only a change is written and announced: a group failing for the same reason again stays
    as it is. Returns whether the state changed.
    """
    changed = session.execute(
        update(CustomerGroup)
        .where(
            CustomerGroup.id == group_id,
            CustomerGroup.store_id == store_id,
            or_(CustomerGroup.failure_reason.is_(None), CustomerGroup.failure_reason != reason),
        )
        .values(failure_reason=reason, failed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        return False
    log.warning("customers: group %s of store %s is failing: %s", group_id, store_id, reason)
    if has_listeners(pm, "group_failed"):
        after_commit(
            session,
            lambda: notify(
                pm, "group_failed", store_id=store_id, group_id=str(group_id), reason=reason
            ),
        )
    return True


def clear_failure(session: Session, store_id: str, group_id: uuid.UUID) -> None:
    """The group evaluates again (or was edited): it is no longer failing."""
    session.execute(
        update(CustomerGroup)
        .where(
            CustomerGroup.id == group_id,
            CustomerGroup.store_id == store_id,
            CustomerGroup.failure_reason.is_not(None),
        )
        .values(failure_reason=None, failed_at=None)
        .execution_options(synchronize_session=False)
    )


def mark_after_commit(
    session: Session, state: CustomersState, store_id: str, failures: Mapping[uuid.UUID, str]
) -> None:
    """Mark these groups failing in a transaction of their own once ``session`` commits, so an
    event's transaction never waits on (or holds) a lock on a group row."""
    if not failures:
        return
    pending = dict(failures)

    def mark() -> None:
        with state.db.transaction() as own:
            for group_id, reason in pending.items():
                mark_failing(own, state.pm, store_id, group_id, reason)

    after_commit(session, mark)
