"""The REST API: one flask-smorest ``Api`` per app (config prefix ``CUSTOMERS_``, so a host's
own flask-smorest is untouched), blueprints mounted under ``CUSTOMERS_URL_PREFIX`` and the
OpenAPI document at ``{prefix}/openapi.json``.

Other modules add their endpoints by appending ``(blueprint, path)`` to ``BLUEPRINTS`` before
the app is initialised, or later with ``get_api(app).register_blueprint(...)``; wrap their
blueprints with ``api.errors.install`` and their views with ``security.require`` (which also
documents the operation's security: see ``api.openapi``). Shared pieces: ``api.errors`` (error
shape), ``api.common`` (scope, page size), ``api.openapi`` (document hooks), ``security``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask_smorest import Api, Blueprint

from ..schemas.common import ErrorSchema, Money
from ..services.attachments import LocalAttachments
from . import addresses as addresses_api
from . import catalog, customers, errors, groups, history, openapi, storefront
from . import coupons as coupons_api
from . import exports as exports_api
from . import imports as imports_api
from . import inbound as inbound_api
from . import merges as merges_api
from . import messages as messages_api
from . import notes as notes_api
from . import orders as orders_api
from . import permissions as permissions_api
from . import privacy as privacy_api
from . import review_requests as review_requests_api
from . import self_service as self_service_api
from . import settings as settings_api
from . import tasks as tasks_api
from . import timeline as timeline_api
from . import wallet as wallet_api
from . import wishlist as wishlist_api
from .bodies import limit_body
from .common import API_STATE_KEY, ApiState

if TYPE_CHECKING:
    from ..state import CustomersState

# (blueprint, path under the prefix)
BLUEPRINTS: list[tuple[Blueprint, str]] = [
    (customers.blp, "/customers"),
    (history.blp, "/customers"),
    (addresses_api.blp, "/customers"),
    (timeline_api.blp, "/customers"),
    (catalog.tags_blp, "/tags"),
    (catalog.fields_blp, "/fields"),
    (groups.blp, "/groups"),
    (groups.customer_groups_blp, "/customers"),
    (wishlist_api.blp, ""),
    (tasks_api.blp, ""),
    (wallet_api.blp, "/customers"),
    (notes_api.blp, ""),
    (inbound_api.blp, ""),
    (messages_api.blp, ""),
    (merges_api.blp, ""),
    (review_requests_api.blp, "/customers"),
    (privacy_api.blp, "/customers"),
    (orders_api.blp, "/customers"),
    (coupons_api.blp, "/customers"),
    (privacy_api.requests_blp, "/erasure-requests"),
    (storefront.blp, "/me"),
    (self_service_api.blp, "/me"),
    (imports_api.blp, "/imports"),
    (exports_api.blp, "/exports"),
    (permissions_api.blp, "/permissions"),
    (settings_api.blp, "/settings"),
]

_BODY_OVERHEAD = 64 * 1024


class CustomersApi(Api):
    """flask-smorest's Api with the plugin's error shape, kept inside the plugin's URLs, and
    the document hooks of ``api.openapi`` on every blueprint.

    flask-smorest registers an app-wide ``HTTPException`` handler; this one does not touch the
    host's errors: blueprints get their own handlers and routing errors (404, 405 with an
    ``Allow`` header) are answered in the error shape only under the API prefix. flask-smorest
    documents its ``X-Pagination`` header with an object schema while it sends a JSON string:
    here it is documented as a string.
    """

    ERROR_SCHEMA = ErrorSchema

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # blueprints mounted but not yet in the document (see ``spec``)
        self._undocumented: list[tuple[Blueprint, str, Any]] = []
        self._documenting = threading.Lock()
        super().__init__(*args, **kwargs)

    @property
    def spec(self) -> Any:
        """The OpenAPI document, its operations added on first use: documenting the
        blueprints costs about 120 ms, two thirds of building an app, which most apps (a
        worker, a test) never spend. Operations, tags and components come out in the order
        of an eager registration."""
        if self._undocumented:
            with self._documenting:  # another thread waits for the whole document
                while self._undocumented:
                    blp, name, parameters = self._undocumented[0]
                    blp.register_views_in_doc(
                        self, self._app, self._spec, name=name, parameters=parameters
                    )
                    self._spec.tag({"name": name, "description": blp.description})
                    del self._undocumented[0]
        return self._spec

    @spec.setter
    def spec(self, value: Any) -> None:
        self._spec = value

    def _register_error_handlers(self) -> None:
        errors.install_routing_handlers(self._app, self.url_prefix)

    def _register_pagination_header(self) -> None:
        self.spec.components.header("PAGINATION", openapi.PAGINATION_HEADER, lazy=True)

    @property
    def url_prefix(self) -> str:
        return self._app.config["CUSTOMERS_URL_PREFIX"].rstrip("/")

    def register_blueprint(self, blp: Blueprint, *, parameters: Any = None, **options: Any) -> None:
        errors.install(blp)
        openapi.install_blueprint_hook(blp)
        if "url_prefix" in options:
            options["url_prefix"] = self.url_prefix + options["url_prefix"]
        # flask-smorest's registration, its documentation deferred to ``spec``
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))


def register_api(app: Flask, state: CustomersState) -> CustomersApi:
    """Create this app's Api, mount the blueprints and install the built-in attachment store."""
    config = app.config
    prefix = config["CUSTOMERS_URL_PREFIX"].rstrip("/")
    # flask-smorest's own settings, under the plugin's prefix (a host may override them)
    config.setdefault("CUSTOMERS_API_TITLE", "Customers")
    config.setdefault("CUSTOMERS_API_VERSION", "1")
    config.setdefault("CUSTOMERS_OPENAPI_VERSION", "3.0.3")
    config.setdefault("CUSTOMERS_OPENAPI_URL_PREFIX", prefix or "/")
    config.setdefault("CUSTOMERS_OPENAPI_JSON_PATH", "openapi.json")
    api = CustomersApi(app, config_prefix="CUSTOMERS_")
    # amounts travel as decimal strings: document them so (ranges become x-minimum/x-maximum)
    api.register_field(Money, "string", "decimal")
    app.extensions[API_STATE_KEY] = ApiState(api=api, state=state)
    openapi.install(api, app, lambda: app.extensions[API_STATE_KEY].field_types)
    upload_limit = int(config["CUSTOMERS_MAX_UPLOAD_BYTES"]) + _BODY_OVERHEAD
    for blp, path in BLUEPRINTS:
        api.register_blueprint(blp, url_prefix=path)
        app.before_request_funcs.setdefault(blp.name, []).append(
            lambda limit=upload_limit: _set_body_limit(limit)
        )
    folder = config["CUSTOMERS_ATTACHMENTS_FOLDER"] or f"{app.instance_path}/customers_attachments"
    if not state.pm.has_plugin("customers.attachments"):
        state.pm.register(LocalAttachments(folder), name="customers.attachments")
    return api


def _set_body_limit(limit: int) -> None:
    limit_body(limit)


def get_api(app: Flask) -> CustomersApi:
    """The app's Api (to register more blueprints)."""
    return app.extensions[API_STATE_KEY].api
