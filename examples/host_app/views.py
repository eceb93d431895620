"""The storefront pages, one store per URL prefix (``/shop/<store>/…``): products, checkout,
order page with cancel, booking, contact form. Thin: read the form, call ``shop``, render."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from . import accounts, forms, shop
from .models import Booking, Order, Product, Service, db, utcnow
from .stores import PAYMENT_METHODS

bp = Blueprint("shop", __name__, url_prefix="/shop/<store>")

LANGUAGES = ["en", "ar", "he", "it"]


def stores() -> dict[str, Any]:
    return current_app.extensions["host_app_stores"]


@bp.url_value_preprocessor
def pull_store(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    store = stores().get((values or {}).pop("store", None))
    if store is None:
        abort(404)
    g.store = store


@bp.url_defaults
def add_store(_endpoint: str, values: dict[str, Any]) -> None:
    if "store" not in values and "store" in g:
        values["store"] = g.store.id


def csrf_token() -> str:
    """The form token of this browser session (checked on every storefront POST)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


@bp.before_request
def check_csrf() -> Any:
    if request.method != "POST" or not current_app.config["HOST_APP_CSRF"]:
        return None
    sent = request.form.get("csrf_token", "")
    if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
        return render_template(
            "message.html",
            title="This form has expired",
            text="Please go back, reload the page and send it again.",
        ), 400
    return None


def visitor_language() -> str | None:
    return request.accept_languages.best_match(LANGUAGES)


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **context), status


@bp.get("/")
def products() -> Any:
    items = db.session.scalars(
        db.select(Product).filter_by(store_id=g.store.id, active=True).order_by(Product.id)
    ).all()
    return render_template("products.html", products=items)


@bp.route("/checkout/<int(max=2147483647):product_id>", methods=["GET", "POST"])
def checkout(product_id: int) -> Any:
    product = db.session.scalar(
        db.select(Product).filter_by(id=product_id, store_id=g.store.id, active=True)
    )
    if product is None:
        abort(404)
    context = {"product": product, "methods": PAYMENT_METHODS, "countries": forms.countries()}
    if request.method == "GET":
        return render_template("checkout.html", errors={}, form={}, **context)
    try:
        data = forms.read_checkout(request.form, product.id, PAYMENT_METHODS, visitor_language())
        account = accounts.signed_in(g.store.id)
        user_id = str(account.id) if account is not None else None
        order = shop.checkout(g.store.id, data, PAYMENT_METHODS, user_id=user_id)
    except forms.FormError as exc:
        return _page("checkout.html", 422, errors=exc.errors, form=request.form, **context)
    return redirect(url_for("shop.order", ref=order.ref), code=303)


@bp.get("/orders/<ref>")
def order(ref: str) -> Any:
    found = db.session.scalar(db.select(Order).filter_by(store_id=g.store.id, ref=ref))
    if found is None:
        abort(404)
    return render_template("order.html", order=found)


@bp.post("/orders/<ref>/cancel")
def cancel_order(ref: str) -> Response:
    found = db.session.scalar(db.select(Order).filter_by(store_id=g.store.id, ref=ref))
    if found is None:
        abort(404)
    if found.cancellable:
        shop.change_order_status(g.store.id, ref, "cancelled")
    return redirect(url_for("shop.order", ref=ref), code=303)


@bp.route("/book", methods=["GET", "POST"])
def book() -> Any:
    services = db.session.scalars(
        db.select(Service).filter_by(store_id=g.store.id).order_by(Service.id)
    ).all()
    context = {"services": services, "countries": forms.countries()}
    if request.method == "GET":
        return render_template("booking.html", errors={}, form={}, **context)
    try:
        data = forms.read_booking(request.form, utcnow(), visitor_language())
        booking = shop.book(g.store.id, data)
    except forms.FormError as exc:
        return _page("booking.html", 422, errors=exc.errors, form=request.form, **context)
    return redirect(url_for("shop.booking", ref=booking.ref), code=303)


@bp.get("/bookings/<ref>")
def booking(ref: str) -> Any:
    found = db.session.scalar(db.select(Booking).filter_by(store_id=g.store.id, ref=ref))
    if found is None:
        abort(404)
    return render_template("booking_done.html", booking=found)


@bp.route("/contact", methods=["GET", "POST"])
def contact() -> Any:
    context = {"countries": forms.countries()}
    if request.method == "GET":
        return render_template("contact.html", errors={}, form={}, **context)
    try:
        shop.send_message(g.store.id, forms.read_message(request.form, visitor_language()))
    except forms.FormError as exc:
        return _page("contact.html", 422, errors=exc.errors, form=request.form, **context)
    return render_template(
        "message.html", title="Thank you", text="Your message has reached the shop."
    )
