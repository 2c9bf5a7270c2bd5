"""`reload` through click against the loopback stand-in: exactly the experiments whose metrics read what
the run rebuilt, with exactly those metric ids; idempotent through Statsig's load history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from reload_support import (
    EXPECTED_LOADS,
    loads,
    seed_statsig,
    write_project,
    write_run,
)
from support import KEY, without_read_line

from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig, Fault

FINISHED_MS = 1779271205000  # GENERATED_AT in milliseconds


@pytest.fixture
def project(tmp_path: Path, fake: FakeStatsig) -> Path:
    seed_statsig(fake)
    return write_project(tmp_path)


def invoke(fake: FakeStatsig, project: Path, *args: str) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    command = ["reload", "--project-dir", str(project), "--page-size", "2", *args]
    return CliRunner().invoke(main, command, env=env, catch_exceptions=False)


def reload_json(fake: FakeStatsig, project: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = invoke(fake, project, "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {experiment["id"]: experiment["outcome"] for experiment in report["experiments"]}


def posts(fake: FakeStatsig) -> int:
    return fake.count("POST")


def test_reload_requests_exactly_the_affected_metrics_of_exactly_the_affected_experiments(
    fake: FakeStatsig, project: Path
) -> None:
    """Purchases were built and sessions' upstream was: the experiments on their metrics (by name, by
    ratio denominator, by tag, hidden) load exactly those metrics; clicks' experiment, the stopped one
    and the one on the failed refunds are not touched."""
    code, report = reload_json(fake, project)
    assert code == 0
    assert loads(fake) == {name: ("metric", ids) for name, ids in EXPECTED_LOADS.items()}
    assert outcomes(report) == {
        "exp_hidden": "requested",
        "exp_ratio": "requested",
        "exp_refunds": "skipped",
        "exp_revenue": "requested",
        "exp_tagged": "requested",
    }
    prefix = "/console/v1/experiments/"
    touched = {r.path.removeprefix(prefix).split("/")[0] for r in fake.requests if r.path.startswith(prefix)}
    assert touched == {"exp_hidden", "exp_ratio", "exp_revenue", "exp_tagged"}
    tagged = next(e for e in report["experiments"] if e["id"] == "exp_tagged")
    assert tagged["held_back_metric_ids"] == ["Refund Rate::user_warehouse"]
    assert tagged["message"] == "Experiment is loading."


def test_the_json_names_every_rebuilt_source_every_affected_metric_and_the_failed_source(
    fake: FakeStatsig, project: Path
) -> None:
    _, report = reload_json(fake, project)
    assert [(s["name"], s["status"], s["reloaded"]) for s in report["sources"]] == [
        ("purchases", "built", True),
        ("refunds", "error", False),
        ("sessions", "upstream", True),
    ]
    refunds = report["sources"][1]
    assert refunds["message"] == 'Database Error in model statsig_refunds column "refunded_at" does not exist'
    assert report["sources"][2]["upstream"] == ["model.shop.fct_sessions"]
    assert [(m["id"], m["hidden"], m["sources"]) for m in report["metrics"]] == [
        ("Hidden Purchases::user_warehouse", True, ["purchases"]),
        ("Items per Session::user_warehouse", False, ["sessions"]),
        ("Purchase Revenue::user_warehouse", False, ["purchases"]),
        ("Tagged Orders::user_warehouse", False, ["purchases"]),
    ]
    assert [m["id"] for m in report["held_back_metrics"]] == ["Refund Rate::user_warehouse"]
    assert report["run"] == {
        "run_results": str(project / "target" / "run_results.json"),
        "command": "dbt build",
        "finished": "2026-05-20T10:00:05+00:00",
        "full_refresh": False,
        "missing_views": [],
        "missing_elsewhere": [],
    }
    assert report["summary"] == {
        "requested": 4,
        "would_request": 0,
        "already_loaded": 0,
        "refused": 0,
        "skipped": 1,
    }


def test_a_long_dbt_message_is_shortened_at_a_whole_word_and_says_so(
    fake: FakeStatsig, project: Path
) -> None:
    results_path = project / "target" / "run_results.json"
    results = json.loads(results_path.read_text())
    # A Jinja compile error in a wide model: dbt quotes the whole SQL it could not compile.
    long = "Compilation Error in model statsig_refunds\n  " + " ".join(
        f"column_number_{i}" for i in range(60)
    )
    for result in results["results"]:
        if result["status"] == "error":
            result["message"] = long + "\n  > in macro statsig_source"
    results_path.write_text(json.dumps(results))
    _, report = reload_json(fake, project)
    message = report["sources"][1]["message"]
    kept, _, tail = message.partition(" … ")
    assert tail == "(shortened; dbt's log holds the whole message)"
    assert len(kept) <= 400 and long.replace("\n  ", " ").startswith(kept)
    assert kept.split()[-1] == f"column_number_{len(kept.split()) - 6}"  # a whole word, never cut
    text = invoke(fake, project).stdout
    assert f"{kept} … (shortened; dbt's log holds the whole message)" in text


def test_the_text_report_names_what_changed_what_failed_and_each_experiment(
    fake: FakeStatsig, project: Path
) -> None:
    result = invoke(fake, project)
    assert result.exit_code == 0, result.output
    results = project / "target" / "run_results.json"
    assert without_read_line(result.stdout) == (
        f"Run: `dbt build`, finished 2026-05-20 10:00:05 UTC ({results}).\n"
        "Changed: 2 metric source(s): purchases (statsig_purchases), "
        "sessions (statsig_sessions, upstream rebuilt: fct_sessions).\n"
        "Not reloaded: refunds (statsig_refunds): its build failed: Database Error in model "
        'statsig_refunds column "refunded_at" does not exist.\n'
        "Metrics: 4 read them: Hidden Purchases::user_warehouse, Items per Session::user_warehouse, "
        "Purchase Revenue::user_warehouse, Tagged Orders::user_warehouse.\n"
        "Refresh: metric (only the metrics that read the rebuilt sources).\n"
        "Experiments: 5 running use them: 4 to request, 0 already loaded, 1 skipped.\n"
        "skipped: exp_refunds: its metrics read only sources whose build failed or was skipped (refunds)\n"
        "requested: exp_hidden (refresh=metric: Hidden Purchases::user_warehouse)\n"
        "requested: exp_ratio (refresh=metric: Items per Session::user_warehouse)\n"
        "requested: exp_revenue (refresh=metric: Purchase Revenue::user_warehouse)\n"
        "requested: exp_tagged (refresh=metric: Tagged Orders::user_warehouse)\n"
        "Reload: 4 requested, 0 already loaded, 0 refused, 1 skipped.\n"
    )


def test_markdown_lists_sources_and_experiments_in_tables(fake: FakeStatsig, project: Path) -> None:
    result = invoke(fake, project, "--format", "markdown")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "### Statsig result loads"
    assert "| `refunds` | `statsig_refunds` | not reloaded: its build failed: Database Error in model " in (
        "\n".join(lines)
    )
    assert (
        "| `exp_ratio` | requested | metric | `Items per Session::user_warehouse` | Experiment is loading. |"
        in lines
    )
    assert "| `sessions` | `statsig_sessions` | upstream rebuilt: fct_sessions |" in lines
    assert lines[-1] == "Reload: 4 requested, 0 already loaded, 0 refused, 1 skipped."


def test_a_rerun_for_the_same_run_results_requests_nothing(fake: FakeStatsig, project: Path) -> None:
    assert invoke(fake, project).exit_code == 0
    first = posts(fake)
    code, report = reload_json(fake, project)
    assert (code, posts(fake) - first) == (0, 0)
    assert set(outcomes(report).values()) == {"already_loaded", "skipped"}
    revenue = next(e for e in report["experiments"] if e["id"] == "exp_revenue")
    assert revenue["message"].startswith("Statsig has a metric load created ")
    assert revenue["message"].endswith(" (success), after the run finished")


@pytest.mark.parametrize(
    ("history", "requested"),
    [
        ([{"createdTime": FINISHED_MS - 60_000, "finishedState": "success"}], True),
        ([{"createdTime": FINISHED_MS + 60_000, "finishedState": "failure"}], True),
        ([{"createdTime": FINISHED_MS + 60_000, "finishedState": "cancelled"}], True),
        ([{"createdTime": FINISHED_MS + 60_000, "finishedState": "timeout"}], True),
        ([{"createdTime": FINISHED_MS + 60_000, "finishedState": "partial_failure"}], False),
        ([{"createdTime": FINISHED_MS + 60_000}], False),
        ([{"createdTime": FINISHED_MS + 60_000, "finishedState": "success"}], False),
    ],
    ids=["before-the-run", "failed", "cancelled", "timed-out", "partial", "still-running", "loaded"],
)
def test_only_a_load_after_the_run_that_did_not_fail_counts_as_done(
    fake: FakeStatsig, project: Path, history: list[dict[str, Any]], requested: bool
) -> None:
    record = {"startDs": "2026-05-01", "endDs": "2026-05-20", "reloadType": "full", "turboMode": False}
    fake.seed_load_history("exp_revenue", [{**record, **load} for load in history])
    _, report = reload_json(fake, project)
    assert outcomes(report)["exp_revenue"] == ("requested" if requested else "already_loaded")
    assert ("exp_revenue" in loads(fake)) is requested


def test_a_dry_run_reads_the_history_and_writes_nothing(fake: FakeStatsig, project: Path) -> None:
    result = invoke(fake, project, "--dry-run")
    assert result.exit_code == 0
    assert posts(fake) == 0
    assert fake.count("GET", "/pulse_load_history") == 4
    assert "would request: exp_revenue (refresh=metric: Purchase Revenue::user_warehouse)\n" in result.stdout
    assert result.stdout.endswith(
        "Dry run: 4 load(s) would be requested, 0 already loaded, 1 skipped; nothing was sent to Statsig.\n"
    )
    code, report = reload_json(fake, project, "--dry-run")
    assert (code, posts(fake), report["dry_run"]) == (0, 0, True)
    assert report["summary"]["would_request"] == 4


def test_a_full_refresh_run_reloads_in_full(fake: FakeStatsig, project: Path) -> None:
    write_run(project, full_refresh=True, command="dbt build --full-refresh")
    _, report = reload_json(fake, project)
    assert loads(fake) == {name: ("full", []) for name in EXPECTED_LOADS}
    assert report["refresh"] == {
        "mode": "full",
        "reason": "`dbt build --full-refresh` rebuilt with --full-refresh",
    }
    [query] = {str(sorted(r.query.items())) for r in fake.requests if r.method == "POST"}
    assert query == "[('refresh', 'full')]"


def test_refresh_forces_a_mode_for_every_experiment(fake: FakeStatsig, project: Path) -> None:
    reload_json(fake, project, "--refresh", "incremental")
    assert loads(fake) == {name: ("incremental", []) for name in EXPECTED_LOADS}


def test_metric_ids_go_in_the_query_and_the_body(fake: FakeStatsig, project: Path) -> None:
    fake.seed_experiments([{"id": "exp_two", "primaryMetrics": [*_two_refs()]}])
    reload_json(fake, project)
    [post] = [r for r in fake.requests if r.method == "POST" and "exp_two" in r.path]
    assert post.body == {
        "refresh": "metric",
        "metricIDs": ["Hidden Purchases::user_warehouse", "Purchase Revenue::user_warehouse"],
    }
    assert loads(fake)["exp_two"] == ("metric", post.body["metricIDs"])  # the stand-in checked they agree


def _two_refs() -> list[dict[str, str]]:
    return [
        {"name": "Purchase Revenue", "type": "user_warehouse"},
        {"name": "Hidden Purchases", "type": "user_warehouse"},
    ]


def test_throttled_loads_are_retried_within_the_limits(fake: FakeStatsig, project: Path) -> None:
    fake.inject(
        Fault("status", status=429, retry_after="0", method="POST", path_contains="/load_pulse", times=3)
    )
    code, report = reload_json(fake, project)
    assert code == 0
    assert fake.count("POST", status=429) == 3
    assert set(loads(fake)) == set(EXPECTED_LOADS)
    assert report["summary"]["requested"] == 4


def test_loads_throttled_past_the_retries_stop_with_a_remote_error(fake: FakeStatsig, project: Path) -> None:
    fake.inject(
        Fault("status", status=429, retry_after="0", method="POST", path_contains="/load_pulse", times=99)
    )
    result = invoke(fake, project, "--format", "json")
    assert result.exit_code == 3
    assert fake.count("POST") == 5  # the client's five attempts, then the command stops
    assert "Statsig kept failing: POST /experiments/exp_hidden/load_pulse" in result.stderr
    assert "HTTP 429 after 5 attempt(s)" in result.stderr
    assert result.stdout == ""


def test_a_refused_experiment_is_reported_and_the_others_go_on(fake: FakeStatsig, project: Path) -> None:
    fake.refuse_loads("exp_ratio", "Experiment exp_ratio is not running.")
    result = invoke(fake, project)
    assert result.exit_code == 1
    assert set(loads(fake)) == set(EXPECTED_LOADS) - {"exp_ratio"}
    assert (
        "refused: exp_ratio: Statsig refused POST /experiments/exp_ratio/load_pulse?refresh=metric&"
        "metricIDs=Items+per+Session%3A%3Auser_warehouse (HTTP 400): Experiment exp_ratio is not running.\n"
    ) in result.stdout
    assert result.stdout.endswith("Reload: 3 requested, 0 already loaded, 1 refused, 1 skipped.\n")


def test_an_experiment_whose_history_statsig_refuses_is_refused_and_the_others_go_on(
    fake: FakeStatsig, project: Path
) -> None:
    fake.inject(Fault("status", status=404, method="GET", path_contains="/exp_ratio/pulse_load_history"))
    code, report = reload_json(fake, project)
    assert code == 1
    ratio = next(e for e in report["experiments"] if e["id"] == "exp_ratio")
    assert (ratio["outcome"], ratio["message"]) == (
        "refused",
        "Statsig refused GET /experiments/exp_ratio/pulse_load_history?page=1&limit=2 (HTTP 404): "
        "Injected failure.",
    )
    assert set(loads(fake)) == set(EXPECTED_LOADS) - {"exp_ratio"}


def test_select_reloads_the_named_sources_without_run_results(tmp_path: Path, fake: FakeStatsig) -> None:
    seed_statsig(fake)
    project = write_project(tmp_path, run_results=False)
    code, report = reload_json(fake, project, "--select", "statsig_clicks")
    assert code == 0
    assert report["run"] is None
    assert [(s["name"], s["status"]) for s in report["sources"]] == [("clicks", "selected")]
    assert loads(fake) == {
        "exp_clicks": ("metric", ["Clicks::user_warehouse"]),
        "exp_ratio": ("metric", ["Items per Session::user_warehouse"]),
        "exp_revenue": ("metric", ["Clicks::user_warehouse"]),
    }
    # No idempotence check without a run: the history is read only to recognise a load whose answer
    # is lost, once before each load (and never in a dry run).
    assert fake.count("GET", "/pulse_load_history") == 3
    reload_json(fake, project, "--select", "statsig_clicks", "--dry-run")
    assert fake.count("GET", "/pulse_load_history") == 3


def test_select_of_an_unknown_source_is_an_input_error_naming_the_known_ones(
    fake: FakeStatsig, project: Path
) -> None:
    result = invoke(fake, project, "--select", "orders", "--select", "purchases", "--select", "carts")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --select names no metric source in the manifest: carts, orders "
        "(its sources: clicks, purchases, refunds, sessions).\n"
    )
    assert fake.requests == []


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (None, "Error: There is no run_results.json at {results}: reload reads the run results of"),
        (
            {"invocation_id": "another"},
            "Error: {results} was written by another dbt invocation than the manifest: reload reads",
        ),
        ({"which": "compile"}, "Error: {results} was written by `dbt compile`, which builds nothing: reload"),
    ],
    ids=["missing", "another-invocation", "compile"],
)
def test_without_trustworthy_run_results_reload_is_an_input_error(
    tmp_path: Path, fake: FakeStatsig, run: dict[str, str] | None, expected: str
) -> None:
    seed_statsig(fake)
    project = write_project(tmp_path, run_results=run is not None, **(run or {}))
    result = invoke(fake, project)
    assert result.exit_code == 2
    assert result.stderr.startswith(expected.format(results=project / "target" / "run_results.json"))
    assert result.stderr.rstrip().endswith("or name the sources to reload with --select.")
    assert fake.requests == []


def test_a_run_that_changed_no_source_sends_no_request(tmp_path: Path, fake: FakeStatsig) -> None:
    seed_statsig(fake)
    project = write_project(tmp_path, {"model.shop.statsig_refunds": "skipped"})
    result = invoke(fake, project)
    assert result.exit_code == 0
    assert without_read_line(result.stdout).splitlines()[1:] == [
        "Changed: no metric source, so there is nothing to reload.",
        "Not reloaded: refunds (statsig_refunds): its build was skipped.",
        "Reload: 0 requested, 0 already loaded, 0 refused, 0 skipped.",
    ]
    assert fake.requests == []


def test_reads_are_one_pass_over_metrics_and_experiments_plus_one_history_read_per_experiment(
    fake: FakeStatsig, project: Path
) -> None:
    invoke(fake, project)
    gets = [r.path.removeprefix("/console/v1") for r in fake.requests if r.method == "GET"]
    assert gets.count("/metrics/list") == 3  # 6 metrics, 2 a page
    assert gets.count("/experiments") == 3  # 6 running experiments, 2 a page
    assert sorted(path for path in gets if "history" in path) == [
        f"/experiments/{name}/pulse_load_history" for name in sorted(EXPECTED_LOADS)
    ]
    assert len(gets) == 3 + 3 + 4 and posts(fake) == 4


def test_the_key_never_appears_even_when_statsig_echoes_it_in_a_refusal(
    fake: FakeStatsig, project: Path
) -> None:
    fake.refuse_loads("exp_ratio", f"Key {KEY} may not load experiment results.")
    for fmt in ("text", "json", "markdown"):
        result = invoke(fake, project, "--format", fmt, "--select", "sessions")
        assert result.exit_code == 1
        assert "may not load experiment results." in result.output
        assert KEY not in result.output
