"""Staff tasks through the REST API: create, read, list with filters and cursors, change,
delete; the store's timezone; the assignee from the host's staff list; the author from
``current_staff``; permissions; the activity log; another store's ids answer 404."""

from __future__ import annotations

import datetime as dt

import pytest

from customers_plugin.models import Activity
from customers_plugin.services.tasks.listing import today_in_utc
from customers_plugin.services.tasks.manage import store_zone

from .conftest import Clerk, new_customer, new_task


def _kinds(app, customer_id: str) -> list[str]:
    state = app.extensions["customers"]
    with state.db.session() as session:
        rows = session.query(Activity).filter_by(store_id="a").order_by(Activity.recorded_at)
        return [r.kind for r in rows if str(r.customer_id) == customer_id]


def test_a_due_time_without_offset_is_read_in_the_store_timezone_and_answered_in_utc(clerk):
    cid = new_customer(clerk)
    task = new_task(clerk, cid, due_at="2030-01-05T10:00:00", assignee_id="s2")
    assert task["due_at"] == "2030-01-05T07:00:00+00:00"  # Riyadh is UTC+3
    assert task["status"] == "open"
    assert task["assignee_id"] == "s2"
    assert task["created_by"] == "s1"
    assert task["done_at"] is None and task["reminded_at"] is None
    with_offset = new_task(clerk, cid, due_at="2030-01-05T10:00:00+01:00")
    assert with_offset["due_at"] == "2030-01-05T09:00:00+00:00"
    assert clerk.get(f"/tasks/{task['id']}").json == task


def test_an_assignee_the_host_does_not_list_is_refused_naming_assignee_id(clerk):
    cid = new_customer(clerk)
    response = clerk.post(
        f"/customers/{cid}/tasks",
        json={"title": "Call", "due_at": "2030-01-05T10:00:00", "assignee_id": "b1"},
    )
    assert response.status_code == 422
    assert "assignee_id" in response.json["error"]["fields"]
    task = new_task(clerk, cid)
    moved = clerk.patch(f"/tasks/{task['id']}", json={"assignee_id": "nobody"})
    assert moved.status_code == 422
    assert "assignee_id" in moved.json["error"]["fields"]


def test_any_assignee_is_taken_when_the_host_lists_no_staff(clerk, staff_host):
    staff_host.lists_staff = False
    cid = new_customer(clerk)
    assert new_task(clerk, cid, assignee_id="anyone")["assignee_id"] == "anyone"


def test_text_rule_and_bounds_are_checked(clerk):
    cid = new_customer(clerk)
    for body in (
        {"title": "", "due_at": "2030-01-05T10:00:00"},
        {"title": "   ", "due_at": "2030-01-05T10:00:00"},
        {"title": "a\x00b", "due_at": "2030-01-05T10:00:00"},
        {"title": "x" * 201, "due_at": "2030-01-05T10:00:00"},
        {"title": "ok", "due_at": "2030-01-05T10:00:00", "description": "d" * 5001},
        {"title": "ok", "due_at": "not a date"},
        {"title": "ok", "due_at": "0001-01-01T00:00:00"},
        {"title": "ok"},
        {"title": "ok", "due_at": "2030-01-05T10:00:00", "status": "done"},
    ):
        response = clerk.post(f"/customers/{cid}/tasks", json=body)
        assert response.status_code == 422, body


def test_done_undone_reassign_reschedule_and_edit_each_write_the_activity_log(clerk):
    cid = new_customer(clerk)
    task = new_task(clerk, cid, assignee_id="s1")
    url = f"/tasks/{task['id']}"
    done = clerk.patch(url, json={"status": "done"}).json
    assert done["status"] == "done" and done["done_at"] is not None
    undone = clerk.patch(url, json={"status": "open"}).json
    assert undone["status"] == "open" and undone["done_at"] is None
    assert clerk.patch(url, json={"assignee_id": "s2"}).json["assignee_id"] == "s2"
    moved = clerk.patch(url, json={"due_at": "2030-02-01T09:30:00"}).json
    assert moved["due_at"] == "2030-02-01T06:30:00+00:00"
    edited = clerk.patch(url, json={"title": "Call again", "description": "about the refund"})
    assert edited.json["title"] == "Call again"
    assert edited.json["description"] == "about the refund"
    assert clerk.patch(url, json={"title": "Call again"}).status_code == 200  # no change
    assert clerk.delete(url).status_code == 204
    assert clerk.get(url).status_code == 404
    assert _kinds(clerk.app, cid) == [
        "created",
        "task_created",
        "task_done",
        "task_reopened",
        "task_reassigned",
        "task_rescheduled",
        "task_edited",
        "task_deleted",
    ]


def test_the_acting_staff_member_is_the_actor_of_task_activity(clerk, tasks_app):
    cid = new_customer(clerk)
    task = new_task(Clerk(tasks_app, who="s2"), cid)
    clerk.patch(f"/tasks/{task['id']}", json={"status": "done"})
    state = tasks_app.extensions["customers"]
    with state.db.session() as session:
        actors = {
            r.kind: r.actor for r in session.query(Activity).filter(Activity.kind.like("task_%"))
        }
    assert actors == {"task_created": "s2", "task_done": "s1"}


def test_read_needs_customers_read_and_write_needs_customers_write(clerk, tasks_app):
    cid = new_customer(clerk)
    task = new_task(clerk, cid)
    reader = Clerk(tasks_app, perms="customers.read")
    assert reader.get(f"/tasks/{task['id']}").status_code == 200
    assert reader.get("/tasks").status_code == 200
    assert reader.get(f"/customers/{cid}/tasks").status_code == 200
    body = {"title": "x", "due_at": "2030-01-05T10:00:00"}
    assert reader.post(f"/customers/{cid}/tasks", json=body).status_code == 403
    assert reader.patch(f"/tasks/{task['id']}", json={"status": "done"}).status_code == 403
    assert reader.delete(f"/tasks/{task['id']}").status_code == 403
    writer = Clerk(tasks_app, perms="customers.write")
    assert writer.get("/tasks").status_code == 403
    anonymous = tasks_app.test_client()
    assert anonymous.get("/api/v1/tasks").status_code == 401


def test_another_stores_customer_and_task_answer_404(clerk, tasks_app):
    cid = new_customer(clerk)
    task = new_task(clerk, cid)
    other = Clerk(tasks_app, store="b", who="b1")
    body = {"title": "x", "due_at": "2030-01-05T10:00:00"}
    assert other.post(f"/customers/{cid}/tasks", json=body).status_code == 404
    assert other.get(f"/customers/{cid}/tasks").status_code == 404
    assert other.get(f"/tasks/{task['id']}").status_code == 404
    assert other.patch(f"/tasks/{task['id']}", json={"status": "done"}).status_code == 404
    assert other.delete(f"/tasks/{task['id']}").status_code == 404
    assert other.get("/tasks").json["items"] == []
    assert clerk.get(f"/tasks/{task['id']}").json["status"] == "open"


def test_the_list_is_in_due_order_with_a_keyset_cursor(clerk):
    cid = new_customer(clerk)
    made = [
        new_task(clerk, cid, title=f"t{i}", due_at=f"2030-01-{10 - i:02d}T10:00:00")
        for i in range(5)
    ]
    seen, cursor = [], None
    while True:
        page = clerk.get(
            "/tasks", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}
        )
        assert page.status_code == 200
        seen += [t["title"] for t in page.json["items"]]
        cursor = page.json["next_cursor"]
        if cursor is None:
            break
    assert seen == ["t4", "t3", "t2", "t1", "t0"]
    assert len(made) == 5
    bad = clerk.get("/tasks", query_string={"cursor": "bm9wZQ"})
    assert bad.status_code == 400  # a forged cursor is a bad request, as in every list


def test_filters_mine_assignee_status_overdue_and_due_today(clerk, tasks_app):
    cid = new_customer(clerk)
    other_cid = new_customer(clerk, "omar@example.sa")
    now = dt.datetime.now(dt.UTC)
    _start, end = today_in_utc(store_zone("Asia/Riyadh"), now)
    past = (now - dt.timedelta(days=3)).isoformat()
    future = (now + dt.timedelta(days=3)).isoformat()
    today = (now + (end - now) / 2).isoformat()  # later today: due today, not overdue yet
    late = new_task(clerk, cid, title="late", due_at=past, assignee_id="s1")
    done_late = new_task(clerk, cid, title="done late", due_at=past, assignee_id="s2")
    clerk.patch(f"/tasks/{done_late['id']}", json={"status": "done"})
    new_task(clerk, other_cid, title="later", due_at=future, assignee_id="s2")
    new_task(clerk, cid, title="today", due_at=today, assignee_id="s1")

    def titles(path: str = "/tasks", who: Clerk = clerk, **query: str) -> list[str]:
        response = who.get(path, query_string=query)
        assert response.status_code == 200, response.json
        return [t["title"] for t in response.json["items"]]

    assert titles(mine="true") == ["late", "today"]
    assert titles(who=Clerk(tasks_app, who="s2"), mine="true") == ["done late", "later"]
    assert titles(assignee_id="s2") == ["done late", "later"]
    assert titles(mine="true", assignee_id="s2") == []  # both filters hold: nobody's
    assert titles(status="done") == ["done late"]
    assert titles(overdue="true") == ["late"]
    assert "late" not in titles(overdue="false")
    assert titles(due_today="true") == ["today"]
    assert titles(f"/customers/{other_cid}/tasks") == ["later"]
    assert titles(f"/customers/{cid}/tasks", status="open") == ["late", "today"]
    assert late["assignee_id"] == "s1"


def test_mine_without_a_known_staff_member_is_refused(tasks_app, clerk):
    nobody = Clerk(tasks_app, who=None)
    response = nobody.get("/tasks", query_string={"mine": "true"})
    assert response.status_code == 422
    assert "mine" in response.json["error"]["fields"]
    cid = new_customer(clerk)
    assert new_task(nobody, cid)["created_by"] is None


def test_tasks_of_an_anonymised_customer_are_gone_and_deleting_removes_them(clerk):
    cid = new_customer(clerk)
    task = new_task(clerk, cid)
    assert clerk.post(f"/customers/{cid}/anonymize").status_code == 200
    assert clerk.get(f"/tasks/{task['id']}").status_code == 404
    cid2 = new_customer(clerk, "omar@example.sa")
    task2 = new_task(clerk, cid2)
    assert clerk.delete(f"/customers/{cid2}").status_code == 204
    assert clerk.get(f"/tasks/{task2['id']}").status_code == 404
    assert clerk.get("/tasks").json["items"] == []


def test_the_customer_export_holds_their_tasks(clerk):
    cid = new_customer(clerk)
    task = new_task(clerk, cid, description="bring the invoice")
    other = new_customer(clerk, "omar@example.sa")
    new_task(clerk, other, title="not hers")
    document = clerk.get(f"/customers/{cid}/export")
    assert document.status_code == 200
    assert [t["id"] for t in document.json["tasks"]] == [task["id"]]
    assert document.json["tasks"][0]["description"] == "bring the invoice"


def test_an_unknown_store_timezone_fails_when_the_app_starts(make_app):
    with pytest.raises(ValueError, match="CUSTOMERS_TIMEZONE"):
        make_app(CUSTOMERS_TIMEZONE="Mars/Olympus")
