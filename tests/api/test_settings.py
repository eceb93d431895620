"""Store settings: ``GET/PATCH /settings`` (``settings.manage``), the app's configuration as
every store's default, one store's override changing that store's behaviour only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import update

from customers_plugin.models import StoreSetting
from customers_plugin.services import settings
from tests.helpers import statements_sent

from .conftest import place_order

MANAGER = "settings.manage"


@contextmanager
def settings_statements(app) -> Iterator[list[str]]:
    """The statements on the store settings table run inside the block."""
    engine = app.extensions["customers"].db.engine
    with statements_sent(engine, lambda statement: "customers_store_settings" in statement) as seen:
        yield seen


def test_get_answers_the_app_configuration_as_each_default(staff):
    answer = staff.as_(perms=MANAGER).get("/settings")
    assert answer.status_code == 200
    assert answer.json["default_region"] == {"value": "SA", "overridden": False, "default": "SA"}
    assert answer.json["currency"]["value"] == "SAR"
    assert answer.json["address_method"]["value"] == "free_text"
    assert answer.json["import_subscribe"]["value"] is False


def test_patch_overrides_and_null_gives_the_default_back(staff):
    manager = staff.as_(perms=MANAGER)
    changed = manager.patch(
        "/settings", json={"address_method": "national_address", "sms_sender_name": "MyShop"}
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["address_method"] == {
        "value": "national_address",
        "overridden": True,
        "default": "free_text",
    }
    assert manager.get("/settings").json["sms_sender_name"]["value"] == "MyShop"
    reset = manager.patch("/settings", json={"address_method": None})
    assert reset.json["address_method"] == {
        "value": "free_text",
        "overridden": False,
        "default": "free_text",
    }
    assert reset.json["sms_sender_name"]["overridden"] is True


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("address_method", "street_view"),
        ("default_region", "XX"),
        ("currency", "DOLLAR"),
        ("currency", "usd"),
        ("sms_sender_name", "My Shop"),  # a space
        ("sms_sender_name", "ABCDEFGHIJKL"),  # 12 characters
        ("review_request_days", 400),
        ("review_request_days", "7"),
        ("import_subscribe", "yes"),
        ("timezone", "Mars/Olympus"),
        ("wishlist_max_items", 0),
    ],
)
def test_a_value_its_rule_refuses_answers_422_naming_the_field(staff, key, value):
    manager = staff.as_(perms=MANAGER)
    valid = "currency" if key != "currency" else "timezone"
    good = {"currency": "EUR", "timezone": "Asia/Riyadh"}[valid]
    refused = manager.patch("/settings", json={key: value, valid: good})
    assert refused.status_code == 422
    assert list(refused.json["error"]["fields"]) == [key]
    # all or nothing: the valid key of the same request was not applied
    assert manager.get("/settings").json[valid]["overridden"] is False


def test_an_unknown_key_is_refused(staff):
    refused = staff.as_(perms=MANAGER).patch("/settings", json={"CUSTOMERS_DATABASE_URI": "x"})
    assert refused.status_code == 422
    assert "CUSTOMERS_DATABASE_URI" in refused.json["error"]["fields"]


def test_settings_need_settings_manage(staff):
    writer = staff.as_(perms="customers.read,customers.write")
    assert writer.get("/settings").status_code == 403
    assert writer.patch("/settings", json={"currency": "EUR"}).status_code == 403
    assert staff.client.get("/api/v1/settings").status_code == 401
    assert staff.get("/settings").json["currency"]["overridden"] is False


def test_one_store_s_override_is_invisible_to_another(staff):
    staff.as_("a", MANAGER).patch("/settings", json={"currency": "EUR"})
    assert staff.as_("b", MANAGER).get("/settings").json["currency"] == {
        "value": "SAR",
        "overridden": False,
        "default": "SAR",
    }
    with staff.app.app_context():
        assert settings.effective("a", "currency") == "EUR"
        assert settings.effective("b", "currency") == "SAR"


# -- an override changes behaviour ---------------------------------------------------------


def test_default_region_override_changes_how_a_store_reads_local_phones(staff):
    staff.as_("a", MANAGER).patch("/settings", json={"default_region": "IL"})
    in_a = staff.as_("a").create(phone="050-123-4567")
    in_b = staff.as_("b").create(phone="050-123-4567")
    assert in_a["phone"] == "+972501234567"
    assert in_b["phone"] == "+966501234567"


def test_currency_override_changes_what_total_spent_sums(api_app, staff):
    staff.as_("a", MANAGER).patch("/settings", json={"currency": "EUR"})
    in_a = place_order(api_app, "a", "sara@example.com", "o-1", "100.00")
    in_b = place_order(api_app, "b", "sara@example.com", "o-1", "100.00")
    card_a = staff.as_("a").get(f"/customers/{in_a}").json
    card_b = staff.as_("b").get(f"/customers/{in_b}").json
    assert (card_a["orders_count"], Decimal(card_a["total_spent"])) == (1, 0)
    assert (card_b["orders_count"], Decimal(card_b["total_spent"])) == (1, 100)
    assert card_a["currency"] == "EUR"


def test_import_subscribe_setting_is_the_default_of_an_import(staff):
    staff.as_("a", MANAGER).patch("/settings", json={"import_subscribe": True})
    for store in ("a", "b"):
        started = staff.as_(store).post("/imports", json={"emails": "new@example.com"})
        assert started.status_code == 202, started.json
    consent = {
        store: staff.as_(store)
        .get("/customers?q=new@example.com")
        .json["items"][0]["marketing_consent"]
        for store in ("a", "b")
    }
    assert consent == {"a": "subscribed", "b": "not_set"}


def test_an_import_that_says_subscribe_false_wins_over_the_setting(staff):
    staff.as_("a", MANAGER).patch("/settings", json={"import_subscribe": True})
    staff.post("/imports", json={"emails": "new@example.com", "subscribe": False})
    [row] = staff.get("/customers?q=new@example.com").json["items"]
    assert row["marketing_consent"] == "not_set"


def test_overrides_are_read_once_per_request_and_afresh_in_the_next(api_app, staff):
    staff.as_("a", MANAGER).patch("/settings", json={"currency": "EUR"})
    state = api_app.extensions["customers"]
    with settings_statements(api_app) as reads:
        with api_app.app_context(), settings.request_cache():
            assert settings.effective("a", "currency") == "EUR"
            assert settings.effective("a", "default_region") == "SA"
            with state.db.transaction() as session:  # another process changes it meanwhile
                session.execute(update(StoreSetting).values(value="GBP"))
            assert settings.effective("a", "currency") == "EUR"  # this request's view
        assert len(reads) == 2  # one read, one write
        with api_app.app_context(), settings.request_cache():
            assert settings.effective("a", "currency") == "GBP"


def test_an_order_outside_a_request_reads_its_store_settings_once(api_app, staff):
    staff.as_("a", MANAGER).patch("/settings", json={"currency": "EUR"})
    with settings_statements(api_app) as reads:
        place_order(api_app, "a", "sara@example.com", "o-1", "100.00")  # region, then currency
        place_order(api_app, "a", "sara@example.com", "o-2", "100.00")
    assert len(reads) == 2  # once per event, not once per setting it reads


def test_a_value_of_the_wrong_kind_is_refused_in_italian(staff):
    refused = staff.as_(perms=MANAGER).patch(
        "/settings",
        json={"address_method": 3},
        headers={"Accept-Language": "it"},
    )
    assert refused.status_code == 422
    assert refused.json["error"]["fields"]["address_method"] == ["una stringa"]
