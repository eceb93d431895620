"""The documentation's code samples run: every ```python block preceded by a
``<!-- runnable -->`` line in README.md or docs/ is executed (in a temporary folder, so its
SQLite files land there), and the README's integration example is driven like a host would:
migrate, place an order, read it back through the API."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

ROOT = Path(__file__).resolve().parents[2]
RUNNABLE = re.compile(r"^<!-- runnable -->\n```python\n(.*?)^```", re.S | re.M)
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _samples() -> list[Any]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in RUNNABLE.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            name = f"{page.relative_to(ROOT)}:{line}"
            found.append(pytest.param(match.group(1), id=name))
    return found


SAMPLES = _samples()


def _run(code: str, name: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "docs_sample"}
    exec(compile(code, name, "exec"), namespace)
    return namespace


def _dispose(namespace: dict[str, Any]) -> None:
    for value in namespace.values():
        if isinstance(value, Flask) and "customers" in value.extensions:
            value.extensions["customers"].db.dispose()


def test_the_readme_and_the_site_have_runnable_samples():
    pages = {sample.id.split(":")[0] for sample in SAMPLES}
    assert "README.md" in pages
    assert len(SAMPLES) >= 4, [s.id for s in SAMPLES]


@pytest.mark.parametrize("code", SAMPLES)
def test_sample_runs(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = _run(code, "<sample>")
    _dispose(namespace)


def test_readme_example_works_as_pasted(tmp_path, monkeypatch):
    (code,) = [s.values[0] for s in SAMPLES if s.id.startswith("README.md")]
    monkeypatch.chdir(tmp_path)
    namespace = _run(code, "README.md")
    app: Flask = namespace["app"]
    try:
        upgrade = app.test_cli_runner().invoke(args=["customers", "db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        client = app.test_client()
        order = {"order_id": "1001", "total": "249.90", "email": "sara@example.sa"}
        assert client.post("/checkout", data=order).status_code == 201
        token = {"Authorization": "Bearer change-me"}
        (row,) = client.get("/api/v1/customers", headers=token).json["items"]
        assert (row["email"], row["total_spent"], row["currency"]) == (
            "sara@example.sa",
            "249.90",
            "SAR",
        )
        assert client.get("/api/v1/customers").status_code == 401
    finally:
        _dispose(namespace)
