"""Error messages in the request's language (Accept-Language, else the host's
``current_locale`` hook first), with ``code`` and field names unchanged and
``Content-Language`` saying which language answered."""

from __future__ import annotations

import uuid

import pytest

from customers_plugin import hookimpl, i18n

from .conftest import BearerAuth, Staff


def _in(language: str) -> dict[str, str]:
    return {"Accept-Language": language}


def test_a_validation_error_in_arabic_keeps_its_code_and_field_names(staff):
    response = staff.post("/customers", json={"email": "not-an-email"}, headers=_in("ar"))
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert error["fields"] == {"email": ["عنوان البريد الإلكتروني غير صالح"]}
    assert error["message"] == "عنوان البريد الإلكتروني غير صالح"
    assert response.headers["Content-Language"] == "ar"
    assert "Accept-Language" in response.headers["Vary"]


def test_a_marshmallow_message_is_translated_too(staff):
    response = staff.post(
        "/customers", json={"email": "a@example.com", "nope": 1}, headers=_in("he")
    )
    assert response.status_code == 422
    assert response.json["error"]["fields"]["nope"] == ["שדה לא מוכר."]
    assert response.json["error"]["message"] == "הבקשה אינה תקינה"


def test_a_404_in_hebrew(staff):
    response = staff.get(f"/customers/{uuid.uuid4()}", headers=_in("he-IL,he;q=0.9,en;q=0.5"))
    assert response.status_code == 404
    assert response.json["error"] == {"code": "not_found", "message": "אין לקוח כזה"}
    assert response.headers["Content-Language"] == "he"


def test_401_and_403_in_italian(api_app):
    anonymous = api_app.test_client().get("/api/v1/customers", headers=_in("it-IT"))
    assert anonymous.status_code == 401
    assert anonymous.json["error"]["message"] == "autenticazione richiesta"
    reader = Staff(api_app, perms="customers.read")
    denied = reader.post("/customers", json={"email": "a@example.com"}, headers=_in("it"))
    assert denied.status_code == 403
    assert denied.json["error"] == {
        "code": "forbidden",
        "message": "manca il permesso customers.write",
    }


def test_a_message_with_a_value_is_translated_around_it(staff):
    response = staff.get("/customers?sort=shoe_size", headers=_in("it"))
    assert response.status_code == 422
    (message,) = response.json["error"]["fields"]["sort"]
    assert message.startswith("ordina per chiavi separate da virgole: ")
    assert "joined_at" in message
    limit = staff.get("/customers?limit=100000", headers=_in("ar"))
    assert limit.json["error"]["fields"] == {"limit": ["يجب ألا يتجاوز 200"]}


@pytest.mark.parametrize("header", ["fr", "fr-CA, de;q=0.5", "", "*"])
def test_a_language_the_plugin_does_not_speak_falls_back_to_english(staff, header):
    response = staff.get(f"/customers/{uuid.uuid4()}", headers=_in(header))
    assert response.json["error"]["message"] == "no such customer"
    assert response.headers["Content-Language"] == "en"


def test_the_best_quality_language_wins(staff):
    response = staff.get(f"/customers/{uuid.uuid4()}", headers=_in("de, it;q=0.4, ar;q=0.8"))
    assert response.headers["Content-Language"] == "ar"


class HostLocale:
    def __init__(self, answer):
        self.answer = answer

    @hookimpl
    def current_locale(self, request, store_id):
        return self.answer


@pytest.mark.parametrize(("answer", "expected"), [("he_IL", "he"), ("xx", "ar"), (None, "ar")])
def test_the_hosts_locale_wins_over_the_header_when_the_plugin_speaks_it(
    make_app, answer, expected
):
    app = make_app(CUSTOMERS_PLUGINS=[BearerAuth(), HostLocale(answer)])
    response = Staff(app).get(f"/customers/{uuid.uuid4()}", headers=_in("ar"))
    assert response.headers["Content-Language"] == expected


def test_the_configured_default_answers_without_hook_or_header(make_app):
    app = make_app(CUSTOMERS_PLUGINS=[BearerAuth()], CUSTOMERS_DEFAULT_LOCALE="it")
    response = Staff(app).get(f"/customers/{uuid.uuid4()}")
    assert response.json["error"]["message"] == "cliente inesistente"


def test_rendered_text_is_matched_to_its_msgid():
    assert i18n.translate("at most 5 tags", locale="it") == "al massimo 5 tag"
    assert i18n.translate("Longer than maximum length 200.", locale="he") == (
        "ארוך מהאורך המרבי (200)."
    )
    assert i18n.translate(i18n._("no such {x}", x=1), locale="ar") == "no such 1"
    assert i18n.translate("words no catalog holds", locale="ar") == "words no catalog holds"
    assert i18n.direction("ar") == "rtl" and i18n.direction("he") == "rtl"
    assert i18n.direction("it") == "ltr"
