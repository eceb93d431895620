"""The benchmark suite runs end to end at a tiny size (a smoke test; real runs are by hand)."""

from __future__ import annotations

from benchmarks.__main__ import main


def test_benchmark_suite_runs_at_a_tiny_size(capsys):
    assert main(["--smoke", "--backend", "sqlite", "--backend", "postgresql"]) == 0
    table = capsys.readouterr().out
    for measure in (
        "list page, default sort",
        "list page, search by phone",
        "hook on_order_placed, new customer",
    ):
        assert table.count(measure) >= 2, measure  # once per backend
