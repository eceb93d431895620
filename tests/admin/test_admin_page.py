"""The admin's page shell (``customers_plugin.admin``) without a browser: mounted by one call
or by ``CUSTOMERS_ADMIN_URL_PREFIX``, every address under it answering the shell (deep links),
its language and direction, the catalog it hands the page, the screens it lists, its content
security policy; and the two endpoints it relies on, ``GET /permissions`` and ``GET /staff``,
with the example host's session sign-in and its CSRF header."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask

from customers_plugin import CustomersPlugin, security
from customers_plugin.admin import CSRF_HEADER, screens
from customers_plugin.i18n import LOCALES, SOURCE_LOCALE
from customers_plugin.translations.extract import extract, missing
from examples.host_app.stores import DEMO_READONLY_TOKEN
from tests.host_app_support import post_form

CONFIG = re.compile(r'<script type="application/json" id="customers-admin-config">(.*?)</script>')


def config_of(page: Any) -> dict[str, Any]:
    found = CONFIG.search(page.get_data(as_text=True))
    assert found, "no configuration in the page"
    return json.loads(found.group(1))


def bare_app(**config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, CUSTOMERS_DATABASE_URI="sqlite://", **config)
    CustomersPlugin(app)
    return app


def test_the_config_key_mounts_the_admin_and_every_address_under_it_is_the_page() -> None:
    client = bare_app(CUSTOMERS_ADMIN_URL_PREFIX="/backoffice").test_client()

    page = client.get("/backoffice/")
    deep = client.get("/backoffice/customers/0b9d6f5e-3f64-4a38-9d1a-0d5d6f1c2f77?tab=notes")
    module = client.get("/backoffice/static/app.js")

    assert page.status_code == deep.status_code == 200
    assert config_of(page) == config_of(deep)
    assert config_of(page)["base"] == "/backoffice/"
    assert config_of(page)["api"] == "/api/v1"
    assert module.status_code == 200 and module.mimetype in {
        "text/javascript",
        "application/javascript",
    }
    module.close()
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert bare_app().test_client().get("/admin/").status_code == 404  # not mounted unasked


@pytest.mark.parametrize(
    ("header", "lang", "direction", "customers"),
    [
        ("ar-SA,ar;q=0.9", "ar", "rtl", "العملاء"),
        ("he-IL", "he", "rtl", "לקוחות"),
        ("it-IT,en;q=0.5", "it", "ltr", "Clienti"),
        ("fr-FR", "en", "ltr", None),
    ],
)
def test_the_page_speaks_the_browsers_language(
    header: str, lang: str, direction: str, customers: str | None
) -> None:
    client = bare_app(CUSTOMERS_ADMIN_URL_PREFIX="/admin").test_client()

    page = client.get("/admin/", headers={"Accept-Language": header})

    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html
    messages = config_of(page)["messages"]
    assert messages.get("Customers") == customers
    assert config_of(page)["locale"] == lang


def test_a_language_picked_in_the_page_stays_picked() -> None:
    client = bare_app(CUSTOMERS_ADMIN_URL_PREFIX="/admin").test_client()
    arabic_browser = {"Accept-Language": "ar"}

    picked = client.get("/admin/?lang=he", headers=arabic_browser)
    later = client.get("/admin/customers", headers=arabic_browser)
    unknown = client.get("/admin/?lang=xx", headers=arabic_browser)

    assert config_of(picked)["locale"] == config_of(later)["locale"] == "he"
    assert "Path=/admin/" in picked.headers["Set-Cookie"]
    assert config_of(unknown)["locale"] == "he"  # a language we lack changes nothing


def test_the_navigation_lists_the_installed_screens_only() -> None:
    client = bare_app(CUSTOMERS_ADMIN_URL_PREFIX="/admin").test_client()

    listed = [s["id"] for s in config_of(client.get("/admin/"))["screens"]]

    installed = [s.id for s in screens.SCREENS if s.module().is_file()]
    assert listed == installed and listed[0] == "customers"
    assert {s.permission for s in screens.SCREENS} <= set(security.PERMISSIONS)


def test_every_text_of_the_admin_is_translated_with_its_placeholders() -> None:
    assert missing("admin") == {}
    from customers_plugin.i18n import messages_for

    wanted = [m.id for m in extract("admin") if m.id]
    assert "Select all that match" in wanted and "Customers" in wanted
    for locale in set(LOCALES) - {SOURCE_LOCALE}:
        catalog = messages_for(locale, "admin")
        for msgid in wanted:
            placeholders = sorted(re.findall(r"\{\w+\}", msgid))
            assert sorted(re.findall(r"\{\w+\}", catalog[msgid])) == placeholders, (locale, msgid)
            assert catalog[msgid] != msgid or msgid in {"Email", "Marketing", "Spam", "File", "SMS"}


def test_permissions_answer_what_the_caller_holds(make_host: Any) -> None:
    client = make_host().test_client()

    nobody = client.get("/api/v1/permissions")
    reader = client.get(
        "/api/v1/permissions", headers={"Authorization": f"Bearer {DEMO_READONLY_TOKEN}"}
    )

    assert nobody.status_code == 401
    assert reader.get_json() == {
        "store_id": "default",
        "staff": "read-only",
        "permissions": [security.READ],
    }


def test_a_signed_in_member_of_staff_changes_things_only_with_the_csrf_header(
    make_host: Any,
) -> None:
    client = make_host().test_client()
    signed = post_form(client, "/staff/sign-in", {"store": "default", "role": "staff"})
    assert signed.status_code == 303 and signed.headers["Location"].endswith("/admin/")

    held = client.get("/api/v1/permissions").get_json()
    forged = client.post("/api/v1/customers", json={"email": "forged@example.com"})
    sent = client.post(
        "/api/v1/customers", json={"email": "real@example.com"}, headers={CSRF_HEADER: "1"}
    )
    staff = client.get("/api/v1/staff").get_json()

    assert held["staff"] == "staff" and security.WALLET not in held["permissions"]
    assert security.WRITE in held["permissions"]
    assert forged.status_code == 401  # a form on another site cannot set the header
    assert sent.status_code == 201
    assert staff == {
        "items": [
            {"id": "owner", "name": "Owner"},
            {"id": "staff", "name": "Staff"},
            {"id": "read-only", "name": "Read-Only"},
        ]
    }
    assert (
        post_form(client, "/staff/sign-in", {"store": "nowhere", "role": "owner"}).status_code
        == 422
    )
