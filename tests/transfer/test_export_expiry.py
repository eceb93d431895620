"""Export files expire: ``expires_at`` = written + ``CUSTOMERS_EXPORT_TTL_DAYS``; the sweep
marks the export ``expired`` and deletes its file; the download then answers 410 in the API's
error shape; a duplicate run of the job does not write the file again."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from customers_plugin.models import ExportJob
from customers_plugin.services import exports, sweeps
from customers_plugin.services.imports.storage import export_path
from tests.api.conftest import PREFIX, BearerAuth, Staff


@pytest.fixture
def export_app(make_app: Any, recorder: Any, tmp_path: Any) -> Any:
    return make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth()],
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer"),
    )


def _export(app: Any) -> tuple[Staff, str, dict[str, Any]]:
    staff = Staff(app, "a")
    staff.create(email="sara@example.sa", name="سارة")
    started = staff.post("/exports", json={"columns": ["email", "name"]})
    assert started.status_code == 202, started.json
    export_id = started.json["id"]
    return staff, export_id, staff.get(f"/exports/{export_id}").json  # done: ran inline


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_a_finished_export_expires_after_the_ttl_and_its_download_answers_410(export_app):
    state = export_app.extensions["customers"]
    staff, export_id, job = _export(export_app)
    assert job["status"] == "done"
    expires_at = _when(job["expires_at"])
    assert expires_at - _when(job["finished_at"]) == dt.timedelta(days=7)
    path = export_path(state, export_id)
    download = staff.get(f"/exports/{export_id}/file")
    assert download.status_code == 200 and "سارة" in download.data.decode("utf-8-sig")
    download.close()

    early = expires_at - dt.timedelta(seconds=1)
    assert sweeps.sweep(state, early)["exports_expired"] == 0
    assert path.exists() and staff.get(f"/exports/{export_id}").json["status"] == "done"

    assert sweeps.sweep(state, expires_at)["exports_expired"] == 1
    assert sweeps.sweep(state, expires_at)["exports_expired"] == 0  # once
    assert not path.exists()
    assert staff.get(f"/exports/{export_id}").json["status"] == "expired"
    gone = staff.get(f"/exports/{export_id}/file")
    assert gone.status_code == 410
    assert gone.json["error"]["code"] == "export_expired"
    assert gone.json["error"]["message"] == (
        f"this export expired on {expires_at:%Y-%m-%d} and its file was deleted: start a new export"
    )
    assert staff.as_("b").get(f"/exports/{export_id}/file").status_code == 404


def test_a_duplicate_run_of_an_expired_export_does_not_write_its_file_again(export_app):
    state = export_app.extensions["customers"]
    _staff, export_id, job = _export(export_app)
    exports.expire_exports(state, _when(job["expires_at"]))
    assert state.jobs.submit("run_export", export_id)["status"] == "expired"
    assert not export_path(state, export_id).exists()


def test_exports_not_finished_or_without_a_ttl_are_left_alone(make_app, tmp_path):
    app = make_app(
        CUSTOMERS_PLUGINS=[BearerAuth()],
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer"),
        CUSTOMERS_EXPORT_TTL_DAYS=None,
    )
    state = app.extensions["customers"]
    _staff, kept_id, job = _export(app)
    assert job["expires_at"] is None
    with state.db.transaction() as session:  # a job that is still running
        running = ExportJob(id=uuid.uuid4(), store_id="a", params={}, status="running")
        session.add(running)
    far = dt.datetime.now(dt.UTC) + dt.timedelta(days=3650)
    assert exports.expire_exports(state, far) == []
    assert export_path(state, kept_id).exists()


def test_the_openapi_document_lists_the_410_of_the_download(export_app):
    doc = export_app.test_client().get(f"{PREFIX}/openapi.json").json
    responses = doc["paths"][f"{PREFIX}/exports/{{export_id}}/file"]["get"]["responses"]
    assert {"200", "409", "410"} <= set(responses)
    out = doc["components"]["schemas"]["ExportOut"]["properties"]
    assert "expired" in out["status"]["description"] and "expires_at" in out
