"""Contact capture: what the plugin does with each host event.

Each handler runs in one transaction of its own: resolve the customer, record the summary,
update stats atomically, write the activity log, and queue notifications for after commit.
Each is idempotent: the summary row, unique on (store, source, external id), tells a replay
from a new event, and updates compare against the stored state.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import after_commit, insert_ignore, insert_ignore_many, one_of
from ..events import (
    BookingMade,
    BookingUpdated,
    Contact,
    CustomerSignedUp,
    FormSubmitted,
    OrderPlaced,
    OrderUpdated,
    ReviewSubmitted,
)
from ..models import BookingSummary, FormSubmission, OrderSummary, Review
from ..plugins import deliver, listeners
from ..types import new_id, utcnow
from . import (
    activity,
    consent,
    contacts,
    coupons,
    deferred,
    fraud,
    identity,
    orders,
    settings,
    stats,
    wallet,
)
from .groups import reevaluate_customers
from .inbound import contact_form
from .snapshots import customer_info

if TYPE_CHECKING:
    from ..state import CustomersState

Apply = Callable[[Session, uuid.UUID], bool]


_DEFERRED_GROUPS = "customers_deferred_groups"
_FRESH_ORDERS = "customers_fresh_orders"


class OrderRecordedMeanwhile(Exception):
    """An order a batch found unrecorded was recorded by another transaction before the batch
    wrote it: the batch is applied again, event by event."""


@contextmanager
def orders_ahead(session: Session, store_id: str, keys: list[tuple[str, str]]) -> Iterator[None]:
    """For a batch of events: its orders (``(source, order id)`` of every order event) that
    appear once in it and are not recorded yet are new orders: their summaries are written
    together when the batch ends (``deferred``), with no statement of their own. Anything
    else (a replay, an update of the same order in the batch) is written at once."""
    once = [key for key, n in Counter(keys).items() if n == 1]
    table = OrderSummary.__table__
    recorded = set()
    if once:
        # source and order id both narrow the unique index (store, source, external id): the
        # order ids alone would make it read every order of the store
        recorded = set(
            session.execute(
                select(table.c.source, table.c.external_id).where(
                    table.c.store_id == store_id,
                    one_of(session, table.c.source, sorted({source for source, _ in once})),
                    one_of(session, table.c.external_id, sorted({order for _, order in once})),
                )
            ).tuples()
        )
    session.info[_FRESH_ORDERS] = {(store_id, *key) for key in once if key not in recorded}
    try:
        yield
    finally:
        session.info.pop(_FRESH_ORDERS, None)


def _record_later(session: Session, row: dict[str, Any]) -> bool:
    """Whether the new order ``row`` waits for its batch's single INSERT."""
    fresh = session.info.get(_FRESH_ORDERS)
    if fresh is None or (row["store_id"], row["source"], row["external_id"]) not in fresh:
        return False
    waiting = deferred.buffer(session, "orders", list, _insert_orders)
    if waiting is None:
        return False
    waiting.append(row)
    return True


def _insert_orders(session: Session, rows: list[dict[str, Any]]) -> None:
    """The batch's new orders in one INSERT; one recorded meanwhile (by a batch of another
    lane: the same order id with another contact) fails the batch, which is then applied
    again event by event (and counts that order once)."""
    if insert_ignore_many(session, OrderSummary.__table__, rows) != len(rows):
        raise OrderRecordedMeanwhile(f"{len(rows)} orders")


class Capture:
    """The handlers of one app's host events."""

    def __init__(self, state: CustomersState) -> None:
        self.state = state

    # -- the events -------------------------------------------------------------------------

    def order_placed(self, e: OrderPlaced, session: Session | None = None) -> str:
        def apply(session: Session, customer_id: uuid.UUID) -> bool:
            table = OrderSummary.__table__
            facts = {
                "status": e.status,
                "payment_status": e.payment_status,
                "total": e.total,
                "currency": e.currency.upper(),
                "items": [item.as_dict() for item in e.items],
                "placed_at": e.occurred_at,
                "updated_at": utcnow(),
            }
            row = dict(
                id=new_id(),
                store_id=e.store_id,
                customer_id=customer_id,
                source=e.source,
                external_id=e.order_id,
                **facts,
            )
            if _record_later(session, row):
                inserted: Any = row["id"]
            else:
                inserted = insert_ignore(session, table, row, returning=table.c.id).scalar()
            if inserted is None:
                order = self._locked(session, OrderSummary, e.store_id, e.source, e.order_id)
                if order.placed_at is not None:
                    return False  # a replay
                # an update arrived first: keep its (newer) status, fill in the rest
                before = self._order_facts(order)
                order.total = order.total if order.total is not None else e.total
                order.currency = order.currency or facts["currency"]
                order.payment_status = order.payment_status or e.payment_status
                order.items = facts["items"]
                order.placed_at = e.occurred_at
                delta = self._contribution(
                    session, e.store_id, self._order_facts(order)
                ) - self._contribution(session, e.store_id, before)
                customer_id = order.customer_id
            else:
                delta = self._contribution(
                    session, e.store_id, stats.OrderFacts(e.status, e.total, facts["currency"])
                )
            stats.apply_order_delta(session, customer_id, delta, e.occurred_at)
            activity.record(
                session,
                e.store_id,
                customer_id,
                "order_placed",
                {
                    "order_id": e.order_id,
                    "total": str(e.total),
                    "currency": facts["currency"],
                    "status": e.status,
                    "source": e.source,
                },
                occurred_at=e.occurred_at,
            )
            if e.coupon_code:
                coupons.count_use(session, e.store_id, customer_id, e.coupon_code)
            orders.link_recorded_order(session, e.store_id, e.order_id, customer_id)
            return True

        return self._handle(e, apply, session)

    def order_updated(self, e: OrderUpdated, session: Session | None = None) -> str:
        def apply(session: Session, customer_id: uuid.UUID) -> bool:
            changed = record(session, customer_id)
            # a cancelled or refunded order gives its wallet payment back, once (idempotent,
            # so a replay, or an order already cancelled before, is checked again safely)
            refunded = wallet.refund_order_spend(session, e.store_id, e.order_id, e.status)
            return changed or refunded is not None

        def record(session: Session, customer_id: uuid.UUID) -> bool:
            order = self._get_or_create_locked(
                session,
                OrderSummary,
                e.store_id,
                e.source,
                e.order_id,
                customer_id=customer_id,
                status=e.status,
                payment_status=e.payment_status,
                total=e.total,
                currency=e.currency.upper() if e.currency else None,
                items=[],
                placed_at=None,
            )
            if order is None:  # just recorded from this very update
                delta = self._contribution(
                    session,
                    e.store_id,
                    stats.OrderFacts(e.status, e.total, e.currency.upper() if e.currency else None),
                )
                stats.apply_order_delta(session, customer_id, delta)
                activity.record(
                    session,
                    e.store_id,
                    customer_id,
                    "order_updated",
                    {"order_id": e.order_id, "status": e.status, "unknown_order": True},
                    occurred_at=e.occurred_at,
                )
                return True
            before = self._order_facts(order)
            old_status = order.status
            changed = {
                "status": e.status,
                "payment_status": e.payment_status or order.payment_status,
                "total": e.total if e.total is not None else order.total,
                "currency": e.currency.upper() if e.currency else order.currency,
            }
            if all(getattr(order, k) == v for k, v in changed.items()):
                return False  # a replay, or nothing new
            for key, value in changed.items():
                setattr(order, key, value)
            order.updated_at = utcnow()
            delta = self._contribution(
                session, e.store_id, self._order_facts(order)
            ) - self._contribution(session, e.store_id, before)
            stats.apply_order_delta(session, order.customer_id, delta)
            activity.record(
                session,
                e.store_id,
                order.customer_id,
                "order_updated",
                {
                    "order_id": e.order_id,
                    "from": old_status,
                    "status": e.status,
                    "payment_status": order.payment_status,
                },
                occurred_at=e.occurred_at,
            )
            return True

        return self._handle(e, apply, session)

    def booking_made(self, e: BookingMade, session: Session | None = None) -> str:
        def apply(session: Session, customer_id: uuid.UUID) -> bool:
            table = BookingSummary.__table__
            facts = {
                "service": e.service,
                "staff": e.staff,
                "status": e.status,
                "payment_status": e.payment_status,
                "price": e.price,
                "currency": e.currency.upper() if e.currency else None,
                "starts_at": e.starts_at,
                "ends_at": e.ends_at,
                "form_answers": dict(e.form_answers),
                "booked_at": e.occurred_at,
                "updated_at": utcnow(),
            }
            inserted = insert_ignore(
                session,
                table,
                dict(
                    id=new_id(),
                    store_id=e.store_id,
                    customer_id=customer_id,
                    source=e.source,
                    external_id=e.booking_id,
                    **facts,
                ),
                returning=table.c.id,
            ).scalar()
            if inserted is None:
                booking = self._locked(session, BookingSummary, e.store_id, e.source, e.booking_id)
                if booking.booked_at is not None:
                    return False  # a replay
                before = stats.booking_counts(booking.status)
                for key, value in facts.items():
                    if key != "status" and getattr(booking, key) in (None, {}):
                        setattr(booking, key, value)
                counted = stats.booking_counts(booking.status) - before
                customer_id = booking.customer_id
            else:
                counted = stats.booking_counts(e.status)
            stats.apply_counter(session, customer_id, bookings_count=counted)
            contacts.add_tag(session, e.store_id, customer_id, e.service, automatic=True)
            activity.record(
                session,
                e.store_id,
                customer_id,
                "booking_made",
                {
                    "booking_id": e.booking_id,
                    "service": e.service,
                    "starts_at": e.starts_at.isoformat(),
                    "status": e.status,
                },
                occurred_at=e.occurred_at,
            )
            return True

        return self._handle(e, apply, session)

    def booking_updated(self, e: BookingUpdated, session: Session | None = None) -> str:
        def apply(session: Session, customer_id: uuid.UUID) -> bool:
            booking = self._get_or_create_locked(
                session,
                BookingSummary,
                e.store_id,
                e.source,
                e.booking_id,
                customer_id=customer_id,
                service=e.service,
                status=e.status,
                payment_status=e.payment_status,
                starts_at=e.starts_at,
                ends_at=e.ends_at,
                form_answers={},
                booked_at=None,
            )
            if booking is None:
                stats.apply_counter(
                    session, customer_id, bookings_count=stats.booking_counts(e.status)
                )
                if e.service:
                    contacts.add_tag(session, e.store_id, customer_id, e.service, automatic=True)
                activity.record(
                    session,
                    e.store_id,
                    customer_id,
                    "booking_updated",
                    {"booking_id": e.booking_id, "status": e.status, "unknown_booking": True},
                    occurred_at=e.occurred_at,
                )
                return True
            changed = {
                "status": e.status,
                "payment_status": e.payment_status or booking.payment_status,
                "starts_at": e.starts_at or booking.starts_at,
                "ends_at": e.ends_at or booking.ends_at,
                "service": e.service or booking.service,
            }
            if all(getattr(booking, k) == v for k, v in changed.items()):
                return False
            old_status = booking.status
            counted = stats.booking_counts(e.status) - stats.booking_counts(old_status)
            for key, value in changed.items():
                setattr(booking, key, value)
            booking.updated_at = utcnow()
            stats.apply_counter(session, booking.customer_id, bookings_count=counted)
            activity.record(
                session,
                e.store_id,
                booking.customer_id,
                "booking_updated",
                {
                    "booking_id": e.booking_id,
                    "from": old_status,
                    "status": e.status,
                    "payment_status": booking.payment_status,
                },
                occurred_at=e.occurred_at,
            )
            return True

        return self._handle(e, apply, session)

    def form_submitted(self, e: FormSubmitted, session: Session | None = None) -> str:
        def apply(session: Session, customer_id: uuid.UUID) -> bool:
            table = FormSubmission.__table__
            inserted = insert_ignore(
                session,
                table,
                dict(
                    id=new_id(),
                    store_id=e.store_id,
                    customer_id=customer_id,
                    source=e.source,
                    external_id=e.submission_id,
                    form_name=e.form_name,
                    answers=dict(e.answers),
                    submitted_at=e.occurred_at,
                ),
                returning=table.c.id,
            ).scalar()
            if inserted is None:
                return False
            activity.record(
                session,
                e.store_id,
                customer_id,
                "form_submitted",
                {"submission_id": e.submission_id, "form_name": e.form_name},
                occurred_at=e.occurred_at,
            )
            contact_form.open_thread(self.state, session, e, customer_id)
            if e.subscribe_to_marketing:
                consent.set_marketing(
                    session,
                    e.store_id,
                    customer_id,
                    "subscribed",
                    source="form",
                    actor=None,
                    at=e.occurred_at,
                    only_if_unset=True,
                )
            return True

        return self._handle(e, apply, session)

    def review_submitted(self, e: ReviewSubmitted, session: Session | None = None) -> str:
        def apply(session: Session, customer_id: uuid.UUID) -> bool:
            table = Review.__table__
            inserted = insert_ignore(
                session,
                table,
                dict(
                    id=new_id(),
                    store_id=e.store_id,
                    customer_id=customer_id,
                    source=e.source,
                    external_id=e.review_id,
                    product_id=e.product_id,
                    order_external_id=e.order_id,
                    rating=e.rating,
                    comment=e.comment,
                    submitted_at=e.occurred_at,
                ),
                returning=table.c.id,
            ).scalar()
            if inserted is None:
                return False
            stats.apply_counter(session, customer_id, reviews_count=1, rating_sum=e.rating)
            activity.record(
                session,
                e.store_id,
                customer_id,
                "review_submitted",
                {
                    "review_id": e.review_id,
                    "product_id": e.product_id,
                    "rating": e.rating,
                    "order_id": e.order_id,
                },
                occurred_at=e.occurred_at,
            )
            return True

        return self._handle(e, apply, session)

    def customer_signed_up(self, e: CustomerSignedUp, session: Session | None = None) -> str:
        proof = identity.proof_of(
            e.contact.email,
            e.email_verified,
            e.contact.phone,
            e.phone_verified,
            settings.effective(e.store_id, "default_region", state=self.state),
        )
        linked: list[uuid.UUID] = []

        def apply(session: Session, customer_id: uuid.UUID) -> bool:
            before = identity.linked_customer(session, e.store_id, e.user_id)
            if before is not None:
                return False  # linked already: a replay, or an account known before
            found = identity.link(
                session, e.store_id, e.user_id, proof, via="signup", log_link=False
            )
            if found is None:
                return False  # nothing verified, or the address is another account's
            linked.append(found)
            activity.record(
                session,
                e.store_id,
                found,
                "signed_up",
                {"user_id": e.user_id},
                occurred_at=e.occurred_at,
            )
            if e.marketing_consent:
                consent.set_marketing(
                    session,
                    e.store_id,
                    found,
                    "subscribed",
                    source="signup",
                    actor=None,
                    at=e.occurred_at,
                    only_if_unset=True,
                )
            return True

        recorded = self._handle(e, apply, session)
        return str(linked[0]) if linked else recorded

    # -- the shared flow --------------------------------------------------------------------

    def _handle(self, e: Any, apply: Apply, session: Session | None) -> str:
        return str(
            self.for_contact(
                e.store_id, e.contact, e.source, apply, seen_at=e.occurred_at, session=session
            )
        )

    def for_contact(
        self,
        store_id: str,
        contact: Contact,
        source: str,
        apply: Apply,
        *,
        seen_at: dt.datetime | None = None,
        session: Session | None = None,
    ) -> uuid.UUID:
        """The flow every contact-bearing event shares: find or create the customer of
        ``contact``, run ``apply(session, customer_id)``, re-evaluate their groups and announce
        a new or changed customer after commit. Runs in a transaction of its own, or in the
        caller's ``session`` (which the caller commits)."""
        if session is None:
            # the store's settings read once for the event (a request already keeps them)
            with settings.request_cache(), self.state.db.transaction() as own:
                return self.for_contact(
                    store_id, contact, source, apply, seen_at=seen_at, session=own
                )
        state = self.state
        resolved = contacts.resolve(
            session,
            store_id,
            contact,
            region=settings.effective(store_id, "default_region", state=state, session=session),
            source=source,
            seen_at=seen_at,
        )
        apply(session, resolved.id)
        deferred = session.info.get(_DEFERRED_GROUPS)
        if deferred is None:
            reevaluate_customers(session, state, store_id, [resolved.id])
        else:
            deferred.setdefault(store_id, []).append(resolved.id)
        self._announce(session, store_id, resolved)
        return resolved.id

    @contextmanager
    def groups_at_the_end(self, session: Session) -> Iterator[None]:
        """Events applied in ``session`` inside this block re-evaluate their customers' groups
        once, at the end of the block (a batch of one customer's events: one evaluation of its
        final facts instead of one per event)."""
        deferred: dict[str, list[uuid.UUID]] = {}
        session.info[_DEFERRED_GROUPS] = deferred
        try:
            yield
        finally:
            session.info.pop(_DEFERRED_GROUPS, None)
        for store_id, customer_ids in deferred.items():
            reevaluate_customers(session, self.state, store_id, customer_ids)

    def for_customer(self, store_id: str, customer_id: uuid.UUID, apply: Apply) -> uuid.UUID:
        """The same flow for a customer already known by id (the signed-in shopper's linked
        customer): ``apply`` and re-evaluate their groups, in one transaction."""
        with self.state.db.transaction() as session:
            apply(session, customer_id)
            reevaluate_customers(session, self.state, store_id, [customer_id])
        return customer_id

    def _announce(self, session: Session, store_id: str, resolved: contacts.Resolved) -> None:
        """Tell listeners about a new or changed customer after commit (this flow has just
        re-evaluated the customer's groups itself)."""
        pm = self.state.pm
        if resolved.created:
            fraud.check_new_customer(self.state, session, store_id, resolved.id)
            hook, extra = "customer_created", {}
        elif resolved.changes:
            hook, extra = "customer_updated", {"changes": tuple(resolved.changes)}
        else:
            return
        impls = listeners(pm, hook)
        if impls:
            deferred.flush_now(session, "sources")  # the snapshot lists them
            info = customer_info(session, resolved.id)
            after_commit(session, lambda: deliver(impls, hook, customer=info, **extra))

    def _contribution(
        self, session: Session, store_id: str, facts: stats.OrderFacts
    ) -> stats.Contribution:
        """What an order adds to the stats, in the store's currency."""
        currency = settings.effective(store_id, "currency", state=self.state, session=session)
        return stats.order_contribution(facts, currency)

    @staticmethod
    def _order_facts(order: OrderSummary) -> stats.OrderFacts:
        return stats.OrderFacts(order.status, order.total, order.currency)

    @staticmethod
    def _locked(session: Session, model: Any, store_id: str, source: str, external_id: str) -> Any:
        return session.scalars(
            select(model)
            .where(
                model.store_id == store_id, model.source == source, model.external_id == external_id
            )
            .with_for_update()
        ).one()

    def _get_or_create_locked(
        self,
        session: Session,
        model: Any,
        store_id: str,
        source: str,
        external_id: str,
        **values: Any,
    ) -> Any:
        """The locked summary row, or ``None`` after recording a new one from ``values``."""
        table = model.__table__
        inserted = insert_ignore(
            session,
            table,
            dict(
                id=new_id(),
                store_id=store_id,
                source=source,
                external_id=external_id,
                updated_at=utcnow(),
                **values,
            ),
            returning=table.c.id,
        ).scalar()
        if inserted is not None:
            return None
        return self._locked(session, model, store_id, source, external_id)
