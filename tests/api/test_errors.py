"""One error shape everywhere in the API, and nothing changed outside it."""

from __future__ import annotations

from flask import Flask

from customers_plugin import CustomersPlugin

from .conftest import PREFIX, BearerAuth, Staff


def test_unknown_url_under_the_prefix_answers_404_in_the_error_shape(staff):
    response = staff.get("/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert staff.get("/customers/not-a-uuid").status_code == 404


def test_wrong_method_answers_405_with_an_allow_header(staff):
    response = staff.put("/customers")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_invalid_json_answers_400_or_422_in_the_error_shape(staff):
    response = staff.post("/customers", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert "error" in response.json
    listed = staff.post("/customers", json=[1, 2])
    assert listed.status_code in (400, 422)
    assert "error" in listed.json


def test_overlong_and_nul_strings_answer_422_never_500(staff):
    for body in (
        {"email": "a@example.com", "name": "x" * 201},
        {"email": "a@example.com", "name": "a\x00b"},
        {"email": "a@example.com", "name": "\ud800"},
        {"email": "a@example.com", "birthdate": "0001-01-01"},
        {"email": "a@example.com", "custom_fields": {"nope": 1}},
    ):
        response = staff.post("/customers", json=body)
        assert response.status_code == 422, body
        assert response.json["error"]["fields"]


def test_errors_of_the_host_app_keep_the_hosts_own_handling(make_app):
    app = make_app()

    @app.route("/shop")
    def shop():
        return "shop"

    client = app.test_client()
    assert client.get("/missing").content_type.startswith("text/html")
    assert client.post("/shop").status_code == 405
    assert client.post("/shop").content_type.startswith("text/html")


def test_two_apps_in_one_process_keep_their_own_api(make_app, recorder):
    one = make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth()])
    two = make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth()], CUSTOMERS_URL_PREFIX="/admin/c")
    assert one.test_client().get(PREFIX + "/openapi.json").status_code == 200
    spec = two.test_client().get("/admin/c/openapi.json").json
    assert "/admin/c/customers" in spec["paths"]
    assert two.test_client().get(PREFIX + "/customers").status_code == 404
    assert one.extensions["customers_api"].api is not two.extensions["customers_api"].api
    assert Staff(one).get("/customers").status_code == 200


def test_the_openapi_document_describes_the_error_shape(staff):
    spec = staff.client.get(PREFIX + "/openapi.json").json
    error = spec["components"]["schemas"]["Error"]
    assert "error" in error["properties"]


def test_a_host_without_plugins_still_serves_the_document(tmp_path):
    app = Flask("bare")
    app.config["CUSTOMERS_DATABASE_URI"] = f"sqlite:///{tmp_path}/x.db"
    app.config["CUSTOMERS_LOAD_ENTRY_POINTS"] = False
    CustomersPlugin(app)
    assert app.test_client().get(PREFIX + "/openapi.json").status_code == 200
