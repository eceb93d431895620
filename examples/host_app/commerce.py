"""The shop's wishlist button and review page, built on customers-plugin.

The wishlist belongs to the signed-in account (accounts.py): ``current_customer`` answers that
account, so the plugin's ``/api/v1/me/…`` endpoints serve the customer linked to it, and the
wishlist page reads the same customer. A visitor who is not signed in is sent to sign in; an
email typed anywhere is never taken as who they are. The wishlist is the plugin's: the host
tells it about changes with ``on_wishlist_changed``. The review page is where the link of a
review request lands: it lists the orders still to review and fires ``on_review_submitted``.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as browser
from werkzeug.wrappers import Response

from customers_plugin import Contact, ReviewSubmitted, ShopperAccount, get_state, hookimpl
from customers_plugin.events import ProductPrice, WishlistChanged
from customers_plugin.models import Customer
from customers_plugin.services import identity, review_requests, wishlist

from . import shop, views
from .accounts import shopper_account, signed_in
from .models import Order, Product, db

bp = Blueprint("commerce", __name__, url_prefix="/shop/<store>")
bp.url_value_preprocessor(views.pull_store)
bp.url_defaults(views.add_store)
bp.before_request(views.check_csrf)

CART = "cart"  # browser-session key: {store_id: [product ids]}
WISHLIST_PAGE = 100


def _remember(key: str, store_id: str, value: Any) -> None:
    data = dict(browser.get(key) or {})
    data[store_id] = value
    browser[key] = data


class ShopperServices:
    """The host's answers about the storefront visitor (registered via ``CUSTOMERS_PLUGINS``)."""

    @hookimpl
    def current_customer(self, request: Any, store_id: str) -> ShopperAccount | None:
        account = signed_in(store_id)
        return shopper_account(account) if account is not None else None

    @hookimpl
    def add_to_cart(self, store_id: str, customer: Any, product_id: str) -> bool:
        product = _product(store_id, product_id)
        if product is None:
            return False
        if has_request_context():
            cart = list((browser.get(CART) or {}).get(store_id, []))
            _remember(CART, store_id, [*cart, product.id])
        return True

    @hookimpl
    def product_prices(self, store_id: str, product_ids: Any) -> dict[str, ProductPrice]:
        ids = [int(p) for p in product_ids if str(p).isdigit() and int(p) < 2**31]
        rows = db.session.scalars(
            db.select(Product).where(Product.store_id == store_id, Product.id.in_(ids))
        ).all()
        return {str(p.id): ProductPrice(p.price, p.currency, name=p.name) for p in rows if p.active}


def _product(store_id: str, product_id: Any) -> Product | None:
    if not str(product_id).isdigit() or int(product_id) >= 2**31:
        return None
    return db.session.scalar(
        db.select(Product).filter_by(id=int(product_id), store_id=store_id, active=True)
    )


# -- the wishlist -----------------------------------------------------------------------------


@bp.post("/wishlist/<int(max=2147483647):product_id>")
def add_to_wishlist(product_id: int) -> Any:
    """The ♡ button of a product: for the signed-in account (else: sign in first)."""
    product = _product(g.store.id, product_id)
    if product is None:
        abort(404)
    account = signed_in(g.store.id)
    if account is None:
        return redirect(url_for("accounts.sign_in"), code=303)
    shop.fire(
        "on_wishlist_changed",
        WishlistChanged(
            store_id=g.store.id,
            contact=Contact(email=account.email),
            product_id=str(product.id),
            action="added",
            product_name=product.name,
            price=product.price,
            currency=product.currency,
        ),
    )
    return redirect(url_for("commerce.wishlist_page"), code=303)


@bp.post("/wishlist/<int(max=2147483647):product_id>/remove")
def remove_from_wishlist(product_id: int) -> Response:
    account = signed_in(g.store.id)
    if account is not None:
        shop.fire(
            "on_wishlist_changed",
            WishlistChanged(
                store_id=g.store.id,
                contact=Contact(email=account.email),
                product_id=str(product_id),
                action="removed",
            ),
        )
    return redirect(url_for("commerce.wishlist_page"), code=303)


@bp.get("/wishlist")
def wishlist_page() -> Any:
    """The signed-in account's wishlist: the customer linked to the account, never one found
    by email."""
    account = signed_in(g.store.id)
    items: list[Any] = []
    if account is not None:
        state = get_state()
        customer_id = identity.shopper_customer(state, g.store.id, shopper_account(account))
        if customer_id is not None:
            with state.db.session() as session:
                items, _ = wishlist.items_page(
                    session, g.store.id, customer_id, limit=WISHLIST_PAGE, cursor=None
                )
    current = {str(p.id): p for p in _products(g.store.id, [i.product_id for i in items])}
    email = account.email if account is not None else None
    return render_template("wishlist.html", email=email, items=items, current=current)


def _products(store_id: str, product_ids: list[str]) -> list[Product]:
    ids = [int(p) for p in product_ids if p.isdigit() and int(p) < 2**31]
    if not ids:
        return []
    return list(
        db.session.scalars(
            db.select(Product).where(Product.store_id == store_id, Product.id.in_(ids))
        )
    )


# -- the review page --------------------------------------------------------------------------


def _holder(token: str) -> review_requests.LinkHolder | None:
    try:
        return review_requests.read_token(get_state(), token)
    except review_requests.LinkInvalid:
        return None


@bp.route("/reviews", methods=["GET", "POST"])
def reviews_page() -> Any:
    """Where a review request's link lands: the orders still to review, one form each."""
    token = request.values.get("token", "")
    holder = _holder(token) if 0 < len(token) <= 1000 else None
    if holder is None:
        return render_template(
            "message.html",
            title="Reviews",
            text="This review link is not valid or has expired.",
        ), 410
    if holder.store_id != g.store.id:
        return redirect(url_for("commerce.reviews_page", store=holder.store_id, token=token))
    state = get_state()
    if request.method == "POST":
        _submit_review(state, holder, request.form)
        return redirect(url_for("commerce.reviews_page", token=token), code=303)
    with state.db.session() as session:
        pending = review_requests.pending_for(session, holder.store_id, holder.customer_id)
    return render_template("reviews.html", token=token, pending=pending)


def _submit_review(state: Any, holder: review_requests.LinkHolder, form: Any) -> None:
    order_id = form.get("order_id", "")
    rating = form.get("rating", "")
    if not order_id.isdigit() or rating not in {"1", "2", "3", "4", "5"}:
        abort(422)
    with state.db.session() as session:
        still_open = {
            o.external_id
            for o in review_requests.unreviewed_orders(session, holder.store_id, holder.customer_id)
        }
        customer = session.get(Customer, holder.customer_id)
    order = db.session.scalar(
        db.select(Order).filter_by(id=int(order_id), store_id=holder.store_id)
    )
    if order is None or order_id not in still_open or customer is None:
        abort(404)
    shop.fire(
        "on_review_submitted",
        ReviewSubmitted(
            store_id=holder.store_id,
            contact=Contact(email=customer.email, phone=customer.phone),
            review_id=f"order-{order.id}",
            product_id=str(order.product_id),
            order_id=str(order.id),
            rating=int(rating),
            comment=(form.get("comment") or "").strip()[:2000] or None,
        ),
    )
