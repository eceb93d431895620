"""The merchant's side of the example host: ``customers_plugin.admin`` mounted at ``/admin/``,
and the staff sign-in it relies on (``/staff/sign-in``). The demo has no passwords: a member of
staff picks one of the stores' roles (owner, staff, read-only; the same roles as the API
tokens, ``stores.py``), and the browser session remembers it. The admin page then calls the
plugin's REST API with that session cookie; ``stores.HostServices.authorize`` decides."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from customers_plugin.admin import init_admin

from . import views
from .stores import ROLES, STAFF_SESSION

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(views.check_csrf)


def mount(app: Flask) -> None:
    """The plugin's admin at /admin/ (after ``CustomersPlugin(app)``) and the sign-in."""
    app.config.setdefault("CUSTOMERS_ADMIN_SIGN_IN_URL", "/staff/sign-in")
    init_admin(app, url_prefix="/admin")
    app.register_blueprint(bp)


def _choices() -> list[tuple[Any, str]]:
    return [
        (store, role)
        for store in current_app.extensions["host_app_stores"].values()
        for role, _token in store.tokens()
    ]


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    if request.method == "POST":
        wanted = (request.form.get("store", ""), request.form.get("role", ""))
        if wanted[1] in ROLES and any((s.id, r) == wanted for s, r in _choices()):
            session[STAFF_SESSION] = list(wanted)
            return redirect(url_for("customers_admin.shell"), code=303)
        return render_template("staff_sign_in.html", choices=_choices(), error=True), 422
    return render_template("staff_sign_in.html", choices=_choices(), error=False)


@bp.post("/sign-out")
def sign_out() -> Response:
    session.pop(STAFF_SESSION, None)
    return redirect(url_for("staff.sign_in"), code=303)
