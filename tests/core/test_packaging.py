"""The built wheel carries every module of the package and the migrations (the top-level
folder maps into the package as ``customers_plugin.migrations``)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [wheel] = out.glob("customers_plugin-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_wheel_ships_the_migrations(wheel_names):
    assert "customers_plugin/migrations/env.py" in wheel_names
    assert "customers_plugin/migrations/script.py.mako" in wheel_names
    assert "customers_plugin/migrations/versions/0001_core_tables.py" in wheel_names
    assert not any(
        name.startswith(("migrations/", "hooks/", "tests/", "examples/", "benchmarks/"))
        for name in wheel_names
    )


def test_wheel_ships_every_module_of_the_checkout(wheel_names):
    in_checkout = {
        path.relative_to(ROOT).as_posix() for path in (ROOT / "customers_plugin").rglob("*.py")
    } | {
        "customers_plugin/migrations/" + path.relative_to(ROOT / "migrations").as_posix()
        for path in (ROOT / "migrations").rglob("*.py")
    }
    assert in_checkout - wheel_names == set()
