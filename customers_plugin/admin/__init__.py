"""The optional admin: a Customers tab a host mounts with one call, ``init_admin(app)`` (or the
``CUSTOMERS_ADMIN_URL_PREFIX`` setting).

It is a page shell rendered here (language, direction, navigation, the catalog of the page's
texts) and ES modules under ``static/`` that do everything else through the public REST API
from the browser, with the host's own authentication: the browser sends the host's session
cookie, and every call carries the ``X-Customers-CSRF`` header, which a host that
authenticates by cookie must require on writes in its ``authorize`` hook (a form on another
site cannot set it). This module holds no data and checks no permission itself: the API does.

Screens are registered in ``screens.SCREENS``; the card's tabs in ``static/card/tabs.js``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, render_template, request, url_for

from . import catalogs, screens

CSRF_HEADER = "X-Customers-CSRF"
BLUEPRINT = "customers_admin"


def _shell(path: str = "") -> str:
    locale = catalogs.negotiate(request.args.get("lang"), request.accept_languages)
    prefix = current_app.config["CUSTOMERS_URL_PREFIX"].rstrip("/")
    available = screens.available()
    config: dict[str, Any] = {
        "api": request.script_root + prefix,
        "base": url_for(f"{BLUEPRINT}.shell"),
        "locale": locale,
        "currency": current_app.config["CUSTOMERS_CURRENCY"],
        "signIn": current_app.config.get("CUSTOMERS_ADMIN_SIGN_IN_URL"),
        "csrfHeader": CSRF_HEADER,
        "screens": [s.as_json() for s in available],
        "messages": catalogs.messages(locale),
    }
    return render_template(
        "customers_admin/shell.html",
        locale=locale,
        direction=catalogs.direction(locale),
        screens=available,
        current=(path.split("/", 1)[0] or available[0].id),
        config=config,
        gettext=catalogs.translator(locale),
        locales=catalogs.LOCALES,
    )


def create_blueprint(url_prefix: str) -> Blueprint:
    """The admin's blueprint: the shell at every path under ``url_prefix`` (the browser's
    address keeps the screen and its filters), the ES modules and CSS under ``static/``."""
    bp = Blueprint(
        BLUEPRINT,
        __name__,
        url_prefix=url_prefix.rstrip("/") or None,
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )
    bp.add_url_rule("/", "shell", _shell, methods=["GET"])
    bp.add_url_rule("/<path:path>", "screen", _shell, methods=["GET"])
    return bp


def init_admin(app: Flask, url_prefix: str | None = None) -> Blueprint:
    """Mount the admin on ``app`` (after ``CustomersPlugin(app)``) at ``url_prefix``, else at
    ``CUSTOMERS_ADMIN_URL_PREFIX``, else at ``/admin``."""
    prefix = url_prefix or app.config.get("CUSTOMERS_ADMIN_URL_PREFIX") or "/admin"
    bp = create_blueprint(prefix)
    app.register_blueprint(bp)
    return bp


__all__ = ["CSRF_HEADER", "create_blueprint", "init_admin"]
