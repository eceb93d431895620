"""``/admin``: the merchant's customer list and card, a static page that calls customers-plugin's
REST API from the browser with the bearer token the merchant types in. The page itself holds no
data and needs no login: everything it shows comes from the API, which checks the token."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
def customers_page() -> str:
    return render_template(
        "admin.html", api_prefix=current_app.config["CUSTOMERS_URL_PREFIX"].rstrip("/")
    )
