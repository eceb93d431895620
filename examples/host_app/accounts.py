"""The shop's accounts: sign-in by a one-time link, which proves the visitor owns the address.

A visitor types an email; the shop makes a signed link valid for 15 minutes (a real shop
emails it; the demo shows it on the page) and following it signs them in, creating their
account the first time. Because the link reached that mailbox, the account's email is
verified: the first sign-in fires ``on_customer_signup`` with ``email_verified=True`` and
``current_customer`` answers a ``ShopperAccount`` with the account id, so the plugin links the
account to the customer of that email and serves ``/api/v1/me/…`` for it. A typed email is
never an identity by itself.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as browser
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from customers_plugin import Contact, CustomerSignedUp, ShopperAccount
from customers_plugin.normalize import InvalidEmail, validate_email_address

from . import shop, views
from .models import Account, db

bp = Blueprint("accounts", __name__, url_prefix="/shop/<store>/account")
bp.url_value_preprocessor(views.pull_store)
bp.url_defaults(views.add_store)
bp.before_request(views.check_csrf)

SIGNED_IN = "account"  # browser-session key: {store_id: account id}
LINK_MAX_AGE = 15 * 60


def _links() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="host-app-sign-in")


def signed_in(store_id: str) -> Account | None:
    """The account signed in on this store in this browser, if any."""
    if not has_request_context():
        return None
    account_id = (browser.get(SIGNED_IN) or {}).get(store_id)
    if not isinstance(account_id, int):
        return None
    return db.session.scalar(db.select(Account).filter_by(id=account_id, store_id=store_id))


def shopper_account(account: Account) -> ShopperAccount:
    """What the plugin is told about a signed-in account (its email was proved at sign-in)."""
    return ShopperAccount(user_id=str(account.id), email=account.email, email_verified=True)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    if request.method == "GET":
        return render_template("sign_in.html", error=None, link=None)
    try:
        email = validate_email_address(str(request.form.get("email", ""))[:320])
    except InvalidEmail:
        return render_template(
            "sign_in.html", error="This email address does not look right.", link=None
        ), 422
    token = _links().dumps({"store": g.store.id, "email": email})
    link = url_for("accounts.confirm", token=token, _external=True)
    return render_template("sign_in.html", error=None, link=link, email=email)


@bp.get("/confirm")
def confirm() -> Any:
    """The one-time link: the visitor owns the address; sign them in (sign up the first time)."""
    try:
        data = _links().loads(request.args.get("token", "")[:1000], max_age=LINK_MAX_AGE)
    except BadSignature:  # altered or expired
        return render_template(
            "message.html", title="Sign in", text="This sign-in link is not valid any more."
        ), 410
    if data.get("store") != g.store.id:
        return redirect(url_for("accounts.sign_in"))
    email = str(data["email"]).lower()
    account = db.session.scalar(db.select(Account).filter_by(store_id=g.store.id, email=email))
    if account is None:
        account = Account(store_id=g.store.id, email=email)
        db.session.add(account)
        db.session.commit()
        shop.fire(
            "on_customer_signup",
            CustomerSignedUp(
                store_id=g.store.id,
                user_id=str(account.id),
                contact=Contact(email=email),
                email_verified=True,
            ),
        )
    data = dict(browser.get(SIGNED_IN) or {})
    data[g.store.id] = account.id
    browser[SIGNED_IN] = data
    return redirect(url_for("commerce.wishlist_page"), code=303)


@bp.post("/sign-out")
def sign_out() -> Response:
    data = dict(browser.get(SIGNED_IN) or {})
    data.pop(g.store.id, None)
    browser[SIGNED_IN] = data
    return redirect(url_for("shop.products"), code=303)
