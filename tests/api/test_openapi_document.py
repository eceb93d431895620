"""The OpenAPI document says what the server does: who may call each operation, what each
answers (CSV as CSV), what each accepts (bounds, formats, enums, which bodies are required),
and every route under the prefix is in it. The server is as strict as the document (booleans
and integers in JSON bodies are JSON booleans and integers)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask_smorest import Blueprint

from customers_plugin.api import get_api
from customers_plugin.schemas.common import Money
from tests.api.conftest import PREFIX

METHODS = {"get", "post", "put", "patch", "delete"}
# operations that callers other than staff make (each proves itself another way)


@pytest.fixture
def document(api_app: Flask) -> dict[str, Any]:
    return api_app.test_client().get(f"{PREFIX}/openapi.json").json


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _op(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return document["paths"][PREFIX + path][method]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _param(operation: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in operation["parameters"] if p["name"] == name)


def test_every_route_under_the_prefix_is_in_the_document(api_app, document):
    documented = {(path, method.upper()) for path, method, _operation in _operations(document)}
    routes = set()
    for rule in api_app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/") or rule.rule == f"{PREFIX}/openapi.json":
            continue
        # <name>, <uuid:name>, <string(maxlength=16):name> -> {name}
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
        routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - documented == set()
    assert len(routes) >= 50


def test_admin_operations_declare_the_staff_scheme_and_their_permission(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["staff"]["type"] == "http" and schemes["staff"]["scheme"] == "bearer"
    admin = [
        (path, method, op)
        for path, method, op in _operations(document)
        if not path.startswith(NOT_STAFF)
    ]
    assert len(admin) >= 50
    for path, method, op in admin:
        assert op["security"] == [{"staff": []}], (method, path)
        assert op["x-permission"].count(".") == 1, (method, path)
        assert {"401", "403"} <= set(op["responses"]), (method, path)
    assert _op(document, "post", "/exports")["x-permission"] == "customers.export"
    assert _op(document, "delete", "/groups/{group_id}")["x-permission"] == "groups.manage"


# the storefront (the shopper), a provider's signed webhook and the signed unsubscribe link
NOT_STAFF = tuple(f"{PREFIX}{p}" for p in ("/me/", "/deliveries/", "/unsubscribe/", "/inbound/"))


def test_message_routes_without_staff_declare_their_signature_or_none(document):
    webhook = _op(document, "post", "/deliveries/{channel}")
    assert webhook["security"] == [{"deliverySignature": []}]
    assert "401" in webhook["responses"] and "x-permission" not in webhook
    assert document["components"]["securitySchemes"]["deliverySignature"]["in"] == "header"
    for method in ("get", "post"):
        link = _op(document, method, "/unsubscribe/{token}")
        assert link["security"] == [{}], method  # anyone holding the signed link
        assert "401" not in link["responses"] and "x-permission" not in link


def test_storefront_operations_declare_the_shopper_session_or_the_review_link(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["shopper"] == {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": schemes["shopper"]["description"],
    }
    assert schemes["reviewLink"]["in"] == "query" and schemes["reviewLink"]["name"] == "token"
    storefront = [
        (path, method, op)
        for path, method, op in _operations(document)
        if path.startswith(f"{PREFIX}/me/")
    ]
    assert len(storefront) == 17
    for path, method, op in storefront:
        expected = [{"shopper": []}]
        if path.endswith("/reviews/pending"):
            expected = [{"reviewLink": []}, {"shopper": []}]
        assert op["security"] == expected, (method, path)
        assert "401" in op["responses"] and "x-permission" not in op


@pytest.mark.parametrize(
    "path",
    [
        "/exports/customers.csv",
        "/imports/template.csv",
        "/imports/{batch_id}/report.csv",
        "/exports/{export_id}/file",
    ],
)
def test_csv_downloads_are_documented_as_csv(document, path):
    content = _op(document, "get", path)["responses"]["200"]["content"]
    assert list(content) == ["text/csv"]
    assert content["text/csv"]["schema"] == {"type": "string"}


def test_the_photo_is_documented_as_an_image(document):
    content = _op(document, "get", "/customers/{customer_id}/photo")["responses"]["200"]["content"]
    assert list(content) == ["image/jpeg", "image/png", "image/gif", "image/webp"]


def test_an_import_takes_a_multipart_file_or_json_emails(document):
    body = _op(document, "post", "/imports")["requestBody"]
    assert body["required"] is True
    form = _resolve(document, body["content"]["multipart/form-data"]["schema"])
    assert form["properties"]["file"]["type"] == "string"
    assert form["properties"]["file"]["format"] == "binary"
    assert form["properties"]["dry_run"]["type"] == "boolean"
    as_json = _resolve(document, body["content"]["application/json"]["schema"])
    assert as_json["required"] == ["emails"] and "file" not in as_json["properties"]


def test_page_sizes_and_cursors_are_bounded_as_the_server_bounds_them(api_app, document):
    maximum = api_app.config["CUSTOMERS_MAX_PAGE_SIZE"]
    for path, _method, op in _operations(document):
        for param in op.get("parameters", []):
            if param["name"] == "limit" and not path.endswith("/tags"):
                assert param["schema"]["maximum"] == maximum, path
                assert param["schema"]["minimum"] == 1, path
            if param["name"] == "cursor":
                assert param["schema"]["pattern"] == "^[A-Za-z0-9_-]+={0,2}$", path
                assert param["schema"]["maxLength"] == 2048, path


def test_sort_parameters_name_their_keys(document):
    sort = _param(_op(document, "get", "/customers"), "sort")["schema"]
    assert "joined_at" in sort["pattern"] and "total_spent" in sort["pattern"]
    members = _param(_op(document, "get", "/groups/{group_id}/members"), "sort")["schema"]
    assert "added_at" in members["pattern"]


def test_field_types_are_an_enum_of_the_registered_types(document):
    body = _op(document, "post", "/fields")["requestBody"]["content"]["application/json"]
    kind = _resolve(document, body["schema"])["properties"]["type"]
    assert {"text", "number", "date", "url"} <= set(kind["enum"])


def test_amounts_carry_their_bounds_in_their_pattern(document):
    text = str(document)
    assert "x-minimum" not in text and "x-maximum" not in text
    schemas = document["components"]["schemas"]
    amount = schemas["WalletTransactionIn"]["properties"]["amount"]
    assert amount["type"] == "string"
    assert not _matches(amount["pattern"], "0") and not _matches(amount["pattern"], "0.000")
    assert _matches(amount["pattern"], "0.001") and _matches(amount["pattern"], "10.5")
    assert not _matches(amount["pattern"], "-1")
    non_negative = Money.PATTERNS["non_negative"]
    assert not _matches(non_negative, "-1") and _matches(non_negative, "0")


def _matches(pattern: str, text: str) -> bool:
    import re

    return re.search(pattern, text) is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/exports"), ("patch", "/fields/{field_id}"), ("patch", "/groups/{group_id}")],
)
def test_bodies_with_nothing_required_are_optional(document, method, path):
    assert _op(document, method, path)["requestBody"]["required"] is False


def test_bodies_with_required_fields_are_required(document):
    assert _op(document, "post", "/fields")["requestBody"]["required"] is True
    assert _op(document, "post", "/customers/bulk")["requestBody"]["required"] is True


def test_json_booleans_and_integers_are_strict(staff):
    assert staff.post("/groups", json={"name": "VIP", "free_shipping": 0}).status_code == 422
    assert staff.post("/groups", json={"name": "VIP", "free_shipping": "true"}).status_code == 422
    made = staff.post("/fields", json={"label": "Size", "type": "text", "position": "3"})
    assert made.status_code == 422
    assert staff.post("/groups", json={"name": "VIP", "free_shipping": True}).status_code == 201


def test_amounts_in_json_are_decimal_strings(staff):
    customer = staff.create(email="wallet@example.com")
    path = f"/customers/{customer['id']}/wallet/transactions"
    body = {"type": "credit", "reason": "gift", "idempotency_key": "k1"}
    assert staff.post(path, json={**body, "amount": 10}).status_code == 422
    assert staff.post(path, json={**body, "amount": "1e2"}).status_code == 422
    assert staff.post(path, json={**body, "amount": "10.50"}).status_code == 201


def test_query_booleans_still_read_as_text(staff):
    assert staff.get("/customers", query_string={"include_total": "true"}).status_code == 200


def test_unknown_urls_under_the_prefix_answer_json_even_after_a_host_404_handler(api_app):
    @api_app.errorhandler(404)
    def host_page(_error: Exception) -> Any:
        return "<h1>host page</h1>", 404

    client = api_app.test_client()
    headers = {"Authorization": "Bearer a:*"}
    response = client.get(f"{PREFIX}/customers/not-an-id", headers=headers)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert client.get("/elsewhere").get_data(as_text=True) == "<h1>host page</h1>"
    wrong = client.put(f"{PREFIX}/customers", headers=headers)
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_a_paginated_blueprint_documents_its_header_as_a_json_string(api_app):
    blp = Blueprint("paged", __name__)

    @blp.route("/paged")
    @blp.response(200)
    @blp.paginate()
    def paged(pagination_parameters: Any) -> Any:
        return []

    get_api(api_app).register_blueprint(blp, url_prefix="/paged")
    document = api_app.test_client().get(f"{PREFIX}/openapi.json").json
    header = document["components"]["headers"]["PAGINATION"]
    assert header["schema"] == {"type": "string"}
    assert "JSON" in header["description"]


def test_the_inbound_email_webhook_declares_its_signature_and_raw_body(document):
    operation = _op(document, "post", "/inbound/email")
    assert operation["security"] == [{"inboundSignature": []}]
    assert "x-permission" not in operation
    scheme = document["components"]["securitySchemes"]["inboundSignature"]
    assert (scheme["in"], scheme["name"]) == ("header", "X-Customers-Signature")
    assert _param(operation, "X-Customers-Timestamp")["required"] is True
    body = operation["requestBody"]
    assert body["required"] is True
    assert set(body["content"]) == {"message/rfc822", "application/octet-stream"}
    assert {"200", "201", "202", "401", "404", "413", "415"} <= set(operation["responses"])


def test_the_timeline_kind_is_the_pattern_of_the_registered_kinds(document):
    kind = _param(_op(document, "get", "/customers/{customer_id}/timeline"), "kind")
    assert kind["schema"]["type"] == "array"
    pattern = kind["schema"]["items"]["pattern"]
    assert pattern.startswith("^(activity|booking|form|message|note|order|task)(,(")


def test_every_operation_declares_who_may_call_it(document):
    schemes = set(document["components"]["securitySchemes"])
    for path, method, op in _operations(document):
        assert op.get("security"), (method, path)
        assert {name for requirement in op["security"] for name in requirement} <= schemes


def test_the_document_is_whole_for_every_first_reader_and_grows_with_later_blueprints(api_app):
    """Operations are documented when the document is first read: threads reading it at once
    all get the whole of it, and a blueprint mounted after a read appears in the next."""
    api = get_api(api_app)
    assert api._undocumented  # nothing documented yet: building an app does not pay for it
    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda _i: len(api.spec.to_dict()["paths"]), range(4)))
    assert len(set(counts)) == 1 and counts[0] > 50

    blp = Blueprint("later", __name__)

    @blp.route("/later")
    @blp.response(200)
    def later() -> Any:
        return {}

    api.register_blueprint(blp, url_prefix="/later")
    document = api_app.test_client().get(f"{PREFIX}/openapi.json").json
    assert f"{PREFIX}/later/later" in document["paths"]
    assert len(document["paths"]) == counts[0] + 1
    assert "later" in {tag["name"] for tag in document["tags"]}
