"""``/permissions``: what the caller may do on their store, so a front end (the optional admin
among them) shows only the buttons that will work. The API still checks every call."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from .. import security
from ..schemas.common import PermissionsOut
from .errors import install

blp = install(
    Blueprint("permissions", __name__, description="What the calling staff member may do.")
)


@blp.route("", methods=["GET"])
@security.require(security.READ)
@blp.response(200, PermissionsOut)
def my_permissions() -> Any:
    """The permissions the caller holds on their store, ``customers.read`` among them (a
    member of staff without it may use nothing here)."""
    return {
        "store_id": security.current_store_id(),
        "staff": security.current_staff(),
        "permissions": security.held(),
    }
