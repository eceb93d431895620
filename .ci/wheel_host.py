"""A tiny host shop for .ci/wheel-check, run from a clean virtual environment outside the
checkout: every module of the installed package imports, and the app answers the API.

``python wheel_host.py imports`` imports every module; ``python wheel_host.py api`` answers
API requests (after ``flask customers db upgrade`` created the tables) and the admin's page;
``FLASK_APP=wheel_host`` gives the ``flask customers`` commands. ``CI_DATABASE_URI`` names
the database.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import pkgutil
import sys
from pathlib import Path
from typing import Any

from flask import Flask

import customers_plugin
from customers_plugin import CustomersPlugin, hookimpl

TOKEN = "Bearer wheel-check"
# alembic runs env.py itself (it needs alembic's context); it is exercised by db upgrade
NOT_IMPORTABLE = {"customers_plugin.migrations.env"}
PLUGINS = {"fraud_network", "loyalty_points", "profile_conditions", "sms_gateway"}


class Host:
    @hookimpl
    def authorize(self, request: Any, permission: str, store_id: str) -> bool:
        return request.headers.get("Authorization") == TOKEN


def create_app() -> Flask:
    app = Flask("wheel_host")
    app.config["CUSTOMERS_DATABASE_URI"] = os.environ["CI_DATABASE_URI"]
    app.config["CUSTOMERS_PLUGINS"] = [Host()]
    app.config["CUSTOMERS_ADMIN_URL_PREFIX"] = "/admin"  # the optional admin, from the wheel
    CustomersPlugin(app)
    return app


app = create_app()


def check_imports() -> None:
    package = Path(customers_plugin.__file__).parent
    if Path.cwd() in package.parents or "site-packages" not in package.parts:
        sys.exit(f"customers_plugin comes from {package}, not from the installed wheel")
    names = [customers_plugin.__name__]
    for module in pkgutil.walk_packages(customers_plugin.__path__, "customers_plugin."):
        names.append(module.name)
    for name in names:
        if name not in NOT_IMPORTABLE:
            importlib.import_module(name)
    for required in ("customers_plugin.services.imports.runner", "customers_plugin.migrations"):
        if required not in names:
            sys.exit(f"{required} is missing from the installed package")
    print(f"wheel-check: {len(names)} modules of customers_plugin import")


def check_api() -> None:
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and spec.json["openapi"].startswith("3"), spec.status_code
    refused = client.get("/api/v1/customers", headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 403, refused.status_code
    listed = client.get("/api/v1/customers", headers={"Authorization": TOKEN})
    assert listed.status_code == 200 and listed.json["items"] == [], listed.get_data(True)
    arabic = client.get(
        "/api/v1/customers", headers={"Authorization": "Bearer wrong", "Accept-Language": "ar"}
    )
    assert arabic.headers["Content-Language"] == "ar", arabic.headers
    assert arabic.json["error"]["message"] == "ليست لديك الصلاحية customers.read", arabic.json
    print(
        "wheel-check: the host answers /openapi.json, refuses a wrong token (in Arabic too: "
        "the catalogs ship), lists /customers"
    )
    page = client.get("/admin/customers", headers={"Accept-Language": "ar"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'dir="rtl"' in html and "العملاء" in html, page.status_code
    for name in ("app.js", "admin.css", "work.css", "customers/list.js", "screens/groups.js"):
        asset = client.get(f"/admin/static/{name}")
        assert asset.status_code == 200 and asset.data, name
        asset.close()
    print("wheel-check: the admin's page, modules, styles and Arabic catalog ship in the wheel")


def check_plugins() -> None:
    found = {ep.name: ep for ep in importlib.metadata.entry_points(group="customers_plugin")}
    missing = PLUGINS - set(found)
    if missing:
        sys.exit(f"entry points not found: {sorted(missing)}")
    registered = {name for name, _plugin in app.extensions["customers"].pm.list_name_plugin()}
    for name in PLUGINS:
        found[name].load()
        if name not in registered:
            sys.exit(f"the plugin {name} is installed but not registered by CustomersPlugin")
    print(f"wheel-check: plugins {sorted(PLUGINS)} found by entry point and registered")


if __name__ == "__main__":
    {"imports": check_imports, "api": check_api, "plugins": check_plugins}[sys.argv[1]]()
