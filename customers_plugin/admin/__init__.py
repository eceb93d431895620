"""The optional admin: a Customers tab a host mounts with one call, ``init_admin(app)`` (or the
``CUSTOMERS_ADMIN_URL_PREFIX`` setting).

It is a page shell rendered here (language, direction, navigation, the catalog of the page's
texts: gettext domain ``admin`` through ``customers_plugin.i18n``; the language is ``?lang=``,
kept in a cookie, else the request's locale: the host's ``current_locale`` hook or the
browser's Accept-Language) and ES modules under ``static/`` that do everything else through
the public REST API from the browser, with the host's own authentication: the browser sends
the host's session cookie, and every call carries the ``X-Customers-CSRF`` header, which a
host that authenticates by cookie must require on writes in its ``authorize`` hook (a form
on another site cannot set it). This module holds no data and checks no permission itself:
the API does.

Screens are registered in ``screens.SCREENS``; the card's tabs in ``static/card/tabs.js``.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    make_response,
    render_template,
    request,
    url_for,
)

from .. import i18n
from . import screens

CSRF_HEADER = "X-Customers-CSRF"
BLUEPRINT = "customers_admin"
DOMAIN = "admin"  # the gettext domain of the admin's texts (customers_plugin.i18n)
LANGUAGE_COOKIE = "customers_admin_lang"
# The page runs only its own modules and styles: customer data can never become script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)


def _shell(path: str = "") -> Response:
    asked = [request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)]
    locale = next((code for code in asked if code in i18n.LOCALES), None)
    locale = locale or i18n.current_locale()
    prefix = current_app.config["CUSTOMERS_URL_PREFIX"].rstrip("/")
    available = screens.available()
    config: dict[str, Any] = {
        "api": request.script_root + prefix,
        "base": url_for(f"{BLUEPRINT}.shell"),
        "locale": locale,
        "signIn": current_app.config.get("CUSTOMERS_ADMIN_SIGN_IN_URL"),
        "csrfHeader": CSRF_HEADER,
        "screens": [s.as_json() for s in available],
        "messages": i18n.messages_for(locale, DOMAIN),
    }
    page = make_response(
        render_template(
            "customers_admin/shell.html",
            locale=locale,
            direction=i18n.direction(locale),
            screens=available,
            current=(path.split("/", 1)[0] or available[0].id),
            config=config,
            gettext=lambda text: i18n.gettext(text, domain=DOMAIN, locale=locale),
            locales={code: i18n.display_name(code) for code in i18n.LOCALES},
        )
    )
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    if request.args.get("lang") in i18n.LOCALES:  # the language picked stays picked
        page.set_cookie(
            LANGUAGE_COOKIE,
            locale,
            max_age=365 * 24 * 3600,
            path=url_for(f"{BLUEPRINT}.shell"),
            samesite="Lax",
            httponly=True,
        )
    return page


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
