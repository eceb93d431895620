"""Erasure requests: a shopper asks to be erased (``/me/erasure-request``), the merchant sees
the request (``GET /erasure-requests``) and completes it, which runs the anonymising erasure
(``erasure.anonymize``), or declines it. One pending request per customer (asking again answers
the pending one). The request rows carry no person data and stay after the erasure, as the
record that it was asked for and done; deleting the customer deletes them."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...i18n import _
from ...models import ErasureRequest
from ...types import new_id, utcnow
from .. import activity
from ..customers import get
from ..errors import Conflict, NotFound
from ..keyset import SortKey, model_page
from ..scope import Scope
from .erasure import anonymize

_KEYS = {"requested_at": SortKey("requested_at", ErasureRequest.requested_at, "datetime")}


def ask(scope: Scope, customer_id: uuid.UUID) -> tuple[ErasureRequest, bool]:
    """Record the customer's request (the pending one if there is one). Answers the request
    and whether this call created it.

    :raises Conflict: the customer was erased already.
    """
    customer = get(scope, customer_id, lock=True)
    if customer.erased_at is not None:
        raise Conflict(_("this customer was erased already"))
    pending = _pending(scope, customer.id)
    if pending is not None:
        return pending, False
    request = ErasureRequest(
        id=new_id(),
        store_id=scope.store_id,
        customer_id=customer.id,
        status="pending",
        pending_for=customer.id,
        requested_at=utcnow(),
    )
    try:
        with scope.session.begin_nested():
            scope.session.add(request)
    except IntegrityError:  # a concurrent request of the same customer won
        return _pending(scope, customer.id), False
    activity.record(
        scope.session,
        scope.store_id,
        customer.id,
        "erasure_requested",
        {"request_id": str(request.id)},
        actor=scope.actor,
    )
    return request, True


def _pending(scope: Scope, customer_id: uuid.UUID) -> ErasureRequest | None:
    return scope.session.scalar(
        select(ErasureRequest).where(
            ErasureRequest.store_id == scope.store_id, ErasureRequest.pending_for == customer_id
        )
    )


def latest(scope: Scope, customer_id: uuid.UUID) -> ErasureRequest | None:
    """The customer's newest request, if any."""
    return scope.session.scalar(
        select(ErasureRequest)
        .where(ErasureRequest.store_id == scope.store_id, ErasureRequest.customer_id == customer_id)
        .order_by(ErasureRequest.requested_at.desc(), ErasureRequest.id.desc())
        .limit(1)
    )


def requests_page(
    scope: Scope, status: str | None, *, limit: int, cursor: str | None
) -> tuple[list[ErasureRequest], str | None]:
    """The store's requests, oldest first (the longest waiting on top); ``status`` keeps one."""
    where = [ErasureRequest.store_id == scope.store_id]
    if status is not None:
        where.append(ErasureRequest.status == status)
    return model_page(scope.session, ErasureRequest, _KEYS, "requested_at", where, limit, cursor)


def _open(scope: Scope, request_id: uuid.UUID) -> ErasureRequest:
    request = scope.session.scalar(
        select(ErasureRequest)
        .where(ErasureRequest.store_id == scope.store_id, ErasureRequest.id == request_id)
        .with_for_update()
    )
    if request is None:
        raise NotFound(_("no such erasure request"))
    if request.status != "pending":
        raise Conflict(_("this request is {status} already", status=request.status))
    return request


def _close(scope: Scope, request: ErasureRequest, status: str) -> ErasureRequest:
    request.status = status
    request.pending_for = None
    request.closed_at = utcnow()
    request.closed_by = scope.actor
    scope.session.flush()
    return request


def complete(scope: Scope, request_id: uuid.UUID) -> ErasureRequest:
    """Erase the customer (``anonymize``: orders, bookings and the wallet ledger stay) and mark
    the request completed.

    :raises NotFound: not a request of this store. :raises Conflict: closed already.
    """
    request = _open(scope, request_id)
    anonymize(scope, request.customer_id)
    return _close(scope, request, "completed")


def decline(scope: Scope, request_id: uuid.UUID) -> ErasureRequest:
    """Close the request without erasing (a legal duty to keep the data, a request not made by
    the customer…); the customer sees it declined and may ask again."""
    request = _open(scope, request_id)
    activity.record(
        scope.session,
        scope.store_id,
        request.customer_id,
        "erasure_declined",
        {"request_id": str(request.id)},
        actor=scope.actor,
    )
    return _close(scope, request, "declined")
