"""The benchmark suite runs end to end at a tiny size (a smoke test; real runs are by hand)."""

from __future__ import annotations

from benchmarks.__main__ import main
from benchmarks.common import Result, growth, table


def test_list_and_hook_benchmarks_run_at_a_tiny_size(capsys):
    argv = ["--smoke", "--backend", "sqlite", "--backend", "postgresql", "--only", "list"]
    assert main([*argv, "--only", "hooks"]) == 0
    table = capsys.readouterr().out
    for measure in (
        "list page, default sort",
        "list page, search by phone",
        "request to an empty Flask view (the pages' fixed cost)",
        "hook on_order_placed, new customer",
    ):
        assert table.count(measure) >= 2, measure  # once per backend


def test_worker_benchmark_runs_at_a_tiny_size(capsys):
    assert main(["--smoke", "--backend", "postgresql", "--only", "workers"]) == 0
    table = capsys.readouterr().out
    assert "events applied per second, 2 RQ worker(s)" in table
    assert "hook return to group membership visible" in table


def test_group_and_transfer_benchmarks_run_at_a_tiny_size(capsys):
    assert (
        main(["--smoke", "--backend", "postgresql", "--only", "groups", "--only", "transfer"]) == 0
    )
    table = capsys.readouterr().out
    assert "group full refresh, 3 conditions" in table
    assert "per-event group re-evaluation, 50 groups" in table
    # import and export, each with its COPY floor and a ratio
    for line in (ln for ln in table.splitlines() if ln.startswith("| CSV ")):
        assert line.rstrip(" |").endswith("×"), line


def test_growth_gives_each_measure_by_size_and_the_factor():
    runs = [
        Result("page", "postgresql", 10_000, "ms", 2.0),
        Result("page", "postgresql", 1_000_000, "ms", 3.0),
        Result("import", "postgresql", 10_000, "rows/s", 5000.0),
    ]
    lines = growth(runs).splitlines()
    assert lines[0] == "| measure | backend | 10,000 | 1,000,000 | 10,000 → 1,000,000 |"
    assert lines[2] == "| page | postgresql | 2.00 ms | 3.00 ms | 1.50× |"
    assert lines[3] == "| import | postgresql | 5,000.00 rows/s |  |  |"


def test_timeline_benchmark_runs_at_a_tiny_size(capsys):
    assert main(["--smoke", "--backend", "postgresql", "--only", "timeline"]) == 0
    table = capsys.readouterr().out
    for measure in ("timeline first page (API)", "timeline page 31 by cursor (API)"):
        line = next(ln for ln in table.splitlines() if ln.startswith(f"| {measure} |"))
        assert line.rstrip(" |").endswith("×"), line  # measured beside its SQL floor


def test_peer_benchmark_runs_at_a_tiny_size(capsys):
    assert main(["--smoke", "--backend", "postgresql", "--only", "peer"]) == 0
    table = capsys.readouterr().out
    for measure in ("default sort", "search by name", "search by phone"):
        line = next(ln for ln in table.splitlines() if f"{measure}, beside Saleor" in ln)
        # our figure, its floor and ratio, then the peer's figure and ours over it
        assert line.count("×") == 2, line


def test_the_table_shows_the_peer_only_when_a_result_has_one():
    ours = Result("page", "postgresql", 100, "ms", 3.0, floor=1.5)
    assert "peer" not in table([ours])
    beside = Result("page", "postgresql", 100, "ms", 3.0, floor=1.5, peer=6.0)
    assert table([ours, beside]).splitlines()[-1].endswith("| 1.50 | 2.00× | 6.00 | 0.50× |")
    assert beside.as_dict()["peer_ratio"] == 0.5
