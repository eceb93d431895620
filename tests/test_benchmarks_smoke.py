"""The benchmark suite runs end to end at a tiny size (a smoke test; real runs are by hand)."""

from __future__ import annotations

from benchmarks.__main__ import main


def test_list_and_hook_benchmarks_run_at_a_tiny_size(capsys):
    argv = ["--smoke", "--backend", "sqlite", "--backend", "postgresql", "--only", "list"]
    assert main([*argv, "--only", "hooks"]) == 0
    table = capsys.readouterr().out
    for measure in (
        "list page, default sort",
        "list page, search by phone",
        "hook on_order_placed, new customer",
    ):
        assert table.count(measure) >= 2, measure  # once per backend


def test_worker_benchmark_runs_at_a_tiny_size(capsys):
    assert main(["--smoke", "--backend", "postgresql", "--only", "workers"]) == 0
    table = capsys.readouterr().out
    assert "events applied per second, 2 RQ worker(s)" in table
