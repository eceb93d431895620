"""The built wheel carries the migrations (the top-level folder maps into the package)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_the_migrations(tmp_path):
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
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("customers_plugin-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "customers_plugin/migrations/env.py" in names
    assert "customers_plugin/migrations/script.py.mako" in names
    assert "customers_plugin/migrations/versions/0001_core_tables.py" in names
    assert not any(name.startswith(("migrations/", "hooks/", "tests/")) for name in names)
