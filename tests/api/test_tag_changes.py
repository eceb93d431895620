"""Renaming or deleting a tag announces ``customer_updated`` (field ``tags``) to each wearer
and re-evaluates their groups (conditions match tags by name): inside the request for a few
wearers, through ``announce_tag_change`` jobs for many (inline, and under a real RQ worker)."""

from __future__ import annotations

import json
import uuid
import zlib
from typing import Any

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from customers_plugin import hookimpl
from customers_plugin.services import tags
from tests.conftest import REDIS_URL

from .conftest import BearerAuth, Staff

VIP_GROUP = {"match": "all", "conditions": [{"field": "tag", "op": "eq", "value": "vip"}]}


class Memberships:
    """Records ``group_membership_changed``."""

    def __init__(self) -> None:
        self.changes: list[tuple[list[str], list[str]]] = []

    @hookimpl
    def group_membership_changed(self, store_id, group_id, added_ids, removed_ids) -> None:
        self.changes.append((sorted(added_ids), sorted(removed_ids)))


@pytest.fixture
def memberships() -> Memberships:
    return Memberships()


@pytest.fixture
def app(make_app: Any, recorder: Any, memberships: Memberships) -> Any:
    return make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth(), memberships])


def _setup(app: Any, wearers: int) -> tuple[Staff, list[str], str, str, str]:
    """``wearers`` customers tagged vip and gold, one tagged gold only, a vip-tag group."""
    staff = Staff(app)
    ids = [
        staff.create(email=f"w{i}@example.com", tags=["VIP", "gold"])["id"] for i in range(wearers)
    ]
    other = staff.create(email="other@example.com", tags=["gold"])["id"]
    tag_id = next(t["id"] for t in staff.get("/tags").json["items"] if t["name"] == "VIP")
    group = staff.post("/groups", json={"name": "VIPs", "conditions": VIP_GROUP}).json
    return staff, ids, other, tag_id, group["id"]


def _tag_updates(recorder: Any) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    out = {}
    for call in recorder.named("customer_updated"):
        [change] = call["changes"]
        assert change.field == "tags"
        out[call["customer"].id] = (change.old, change.new)
    return out


def _members(staff: Staff, group_id: str) -> int:
    return staff.get(f"/groups/{group_id}").json["members_count"]


def test_renaming_a_tag_announces_each_wearer_and_moves_them_out_of_its_groups(
    app, recorder, memberships
):
    staff, ids, other, tag_id, group_id = _setup(app, 3)
    assert _members(staff, group_id) == 3
    recorder.calls.clear()
    renamed = staff.patch(f"/tags/{tag_id}", json={"name": "Platinum"})
    assert renamed.status_code == 200 and renamed.json["customers_count"] == 3
    assert _tag_updates(recorder) == {
        i: (("VIP", "gold"), ("Platinum", "gold")) for i in ids
    }  # the gold-only customer is not announced
    assert other not in _tag_updates(recorder)
    assert _members(staff, group_id) == 0  # the group asks for the tag named vip
    assert memberships.changes[-1] == ([], sorted(ids))
    recorder.calls.clear()
    assert staff.patch(f"/tags/{tag_id}", json={"name": "Platinum"}).status_code == 200
    assert recorder.named("customer_updated") == []  # same name: nothing changed


def test_deleting_a_tag_announces_each_wearer_without_it(app, recorder):
    staff, ids, _other, tag_id, group_id = _setup(app, 2)
    assert _members(staff, group_id) == 2
    recorder.calls.clear()
    assert staff.delete(f"/tags/{tag_id}").status_code == 204
    assert _tag_updates(recorder) == {i: (("VIP", "gold"), ("gold",)) for i in ids}
    assert staff.get(f"/customers/{ids[0]}").json["tags"][0]["name"] == "gold"
    assert _members(staff, group_id) == 0


def test_a_rename_that_fails_announces_nothing(app, recorder):
    staff, _ids, _other, tag_id, group_id = _setup(app, 2)
    recorder.calls.clear()
    clash = staff.patch(f"/tags/{tag_id}", json={"name": "GOLD"})
    assert clash.status_code == 409
    assert recorder.named("customer_updated") == []
    assert _members(staff, group_id) == 2


def test_many_wearers_are_announced_by_jobs(app, recorder, monkeypatch):
    monkeypatch.setattr(tags, "TAG_CHANGE_INLINE", 2)
    monkeypatch.setattr(tags, "TAG_CHANGE_CHUNK", 2)
    staff, ids, _other, tag_id, group_id = _setup(app, 5)
    assert _members(staff, group_id) == 5
    recorder.calls.clear()
    submitted: list[tuple[str, tuple]] = []
    real_submit = app.extensions["customers"].jobs.submit

    def spy(name, *args, **kwargs):
        submitted.append((name, args))
        return real_submit(name, *args, **kwargs)

    monkeypatch.setattr(app.extensions["customers"].jobs, "submit", spy)
    assert staff.delete(f"/tags/{tag_id}").status_code == 204
    assert [len(args[3]) for name, args in submitted if name == "announce_tag_change"] == [
        2,
        2,
        1,
    ]
    assert _tag_updates(recorder) == {i: (("VIP", "gold"), ("gold",)) for i in ids}
    assert _members(staff, group_id) == 0  # the jobs re-evaluated the groups


@pytest.mark.redis
def test_under_rq_the_jobs_carry_ids_and_tag_names_only(make_app, recorder, monkeypatch):
    monkeypatch.setattr(tags, "TAG_CHANGE_INLINE", 1)
    queue_name = f"customers-test-{uuid.uuid4().hex[:8]}"
    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth()],
        CUSTOMERS_REDIS_URL=REDIS_URL,
        CUSTOMERS_QUEUE=queue_name,
    )
    queue = app.extensions["customers"].jobs.queue

    def work() -> None:
        with app.app_context():
            SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(
                burst=True
            )

    try:
        staff, ids, _other, tag_id, group_id = _setup(app, 3)
        work()  # the group's first refresh
        assert _members(staff, group_id) == 3
        recorder.calls.clear()
        assert staff.patch(f"/tags/{tag_id}", json={"name": "Platinum"}).status_code == 200
        assert recorder.named("customer_updated") == []  # not inside the request
        assert _members(staff, group_id) == 3  # nor the groups: the job does both
        [job] = queue.get_jobs()
        stored = zlib.decompress(queue.connection.hget(job.key, "data"))
        assert json.loads(stored)[2] == [
            "announce_tag_change",
            ["a", "VIP", "Platinum", sorted(ids)],
        ]
        assert b"@example.com" not in stored
        work()
        assert _tag_updates(recorder) == {i: (("VIP", "gold"), ("Platinum", "gold")) for i in ids}
        assert _members(staff, group_id) == 0
    finally:
        queue.delete(delete_jobs=True)
