"""Review requests: asking a customer to review the orders they have not reviewed yet.

A request is a row of the send log (``ReviewRequest``), unique per store on its ``send_key``:
``manual:<id>`` for a merchant's request, ``order:<source>:<order id>`` for the automatic one
scheduled when an order is delivered. Delivery is exactly-once per row: a sender first claims
the row (conditional UPDATE from ``scheduled``/``failed`` to ``sending``, committed), then sends,
then marks it ``sent``; a send that raises marks it ``failed`` so a retry may claim it again. A
process that dies between sending and marking leaves ``sending``: never sent twice. The sweep
(``sweep_interrupted``) marks such a request ``failed`` with error ``interrupted`` once it has
been ``sending`` for ``CUSTOMERS_REVIEW_SENDING_TIMEOUT_MINUTES``; no sender claims an
interrupted request again (the message may have gone out), the merchant may send a new one.

The message carries a signed, expiring link (itsdangerous) to the host's review page, which
lists only the orders still unreviewed (``/api/v1/me/reviews/pending?token=…``).
Reviews themselves are recorded by ``on_review_submitted`` (services/capture.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from ..db import insert_ignore
from ..i18n import _
from ..jobs import job
from ..models import Customer, OrderSummary, Review, ReviewRequest
from ..types import new_id, utcnow
from . import activity, settings
from .errors import Conflict, NotFound, ServiceError
from .keyset import SortKey, model_page
from .messages import channels
from .stats import NOT_COUNTED_ORDER_STATUSES

if TYPE_CHECKING:
    from ..state import CustomersState

log = logging.getLogger(__name__)

DELIVERED_STATUSES = frozenset({"delivered"})
MAX_ATTEMPTS = 5
MAX_PENDING_ORDERS = 100
DUE_BATCH = 500
_SALT = "customers.review-request"
INTERRUPTED = "interrupted"


def _claimable() -> Any:
    """Scheduled, or failed by the provider (not interrupted: that one may have been sent)."""
    return or_(
        ReviewRequest.status == "scheduled",
        and_(
            ReviewRequest.status == "failed",
            func.coalesce(ReviewRequest.error, "") != INTERRUPTED,
        ),
    )


class NothingToReview(Conflict):
    """Every order of the customer is reviewed already."""

    code = "nothing_to_review"


class Unreachable(Conflict):
    """The customer has no address on the store's review channel, or opted out."""

    code = "unreachable"


class NotConfigured(Conflict):
    """A setting the review requests need is missing (page URL, signing key)."""

    code = "not_configured"


class LinkInvalid(ServiceError):
    """A review link that was not signed by this shop (or was altered)."""

    code = "invalid_link"


class LinkExpired(LinkInvalid):
    code = "link_expired"


@dataclass(frozen=True, slots=True)
class LinkHolder:
    """Who a valid review link belongs to."""

    store_id: str
    customer_id: uuid.UUID
    request_id: uuid.UUID


# -- what is left to review -----------------------------------------------------------------


def unreviewed_orders(
    session: Session, store_id: str, customer_id: uuid.UUID
) -> list[OrderSummary]:
    """The customer's orders (not cancelled/refunded) with no review yet, newest first."""
    reviewed = exists(
        select(Review.id).where(
            Review.store_id == store_id,
            Review.customer_id == customer_id,
            Review.order_external_id == OrderSummary.external_id,
        )
    )
    return list(
        session.scalars(
            select(OrderSummary)
            .where(
                OrderSummary.store_id == store_id,
                OrderSummary.customer_id == customer_id,
                OrderSummary.status.not_in(NOT_COUNTED_ORDER_STATUSES),
                ~reviewed,
            )
            .order_by(OrderSummary.placed_at.desc().nulls_last(), OrderSummary.id.desc())
            .limit(MAX_PENDING_ORDERS)
        )
    )


# -- links ----------------------------------------------------------------------------------


def _serializer(state: CustomersState) -> URLSafeTimedSerializer:
    key = state.setting("CUSTOMERS_SIGNING_KEY") or state.app.config.get("SECRET_KEY")
    if not key:
        raise NotConfigured(_("set SECRET_KEY or CUSTOMERS_SIGNING_KEY to sign review links"))
    return URLSafeTimedSerializer(key, salt=_SALT)


def make_token(
    state: CustomersState, store_id: str, customer_id: uuid.UUID, request_id: uuid.UUID
) -> str:
    return _serializer(state).dumps({"s": store_id, "c": str(customer_id), "r": str(request_id)})


def read_token(state: CustomersState, token: str) -> LinkHolder:
    """Who the link is for.

    :raises LinkExpired: older than ``CUSTOMERS_REVIEW_LINK_MAX_AGE_DAYS``.
    :raises LinkInvalid: not signed by this shop.
    """
    max_age = int(state.setting("CUSTOMERS_REVIEW_LINK_MAX_AGE_DAYS")) * 86400
    try:
        data = _serializer(state).loads(token, max_age=max_age)
        return LinkHolder(str(data["s"]), uuid.UUID(data["c"]), uuid.UUID(data["r"]))
    except SignatureExpired:
        raise LinkExpired(_("this review link has expired")) from None
    except (BadSignature, KeyError, TypeError, ValueError):
        raise LinkInvalid(_("this review link is not valid")) from None


def pending_for_link(state: CustomersState, session: Session, token: str) -> dict[str, Any]:
    holder = read_token(state, token)
    return pending_for(session, holder.store_id, holder.customer_id)


def pending_for(session: Session, store_id: str, customer_id: uuid.UUID | None) -> dict[str, Any]:
    """The storefront's review page: the customer's first name and the unreviewed orders."""
    customer = None
    if customer_id is not None:
        customer = session.scalar(
            select(Customer).where(Customer.id == customer_id, Customer.store_id == store_id)
        )
    if customer is None:
        return {"name": None, "orders": []}
    return {
        "name": customer.name,
        "orders": unreviewed_orders(session, store_id, customer.id),
    }


# -- creating requests ----------------------------------------------------------------------


def _recipient(customer: Customer, channel: str) -> str | None:
    return customer.email if channel == "email" else customer.phone


def request_now(
    state: CustomersState, session: Session, store_id: str, customer_id: uuid.UUID, actor: str
) -> ReviewRequest:
    """A merchant's request: refused when nothing is left to review; sent by a job after
    commit (inline without Redis).

    :raises NotFound: no such customer.
    :raises NothingToReview: every order is reviewed already (409).
    :raises Unreachable: no address on the store's channel, or opted out (409).
    :raises NotConfigured: no review page URL or signing key (409).
    """
    customer = session.scalar(
        select(Customer).where(Customer.id == customer_id, Customer.store_id == store_id)
    )
    if customer is None:
        raise NotFound(_("no such customer"))
    pending = unreviewed_orders(session, store_id, customer.id)
    if not pending:
        raise NothingToReview(_("every order of this customer is already reviewed"))
    channel = settings.effective(store_id, "review_request_channel", state=state, session=session)
    if not _recipient(customer, channel):
        raise Unreachable(
            _("the customer has no address for the {channel} channel", channel=channel)
        )
    if not customer.system_notifications:
        raise Unreachable(_("the customer unsubscribed from notifications"))
    if not state.setting("CUSTOMERS_REVIEW_PAGE_URL"):
        raise NotConfigured(_("set CUSTOMERS_REVIEW_PAGE_URL to send review requests"))
    _serializer(state)
    request_id = new_id()
    request = ReviewRequest(
        id=request_id,
        store_id=store_id,
        customer_id=customer.id,
        send_key=f"manual:{request_id}",
        trigger="manual",
        status="scheduled",
        channel=channel,
        order_ids=[order.external_id for order in pending],
        attempts=0,
        actor=actor,
        due_at=utcnow(),
        created_at=utcnow(),
    )
    session.add(request)
    session.flush()
    activity.record(
        session,
        store_id,
        customer.id,
        "review_requested",
        {"request_id": str(request_id), "orders": len(pending), "channel": channel},
        actor=actor,
    )
    state.jobs.enqueue_after_commit(
        session,
        "send_review_request",
        str(request_id),
        job_id=f"review-request-{request_id}",
        store_id=store_id,
    )
    return request


def schedule_after_delivery(
    state: CustomersState, store_id: str, source: str, order_id: str, delivered_at: dt.datetime
) -> bool:
    """Schedule the automatic request of a delivered order (once per order, ever); ``False``
    when the store turned it off, the order is unknown, or it was scheduled before."""
    if not settings.effective(store_id, "automatic_review_requests", state=state):
        return False
    days = settings.effective(store_id, "review_request_days", state=state)
    with state.db.transaction() as session:
        customer_id = session.scalar(
            select(OrderSummary.customer_id).where(
                OrderSummary.store_id == store_id,
                OrderSummary.source == source,
                OrderSummary.external_id == order_id,
            )
        )
        if customer_id is None:
            return False
        table = ReviewRequest.__table__
        now = utcnow()
        inserted = insert_ignore(
            session,
            table,
            {
                "id": new_id(),
                "store_id": store_id,
                "customer_id": customer_id,
                "send_key": f"order:{source}:{order_id}",
                "trigger": "delivered",
                "status": "scheduled",
                "order_ids": [order_id],
                "attempts": 0,
                "actor": "system",
                "due_at": delivered_at + dt.timedelta(days=int(days)),
                "created_at": now,
            },
            returning=table.c.id,
        ).scalar()
    return inserted is not None


# -- sending --------------------------------------------------------------------------------


def _claim(state: CustomersState, request_id: uuid.UUID, now: dt.datetime) -> bool:
    with state.db.transaction() as session:
        return bool(
            session.execute(
                update(ReviewRequest)
                .where(
                    ReviewRequest.id == request_id,
                    _claimable(),
                    ReviewRequest.attempts < MAX_ATTEMPTS,
                    ReviewRequest.due_at <= now,
                )
                .values(status="sending", attempts=ReviewRequest.attempts + 1, claimed_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
        )


def _finish(state: CustomersState, request_id: uuid.UUID, **values: Any) -> None:
    held = ReviewRequest.status == "sending"
    if values.get("status") == "sent":  # a sender the sweep took for dead still says "sent"
        held = or_(held, and_(ReviewRequest.status == "failed", ReviewRequest.error == INTERRUPTED))
    with state.db.transaction() as session:
        finished = session.execute(
            update(ReviewRequest)
            .where(ReviewRequest.id == request_id, held)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if finished and values.get("status") == "sent":
            request = session.get(ReviewRequest, request_id)
            activity.record(
                session,
                request.store_id,
                request.customer_id,
                "review_request_sent",
                {"request_id": str(request_id), "channel": request.channel},
                actor=request.actor,
            )


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def deliver(state: CustomersState, request_id: uuid.UUID, now: dt.datetime | None = None) -> str:
    """Send one request if this caller can claim it; returns the row's resulting status, or
    ``"not_claimed"`` when another sender has it, it is done, or it is not due yet.

    A provider error marks it ``failed`` (claimable again) and is raised to the caller.
    """
    now = now or utcnow()
    if not _claim(state, request_id, now):
        return "not_claimed"
    with state.db.session() as session:
        request = session.get(ReviewRequest, request_id)
        customer = session.get(Customer, request.customer_id) if request is not None else None
        if request is None or customer is None:  # the customer was deleted meanwhile
            return "gone"
        pending = unreviewed_orders(session, request.store_id, customer.id)
        channel = request.channel or settings.effective(
            request.store_id, "review_request_channel", state=state, session=session
        )
        to = _recipient(customer, channel)
        skip = None
        if not pending:
            skip = "all_reviewed"
        elif customer.status == "blocked" or not customer.system_notifications:
            skip = "opted_out"
        elif not to:
            skip = "unreachable"
        if skip is None:
            try:
                token = make_token(state, request.store_id, customer.id, request.id)
                page = state.setting("CUSTOMERS_REVIEW_PAGE_URL")
                if not page:
                    raise NotConfigured(_("set CUSTOMERS_REVIEW_PAGE_URL"))
            except NotConfigured:
                skip = "not_configured"
        if skip is None:
            words = _Defaults(name=customer.name or "", link=page.replace("{token}", token))
            subject = state.setting("CUSTOMERS_REVIEW_REQUEST_SUBJECT").format_map(words)
            body = state.setting("CUSTOMERS_REVIEW_REQUEST_BODY").format_map(words)
            store_id = request.store_id
    if skip is not None:
        _finish(state, request_id, status="skipped", error=skip, channel=channel)
        return "skipped"
    try:
        message_id = channels.send(state, store_id, channel, to, subject, body)
    except Exception as exc:
        error = getattr(exc, "code", None) or type(exc).__name__
        _finish(state, request_id, status="failed", error=str(error)[:200], channel=channel)
        log.warning("customers: review request %s failed (%s)", request_id, error)
        raise
    _finish(
        state,
        request_id,
        status="sent",
        channel=channel,
        message_id=message_id[:255],
        sent_at=utcnow(),
        error=None,
    )
    return "sent"


def due_ids(state: CustomersState, now: dt.datetime, limit: int = DUE_BATCH) -> list[uuid.UUID]:
    with state.db.session() as session:
        return list(
            session.scalars(
                select(ReviewRequest.id)
                .where(
                    _claimable(),
                    ReviewRequest.attempts < MAX_ATTEMPTS,
                    ReviewRequest.due_at <= now,
                )
                .order_by(ReviewRequest.due_at, ReviewRequest.id)
                .limit(limit)
            )
        )


def sweep_interrupted(state: CustomersState, now: dt.datetime | None = None) -> list[uuid.UUID]:
    """Mark ``failed`` (error ``interrupted``) every request ``sending`` for longer than
    ``CUSTOMERS_REVIEW_SENDING_TIMEOUT_MINUTES``: its sender died between sending and marking,
    so whether the message went out is unknown. Nothing sends it again by itself; the send log
    shows it and the merchant can ask again. Returns the requests' ids."""
    minutes = state.setting("CUSTOMERS_REVIEW_SENDING_TIMEOUT_MINUTES")
    if minutes is None:
        return []
    cutoff = (now or utcnow()) - dt.timedelta(minutes=float(minutes))
    with state.db.transaction() as session:
        rows = session.execute(
            update(ReviewRequest)
            .where(ReviewRequest.status == "sending", ReviewRequest.claimed_at < cutoff)
            .values(status="failed", error=INTERRUPTED)
            .returning(
                ReviewRequest.id,
                ReviewRequest.store_id,
                ReviewRequest.customer_id,
                ReviewRequest.channel,
            )
            .execution_options(synchronize_session=False)
        ).all()
        for request_id, store_id, customer_id, channel in rows:
            activity.record(
                session,
                store_id,
                customer_id,
                "review_request_interrupted",
                {"request_id": str(request_id), "channel": channel},
            )
    if rows:
        log.warning("customers: %d review request(s) were interrupted while sending", len(rows))
    return [row[0] for row in rows]


@job("send_review_request")
def send_review_request_job(state: CustomersState, request_id: str) -> str:
    """Job: send one review request (safe to retry: exactly one message per request)."""
    return deliver(state, uuid.UUID(request_id))


@job("send_due_review_requests")
def send_due_review_requests_job(state: CustomersState) -> dict[str, int]:
    """Job (periodic): send every request that is due, the automatic ones N days after
    delivery included. Safe to run twice or concurrently."""
    counts: dict[str, int] = {}
    for request_id in due_ids(state, utcnow()):
        try:
            outcome = deliver(state, request_id)
        except Exception:
            outcome = "failed"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


# -- the merchant's view of the send log ------------------------------------------------------

_LOG_KEYS = {"created_at": SortKey("created_at", ReviewRequest.created_at, "datetime")}


def log_page(
    session: Session, store_id: str, customer_id: uuid.UUID, *, limit: int, cursor: str | None
) -> tuple[list[ReviewRequest], str | None]:
    """The customer's review requests, newest first.

    :raises NotFound: no such customer in this store.
    """
    found = session.scalar(
        select(Customer.id).where(Customer.id == customer_id, Customer.store_id == store_id)
    )
    if found is None:
        raise NotFound(_("no such customer"))
    where = [ReviewRequest.store_id == store_id, ReviewRequest.customer_id == customer_id]
    return model_page(session, ReviewRequest, _LOG_KEYS, "-created_at", where, limit, cursor)
