"""The example host app's "My account" page: the signed-in shopper's profile, addresses,
consent, data copy and erasure request, on the plugin's self-service rules."""

from __future__ import annotations

import json

from flask import Flask

from tests.host_app_support import CSRF, sign_in

PAGE = "/shop/default/my-account"


def _post(client, path: str, form: dict[str, str] | None = None):
    token = CSRF.search(client.get(PAGE).get_data(as_text=True)).group(1)
    return client.post(PAGE + path, data={"csrf_token": token, **(form or {})})


def test_a_visitor_is_sent_to_sign_in(make_host) -> None:
    host: Flask = make_host()
    answer = host.test_client().get(PAGE)
    assert answer.status_code == 303 and "/account/sign-in" in answer.headers["Location"]


def test_the_page_changes_the_shopper_s_own_record(make_host) -> None:
    host: Flask = make_host()
    client = host.test_client()
    sign_in(client, "noa@example.co.il")
    assert client.get(PAGE).status_code == 200
    assert _post(client, "/profile", {"name": "Noa Levi"}).status_code == 303
    assert client.get("/api/v1/me/profile").json["name"] == "Noa Levi"
    added = _post(client, "/addresses", {"line1": "1 Herzl St", "city": "Haifa"})
    assert added.status_code == 303
    [address] = client.get("/api/v1/me/addresses").json["items"]
    assert "1 Herzl St" in client.get(PAGE).get_data(as_text=True)
    refused = _post(client, "/addresses", {"short_address": "nope"})
    assert refused.status_code == 422
    assert "short_address" in refused.get_data(as_text=True)
    assert _post(client, f"/addresses/{address['id']}/delete").status_code == 303
    assert client.get("/api/v1/me/addresses").json["items"] == []
    assert _post(client, "/consent", {"email_marketing": "on"}).status_code == 303
    consent = client.get("/api/v1/me/consent").json
    assert consent["email_marketing"]["subscribed"] is True
    assert consent["system_notifications"]["subscribed"] is False


def test_data_copy_and_erasure_request(make_host) -> None:
    host: Flask = make_host()
    client = host.test_client()
    sign_in(client, "noa@example.co.il")
    copy = _post(client, "/data")
    assert copy.status_code == 200
    assert copy.headers["Cache-Control"] == "no-store"
    assert json.loads(copy.get_data(as_text=True))["profile"]["email"] == "noa@example.co.il"
    assert _post(client, "/erasure").status_code == 303
    assert client.get("/api/v1/me/erasure-request").json["status"] == "pending"
    assert "we are on it" in client.get(PAGE).get_data(as_text=True)
