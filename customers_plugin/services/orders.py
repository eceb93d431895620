"""Orders placed by a member of staff for a customer, through the host's ``place_order``.

Three steps, the host asked between two short transactions of the plugin (never inside one,
so a host that fires ``on_order_placed`` from inside ``place_order`` is not locked out):

1. record the request as ``pending`` under its idempotency key (a retry with the same key and
   body answers the first order again; another body answers 409 ``idempotency_key_reused``; a
   request still being placed answers 409 ``order_in_progress``); check the coupon against the
   customer's personal and group coupons;
2. ask the host; a refusal, a failure or no implementation deletes the pending row (the same
   key may be tried again) and answers the host's reason (409/422), 502 or 501;
3. record the host's order id, payment status and link.

The "placed by staff" activity line is written once, by whichever comes second of step 3 and
the capture of the host's ``on_order_placed`` (``link_recorded_order``): both take the
customer's row lock first, so neither misses the other.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from ..db import insert_ignore, one_of
from ..events import OrderOutcome
from ..i18n import _
from ..models import Customer, OrderSummary, StaffOrder
from ..types import new_id, utcnow
from . import activity, coupons, deferred
from .errors import Conflict, HostAnswer, NotFound, host_failed, invalid, unsupported
from .scope import Scope
from .snapshots import customer_info

log = logging.getLogger(__name__)

OpenScope = Callable[..., AbstractContextManager[Scope]]
MAX_LINES = 100
QUANTITY_MAX = 1000
NOTE_MAX = 1000
KEY_MAX = 128


class KeyReused(Conflict):
    code = "idempotency_key_reused"


class InProgress(Conflict):
    code = "order_in_progress"


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What the staff member asks for: ``items`` as (product id, quantity) pairs."""

    items: tuple[tuple[str, int], ...]
    coupon_code: str | None = None
    note: str | None = None
    idempotency_key: str | None = None

    def digest(self, customer_id: uuid.UUID) -> str:
        body = [str(customer_id), list(self.items), self.coupon_code, self.note]
        return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()


def place(open_scope: OpenScope, customer_id: uuid.UUID, request: OrderRequest) -> StaffOrder:
    """Place the order through the host (see the module docstring); the recorded row.

    :raises NotFound: not a customer of this store.
    :raises Invalid: a product twice, or a coupon that does not apply to this customer.
    :raises Conflict: a reused key with another body, or a request still in progress.
    :raises HostAnswer: the host's refusal (409/422), 501 without ``place_order``, 502.
    """
    if len({product for product, _ in request.items}) != len(request.items):
        raise invalid("items", _("each product at most once"))
    code = (
        coupons.normalize_code(request.coupon_code, "coupon_code") if request.coupon_code else None
    )
    request = OrderRequest(request.items, code, request.note, request.idempotency_key)
    key = request.idempotency_key or f"auto:{new_id()}"
    with open_scope() as s:
        replay = _record_pending(s, customer_id, request, key)
        if replay is not None:
            return replay
        customer = s.session.get(Customer, customer_id)
        user_id = customer.host_user_id if customer is not None else None
        info = customer_info(s.session, customer_id)
        pm, store_id, staff = s.pm, s.store_id, s.actor
    try:
        outcome = pm.hook.place_order(
            store_id=store_id,
            customer=info,
            items=[{"product_id": p, "quantity": q} for p, q in request.items],
            coupon_code=code,
            user_id=user_id,
            staff_id=staff,
            note=request.note,
            idempotency_key=key,
        )
    except Exception:
        log.exception("customers: the host's place_order failed (store %s)", store_id)
        outcome = host_failed("place_order")
    problem = _problem(outcome)
    if problem is not None:
        with open_scope() as s:
            s.session.execute(
                delete(StaffOrder).where(
                    StaffOrder.store_id == store_id,
                    StaffOrder.idempotency_key == key,
                    StaffOrder.status == "pending",
                )
            )
        raise problem
    with open_scope() as s:
        return _record_placed(s, customer_id, key, outcome)


def _problem(outcome: Any) -> HostAnswer | None:
    if isinstance(outcome, HostAnswer):
        return outcome
    if outcome is None:
        return unsupported("place_order")
    if not isinstance(outcome, OrderOutcome):
        return host_failed("place_order")
    if outcome.outcome == "refused":
        return HostAnswer(
            409 if outcome.conflict else 422, outcome.reason or "", outcome.message or ""
        )
    return None


def _record_pending(
    s: Scope, customer_id: uuid.UUID, request: OrderRequest, key: str
) -> StaffOrder | None:
    """Record the request; the earlier order when this is a retry of a placed one."""
    coupons.manage.require_customer(s, customer_id)
    digest = request.digest(customer_id)
    earlier = _by_key(s, key)
    if earlier is None:
        _check_coupon(s, customer_id, request.coupon_code)
        inserted = insert_ignore(
            s.session,
            StaffOrder.__table__,
            {
                "id": new_id(),
                "store_id": s.store_id,
                "customer_id": customer_id,
                "idempotency_key": key,
                "request_hash": digest,
                "status": "pending",
                "coupon_code": request.coupon_code,
                "staff": s.actor,
                "note": request.note,
                "created_at": utcnow(),
            },
            returning=StaffOrder.__table__.c.id,
        ).scalar()
        if inserted is not None:
            return None
        earlier = _by_key(s, key)  # another request with this key was just recorded
        if earlier is None:
            raise InProgress(_("an order with this idempotency key is being placed"))
    if earlier.request_hash != digest:
        raise KeyReused(
            _("this idempotency key was used for another order"),
            fields={"idempotency_key": [_("used for another order")]},
        )
    if earlier.status != "placed":
        raise InProgress(_("an order with this idempotency key is being placed"))
    return earlier


def _by_key(s: Scope, key: str) -> StaffOrder | None:
    return s.session.scalar(
        select(StaffOrder).where(
            StaffOrder.store_id == s.store_id, StaffOrder.idempotency_key == key
        )
    )


def _check_coupon(s: Scope, customer_id: uuid.UUID, code: str | None) -> None:
    """:raises Invalid: the code is limited (personal or group) and not this customer's."""
    if (
        code is not None
        and coupons.customer_may_use(s.session, s.store_id, customer_id, code) is False
    ):
        raise invalid("coupon_code", _("this coupon does not apply to this customer"))


def _record_placed(s: Scope, customer_id: uuid.UUID, key: str, outcome: OrderOutcome) -> StaffOrder:
    s.session.scalar(select(Customer.id).where(Customer.id == customer_id).with_for_update())
    row = s.session.scalar(
        select(StaffOrder)
        .where(StaffOrder.store_id == s.store_id, StaffOrder.idempotency_key == key)
        .with_for_update()
    )
    if row is None:  # the customer was deleted meanwhile (the row went with them)
        raise NotFound(_("no such customer"))
    row.status = "placed"
    row.order_id = outcome.order_id
    row.payment_status = outcome.payment_status
    row.payment_url = outcome.payment_url
    row.placed_at = utcnow()
    s.session.flush()
    recorded = s.session.scalar(
        select(OrderSummary.customer_id)
        .where(
            OrderSummary.store_id == s.store_id,
            OrderSummary.external_id == row.order_id,
            OrderSummary.placed_at.is_not(None),
        )
        .limit(1)
    )
    if recorded is not None:
        _link(s.session, row, recorded)
    return row


def link_recorded_order(session: Any, store_id: str, order_id: str, customer_id: uuid.UUID) -> None:
    """The capture of ``on_order_placed`` recorded ``order_id`` for ``customer_id`` (and holds
    their row lock): link it to the staff member who placed it, if one did. Inside a batch of
    events, the batch's orders are looked up together when it ends (its customers' locks are
    held until it commits, so a staff order placed meanwhile still finds them)."""
    waiting = deferred.buffer(session, "staff_links", dict, _link_recorded)
    if waiting is None:
        _link_recorded(session, {(store_id, order_id): customer_id})
    else:
        waiting[(store_id, order_id)] = customer_id


def _link_recorded(session: Any, recorded: dict[tuple[str, str], uuid.UUID]) -> None:
    by_store: dict[str, list[str]] = {}
    for store_id, order_id in recorded:
        by_store.setdefault(store_id, []).append(order_id)
    for store_id, order_ids in by_store.items():
        rows = session.scalars(
            select(StaffOrder)
            .where(
                StaffOrder.store_id == store_id,
                one_of(session, StaffOrder.order_id, order_ids),
                StaffOrder.status == "placed",
                StaffOrder.linked_at.is_(None),
            )
            .order_by(StaffOrder.id)
            .with_for_update()
        ).all()
        linked: set[str] = set()
        for row in rows:
            if row.order_id not in linked:  # one staff order per host order
                linked.add(row.order_id)
                _link(session, row, recorded[(store_id, row.order_id)])


def _link(session: Any, row: StaffOrder, customer_id: uuid.UUID) -> None:
    if row.linked_at is not None:
        return
    row.linked_at = utcnow()
    session.flush()
    activity.record(
        session,
        row.store_id,
        customer_id,
        "order_placed_by_staff",
        {"order_id": row.order_id, "staff": row.staff, "staff_order_id": str(row.id)},
        actor=row.staff,
    )


def as_dict(row: StaffOrder) -> dict[str, Any]:
    """The staff order as the API answers it."""
    return {
        "id": row.id,
        "customer_id": row.customer_id,
        "order_id": row.order_id,
        "payment_status": row.payment_status,
        "payment_url": row.payment_url,
        "coupon_code": row.coupon_code,
        "placed_by": row.staff,
        "note": row.note,
        "idempotency_key": None if row.idempotency_key.startswith("auto:") else row.idempotency_key,
        "created_at": row.created_at,
        "placed_at": row.placed_at,
        "linked": row.linked_at is not None,
    }
