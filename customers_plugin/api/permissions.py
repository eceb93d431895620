"""``/permissions``: what the caller may do on their store, so a front end (the optional admin
among them) shows only the buttons that will work. The API still checks every call."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from .. import security
from ..schemas.common import PermissionsOut
from .errors import install
from .openapi import STAFF, declare_security

blp = install(
    Blueprint("permissions", __name__, description="What the calling staff member may do.")
)


@blp.route("", methods=["GET"])
@declare_security(STAFF)
@blp.response(200, PermissionsOut)
def my_permissions() -> Any:
    """The permissions the caller holds on their store (401 when the host knows nobody)."""
    store_id, permissions = security.held()
    return {"store_id": store_id, "staff": security.current_staff(), "permissions": permissions}
