"""Run by ``test_streaming`` in a fresh interpreter (no pytest log capture, no threads left by
other tests): imports files of growing size into the given database and prints the
``tracemalloc`` peak of each run as JSON."""

from __future__ import annotations

import json
import sys
import tracemalloc
from pathlib import Path

from flask import Flask

from customers_plugin import CustomersPlugin
from customers_plugin.services import imports


def write_file(path: Path, rows: int, prefix: str, first: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("email,phone,name,country,tags\r\n")
        for i in range(rows):
            out.write(f"{prefix}{i}@example.com,+9665{first + i:08d},ليلى {i},SA,t{i % 7}\r\n")
    return path


def peak_of_import(state: object, path: Path) -> int:
    with open(path, "rb") as upload:
        started = imports.start_import(
            state, "s1", imports.ImportOptions(), upload=upload, enqueue=False
        )
    tracemalloc.start()
    try:
        result = imports.run_batch(state, started["id"])
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result["status"] == "done" and result["errors"] == 0, result
    return peak


def main(url: str, folder: str, sizes: list[int]) -> None:
    app = Flask("memory_probe")
    app.config.update(
        CUSTOMERS_DATABASE_URI=url,
        CUSTOMERS_LOAD_ENTRY_POINTS=False,
        CUSTOMERS_TRANSFER_FOLDER=folder,
        CUSTOMERS_IMPORT_CHUNK_ROWS=200,
    )
    CustomersPlugin(app)
    state = app.extensions["customers"]
    peaks = []
    first = 0
    for n, rows in enumerate(sizes):
        peaks.append(
            peak_of_import(state, write_file(Path(folder) / f"{n}.csv", rows, f"f{n}_", first))
        )
        first += rows
    state.db.dispose()
    print(json.dumps(peaks))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], [int(n) for n in sys.argv[3].split(",")])
