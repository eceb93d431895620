"""Wishlists: add, remove, list, move to cart, the most-wished report and price drops.

An item keeps the product's name, price and currency at the time of adding and the date it was
added; adding a product already in the list changes nothing. The storefront takes name, price
and currency from the host (``product_from_host``), never from the shopper, and a wishlist
holds at most ``max_items`` products. Every change writes the activity log.
``wishlist_size_column`` is the SQL expression behind the ``wishlist_size`` group condition.
No Flask here: callers pass the session and the store.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pluggy
from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session

from ..db import Database, after_commit, insert_ignore
from ..events import Contact, PriceDrop, ProductPrice, Wish
from ..i18n import _
from ..jobs import job
from ..models import Customer, WishlistItem
from ..plugins import has_listeners, notify
from ..types import new_id, to_money, utcnow
from . import activity
from .errors import Conflict, NotFound, invalid
from .keyset import SortKey, model_page, parse_sort, query_page
from .snapshots import customer_info

if TYPE_CHECKING:
    from ..state import CustomersState

PRICE_BATCH = 500


class ProductUnavailable(Conflict):
    """The host could not put the product in the cart."""

    code = "product_unavailable"


class CartUnavailable(Conflict):
    """No ``add_to_cart`` implementation: the host has no cart the plugin can use."""

    code = "cart_unavailable"


class PricesUnavailable(Conflict):
    """No ``product_prices`` implementation: the plugin cannot learn a product's price."""

    code = "prices_unavailable"


class WishlistFull(Conflict):
    """The wishlist already holds its most products (``CUSTOMERS_WISHLIST_MAX_ITEMS``)."""

    code = "wishlist_full"


@dataclass(frozen=True, slots=True)
class Product:
    """A product as the host describes it when it is added to a wishlist."""

    product_id: str
    name: str
    price: Decimal
    currency: str

    @classmethod
    def of(cls, product_id: str, name: str, price: Any, currency: str) -> Product:
        product_id = (product_id or "").strip()
        if not product_id or len(product_id) > 128:
            raise invalid("product_id", _("give a product id of 1 to 128 characters"))
        if not (name or "").strip():
            raise invalid("name", _("give the product's name"))
        try:
            amount = to_money(price)
        except (TypeError, ValueError) as exc:
            raise invalid("price", str(exc)) from None
        if amount < 0:
            raise invalid("price", _("must not be negative"))
        code = (currency or "").strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise invalid("currency", _("give an ISO 4217 code such as SAR"))
        return cls(product_id, name.strip()[:300], amount, code)


def product_from_host(pm: pluggy.PluginManager, store_id: str, product_id: str) -> Product:
    """The product as the host describes it now (``product_prices``): its name, price and
    currency. Call it with no transaction of the plugin open (the host may read its own
    tables in the same SQLite file).

    :raises PricesUnavailable: no host implements ``product_prices``.
    :raises Invalid: the host does not know the product (``product_id``).
    """
    product_id = (product_id or "").strip()
    if not product_id or len(product_id) > 128:
        raise invalid("product_id", _("give a product id of 1 to 128 characters"))
    if not has_listeners(pm, "product_prices"):
        raise PricesUnavailable(_("this shop does not tell product prices to the wishlist"))
    answer = pm.hook.product_prices(store_id=store_id, product_ids=[product_id]) or {}
    raw = answer.get(product_id)
    if raw is None:
        raise invalid("product_id", _("no such product in this shop"))
    current = raw if isinstance(raw, ProductPrice) else ProductPrice(*raw)
    return Product.of(product_id, current.name or product_id, current.price, current.currency)


def add(
    session: Session,
    store_id: str,
    customer_id: uuid.UUID,
    product: Product,
    *,
    source: str = "storefront",
    at: dt.datetime | None = None,
    max_items: int | None = None,
) -> tuple[WishlistItem, bool]:
    """Add a product; ``(item, created)``. An item already there keeps its first price/date.

    :raises WishlistFull: a new product for a wishlist already holding ``max_items``.
    """
    if max_items is not None:
        _check_room(session, store_id, customer_id, product.product_id, max_items)
    table = WishlistItem.__table__
    inserted = insert_ignore(
        session,
        table,
        {
            "id": new_id(),
            "store_id": store_id,
            "customer_id": customer_id,
            "product_id": product.product_id,
            "product_name": product.name,
            "price": product.price,
            "currency": product.currency,
            "source": source,
            "added_at": at or utcnow(),
        },
        returning=table.c.id,
    ).scalar()
    if inserted is not None:
        activity.record(
            session,
            store_id,
            customer_id,
            "wishlist_added",
            {
                "product_id": product.product_id,
                "price": str(product.price),
                "currency": product.currency,
            },
            actor=source,
            occurred_at=at,
        )
    item = session.scalars(
        select(WishlistItem).where(
            WishlistItem.customer_id == customer_id,
            WishlistItem.product_id == product.product_id,
        )
    ).one()
    return item, inserted is not None


def _check_room(
    session: Session, store_id: str, customer_id: uuid.UUID, product_id: str, max_items: int
) -> None:
    mine = (WishlistItem.store_id == store_id, WishlistItem.customer_id == customer_id)
    held = session.scalar(select(func.count()).select_from(WishlistItem).where(*mine))
    if (held or 0) < max_items:
        return
    there = session.scalar(
        select(WishlistItem.id).where(*mine, WishlistItem.product_id == product_id)
    )
    if there is None:
        raise WishlistFull(
            _("the wishlist already holds {n} products", n=max_items),
            fields={"product_id": [_("the wishlist holds at most {n} products", n=max_items)]},
        )


def remove(
    session: Session,
    store_id: str,
    customer_id: uuid.UUID,
    product_id: str,
    *,
    kind: str = "wishlist_removed",
    actor: str = "storefront",
    at: dt.datetime | None = None,
) -> bool:
    """Remove a product; ``False`` when it was not in the list (nothing changes)."""
    removed = session.execute(
        delete(WishlistItem)
        .where(
            WishlistItem.store_id == store_id,
            WishlistItem.customer_id == customer_id,
            WishlistItem.product_id == product_id,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if removed:
        activity.record(
            session,
            store_id,
            customer_id,
            kind,
            {"product_id": product_id},
            actor=actor,
            occurred_at=at,
        )
    return bool(removed)


def put_in_cart(
    db: Database,
    pm: pluggy.PluginManager,
    store_id: str,
    customer_id: uuid.UUID,
    product_id: str,
) -> None:
    """Ask the host to put a wished product in the cart (``add_to_cart``). No transaction of
    the plugin is open while the host works (its cart may live in the same SQLite file). The
    caller then takes the line off with ``remove(…, kind="wishlist_moved_to_cart")``.

    :raises NotFound: the product is not in the wishlist.
    :raises ProductUnavailable: the host answered that the product cannot be added.
    :raises CartUnavailable: no host implements ``add_to_cart``.
    """
    with db.session() as session:
        item = session.scalar(
            select(WishlistItem.id).where(
                WishlistItem.store_id == store_id,
                WishlistItem.customer_id == customer_id,
                WishlistItem.product_id == product_id,
            )
        )
        if item is None:
            raise NotFound(_("this product is not in the wishlist"))
        info = customer_info(session, customer_id)
    if not has_listeners(pm, "add_to_cart"):
        raise CartUnavailable(_("this shop cannot add to the cart from the wishlist"))
    added = pm.hook.add_to_cart(store_id=store_id, customer=info, product_id=product_id)
    if added is None:
        raise CartUnavailable(_("this shop cannot add to the cart from the wishlist"))
    if not added:
        raise ProductUnavailable(
            _("this product is unavailable and stays in the wishlist"),
            fields={"product_id": [_("unavailable")]},
        )


def for_contact(
    state: CustomersState,
    store_id: str,
    contact: Contact,
    source: str,
    apply: Callable[[Session, uuid.UUID], Any],
) -> uuid.UUID:
    """Run ``apply(session, customer_id)`` in one transaction for the customer of ``contact``
    (found or created as host events do), with the groups and notifications that follow."""
    return state.capture.for_contact(store_id, contact, source, apply)


_ITEM_KEYS = {"added_at": SortKey("added_at", WishlistItem.added_at, "datetime")}


def items_page(
    session: Session, store_id: str, customer_id: uuid.UUID, *, limit: int, cursor: str | None
) -> tuple[list[WishlistItem], str | None]:
    """One page of a customer's wishlist, latest addition first."""
    where = [WishlistItem.store_id == store_id, WishlistItem.customer_id == customer_id]
    return model_page(session, WishlistItem, _ITEM_KEYS, "-added_at", where, limit, cursor)


def require_customer(session: Session, store_id: str, customer_id: uuid.UUID) -> None:
    found = session.scalar(
        select(Customer.id).where(Customer.id == customer_id, Customer.store_id == store_id)
    )
    if found is None:
        raise NotFound(_("no such customer"))


def most_wished(
    session: Session, store_id: str, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The store's most wished products: how many wishlists hold each and the latest addition,
    most wished first (product id breaks ties)."""
    counts = (
        select(
            WishlistItem.product_id.label("product_id"),
            func.count().label("wishes"),
            func.max(WishlistItem.added_at).label("latest_added_at"),
        )
        .where(WishlistItem.store_id == store_id)
        .group_by(WishlistItem.product_id)
        .subquery()
    )
    orders = parse_sort(
        "-wishes",
        {"wishes": SortKey("wishes", counts.c.wishes, "int")},
        SortKey("product_id", counts.c.product_id, "str"),
    )
    rows, next_cursor = query_page(session, select(counts), orders, limit, cursor)
    names = _latest_names(session, store_id, [r.product_id for r in rows])
    items = [
        {
            "product_id": r.product_id,
            "name": names.get(r.product_id),
            "wishes": r.wishes,
            "latest_added_at": r.latest_added_at,
        }
        for r in rows
    ]
    return items, next_cursor


def _latest_names(session: Session, store_id: str, product_ids: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    if not product_ids:
        return names
    for product_id, name in session.execute(
        select(WishlistItem.product_id, WishlistItem.product_name)
        .where(WishlistItem.store_id == store_id, WishlistItem.product_id.in_(product_ids))
        .order_by(WishlistItem.added_at.desc(), WishlistItem.id.desc())
    ):
        names.setdefault(product_id, name)
    return names


def wishlist_size_column(store_id: str) -> ColumnElement[Any]:
    """How many products the customer wishes for (the ``wishlist_size`` group condition)."""
    return (
        select(func.count(WishlistItem.id))
        .where(WishlistItem.customer_id == Customer.id)
        .scalar_subquery()
    )


# -- price drops ----------------------------------------------------------------------------


def wished_product_ids(session: Session, store_id: str) -> list[str]:
    return list(
        session.scalars(
            select(WishlistItem.product_id)
            .where(WishlistItem.store_id == store_id)
            .distinct()
            .order_by(WishlistItem.product_id)
        )
    )


def wishing_stores(session: Session) -> list[str]:
    return list(session.scalars(select(WishlistItem.store_id).distinct()))


def record_price_drops(
    session: Session,
    pm: pluggy.PluginManager,
    store_id: str,
    prices: Mapping[str, ProductPrice | tuple[Any, str]],
) -> int:
    """Claim the wishes each current price undercuts (once per lower price) and announce them
    after commit through ``wishlist_price_dropped`` with the name the host gave (the stored
    names of the product's wishes take it too); returns how many wishes were claimed."""
    claimed = 0
    for product_id, raw in prices.items():
        current = raw if isinstance(raw, ProductPrice) else ProductPrice(*raw)
        currency = current.currency.upper()
        if current.name:
            _rename(session, store_id, product_id, current.name)
        rows = session.execute(
            update(WishlistItem)
            .where(
                WishlistItem.store_id == store_id,
                WishlistItem.product_id == product_id,
                WishlistItem.currency == currency,
                WishlistItem.price > current.price,
                or_(
                    WishlistItem.notified_price.is_(None),
                    WishlistItem.notified_price > current.price,
                ),
            )
            .values(notified_price=current.price)
            .returning(WishlistItem.customer_id, WishlistItem.price, WishlistItem.added_at)
            .execution_options(synchronize_session=False)
        ).all()
        if not rows:
            continue
        claimed += len(rows)
        drop = PriceDrop(
            store_id=store_id,
            product_id=product_id,
            product_name=current.name,
            price=current.price,
            currency=currency,
            wishes=tuple(
                Wish(str(r.customer_id), r.price, currency, r.added_at)
                for r in sorted(rows, key=lambda r: (r.added_at, str(r.customer_id)))
            ),
        )
        after_commit(session, lambda drop=drop: notify(pm, "wishlist_price_dropped", drop=drop))
    return claimed


def _rename(session: Session, store_id: str, product_id: str, name: str) -> None:
    """Give the wishes of a product the name the host answered (it replaces older names)."""
    session.execute(
        update(WishlistItem)
        .where(
            WishlistItem.store_id == store_id,
            WishlistItem.product_id == product_id,
            WishlistItem.product_name != name[:300],
        )
        .values(product_name=name[:300])
        .execution_options(synchronize_session=False)
    )


@job("wishlist_price_drops")
def price_drops_job(state: CustomersState, store_id: str | None = None) -> dict[str, int]:
    """Job: ask the host for the current prices of wished products (``product_prices``) and
    announce the drops. Safe to run twice: a wish is claimed once per lower price."""
    pm = state.pm
    if not has_listeners(pm, "product_prices"):
        return {"stores": 0, "wishes": 0}
    with state.db.session() as session:
        stores = [store_id] if store_id else wishing_stores(session)
    claimed = 0
    for store in stores:
        with state.db.session() as session:
            product_ids = wished_product_ids(session, store)
        for batch in batches(product_ids):
            prices = pm.hook.product_prices(store_id=store, product_ids=batch) or {}
            known = {pid: price for pid, price in prices.items() if pid in set(batch)}
            with state.db.transaction() as session:
                claimed += record_price_drops(session, pm, store, known)
    return {"stores": len(stores), "wishes": claimed}


def batches(values: Iterable[str], size: int = PRICE_BATCH) -> Iterable[list[str]]:
    batch: list[str] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
