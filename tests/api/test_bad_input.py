"""Bad input to the REST API gets a clear answer in the error shape, never a 500: deep JSON,
control characters anywhere in a body, chunked bodies over the limit, amounts past the
columns, and unknown URLs under the prefix whatever 404 handler the host registers."""

from __future__ import annotations

import io
import json

from sqlalchemy import update

from customers_plugin.models import Customer

from .conftest import PREFIX, BearerAuth, Staff


def test_deeply_nested_json_answers_400(staff):
    for depth in (100_000, 40):
        body = "[" * depth + "]" * depth
        response = staff.post("/customers", data=body, content_type="application/json")
        assert response.status_code == 400, depth
        assert response.json["error"]["code"] == "bad_request"
        assert "nested" in response.json["error"]["message"]
    nested = {"email": "a@example.com", "custom_fields": {}}
    inner = nested["custom_fields"]
    for _ in range(40):
        inner["x"] = {}
        inner = inner["x"]
    assert staff.post("/customers", json=nested).status_code == 400


def test_control_characters_anywhere_in_a_json_body_answer_422_naming_the_field(staff):
    response = staff.post("/customers", json={"email": "a@example.com", "name": "A\x1bB"})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {
        "name": ["must not contain the control character U+001B"]
    }
    response = staff.post(
        "/customers", json={"email": "a@example.com", "custom_fields": {"note\x00": "x"}}
    )
    assert response.status_code == 422
    assert "custom_fields" in response.json["error"]["fields"]
    assert staff.get("/customers").json["items"] == []


def test_tab_and_new_lines_stay_allowed(staff):
    assert staff.create(email="a@example.com", name="A\tB\r\nC")["id"]


def _chunked(staff, path, body: bytes):
    return staff.post(
        path,
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_over_the_limit_answers_413(make_app, recorder):
    app = make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth()], CUSTOMERS_MAX_UPLOAD_BYTES=1000)
    staff = Staff(app)
    big = b'{"email": "a@example.com", "name": "' + b"x" * 200_000 + b'"}'
    response = _chunked(staff, "/customers", big)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    small = _chunked(staff, "/customers", b'{"email": "a@example.com", "name": "Small"}')
    assert small.status_code == 201, small.json


def test_a_chunked_import_keeps_the_import_limit(make_app, recorder, tmp_path):
    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth()],
        CUSTOMERS_MAX_UPLOAD_BYTES=1000,
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path),
    )
    emails = "; ".join(f"c{i}@example.com" for i in range(200))  # ~4 kB: over the upload limit
    response = _chunked(Staff(app), "/imports", json.dumps({"emails": emails}).encode())
    assert response.status_code == 202, response.json


def test_a_wallet_credit_past_the_columns_range_answers_422(api_app, staff):
    customer = staff.create(email="a@example.com")
    path = f"/customers/{customer['id']}/wallet/transactions"
    credit = {"type": "credit", "reason": "gift", "idempotency_key": "k1"}
    for amount in (10**20, "1e16", "100000000000000000000"):
        response = staff.post(path, json={**credit, "amount": amount})
        assert response.status_code == 422, amount
        assert "amount" in response.json["error"]["fields"]
    db = api_app.extensions["customers"].db
    with db.transaction() as session:  # a balance already near what the column holds
        session.execute(update(Customer).values(wallet_balance=9_223_000_000_000_000))
    response = staff.post(path, json={**credit, "amount": "999999999999"})
    assert response.status_code == 422, response.json
    assert "amount" in response.json["error"]["fields"]
    assert staff.get(f"/customers/{customer['id']}/wallet").json["items"] == []


def test_unknown_urls_under_the_prefix_stay_json_when_the_host_registers_a_404_handler(
    make_app, recorder
):
    app = make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth()])

    @app.errorhandler(404)
    def host_not_found(error):
        return "<h1>The shop has no such page</h1>", 404

    @app.errorhandler(405)
    def host_wrong_method(error):
        return "<h1>No</h1>", 405

    @app.route("/shop")
    def shop():
        return "shop"

    client = app.test_client()
    response = client.get(PREFIX + "/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    wrong = Staff(app).put("/customers")
    assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]
    host_page = client.get("/missing")
    assert host_page.status_code == 404 and b"no such page" in host_page.data
    assert client.post("/shop").data == b"<h1>No</h1>"


def test_the_example_host_answers_json_for_unknown_api_urls(make_host):
    client = make_host().test_client()
    response = client.get(PREFIX + "/no-such-endpoint")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert client.get("/no-such-page").content_type.startswith("text/html")
