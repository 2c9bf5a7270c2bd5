"""build_plan and its renderers: a pure diff of desired payloads against Statsig's sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import MARKER, source

from statsig_sources.registration.plan import Action, FieldChange, build_plan
from statsig_sources.registration.plan_items import managed_payload
from statsig_sources.registration.report import render_json, render_markdown, render_text
from statsig_sources.registration.sources import diff
from statsig_sources.standin.server import SOURCE_DEFAULTS
from statsig_sources.support.errors import InputError


def remote(name: str, **fields: Any) -> dict[str, Any]:
    """A source as Statsig answers it: our payload plus the defaults it fills in."""
    stored = {**SOURCE_DEFAULTS, **managed_payload(source(name), MARKER)}
    return {**stored, **fields}


@pytest.mark.parametrize(
    ("desired", "remote_sources", "adopt", "expected"),
    [
        ([source("a")], [], set(), [("a", Action.CREATE)]),
        ([source("a")], [remote("a")], set(), [("a", Action.UNCHANGED)]),
        ([source("a", sql="select 2")], [remote("a")], set(), [("a", Action.UPDATE)]),
        ([], [remote("a")], set(), [("a", Action.ORPHANED)]),
        ([], [remote("a", tags=["other"])], set(), []),
        ([source("a")], [remote("a", tags=["hand-made"])], set(), [("a", Action.BLOCKED)]),
        ([source("a")], [remote("a", tags=["hand-made"])], {"a"}, [("a", Action.UPDATE)]),
        (
            [source("b"), source("a")],
            [remote("z"), remote("a")],
            set(),
            [("b", Action.CREATE), ("a", Action.UNCHANGED), ("z", Action.ORPHANED)],
        ),
    ],
    ids=["create", "unchanged", "update", "orphaned", "foreign-ignored", "blocked", "adopted", "mixed"],
)
def test_build_plan_classifies_each_source(
    desired: list[dict[str, Any]],
    remote_sources: list[dict[str, Any]],
    adopt: set[str],
    expected: list[tuple[str, Action]],
) -> None:
    plan = build_plan(desired, remote_sources, MARKER, adopt)
    assert [(item.name, item.action) for item in plan.items] == expected


@pytest.mark.parametrize(
    ("remote_fields", "changed"),
    [
        ({"tags": [MARKER, "analytics"]}, []),
        ({"sql": "select user_id, ts from statsig_staging.a\n"}, []),
        ({"idTypeMapping": [{"column": "user_id", "statsigUnitID": "userID"}]}, []),
        ({"owner": {"ownerEmail": "a@x.io", "ownerID": "u1", "ownerType": "USER"}}, []),
        ({"owner": None}, ["owner"]),
        ({"isReadOnly": False}, ["isReadOnly"]),
        ({"tags": ["analytics"]}, ["tags"]),
        ({"timestampColumn": "event_ts"}, ["timestampColumn"]),
        ({"idTypeMapping": [{"column": "user_id", "statsigUnitID": "stableID"}]}, ["idTypeMapping"]),
    ],
    ids=[
        "tag-order",
        "sql-trailing-newline",
        "mapping-key-order",
        "owner-extras-filled-in",
        "owner-dropped",
        "not-read-only",
        "marker-missing",
        "timestamp",
        "unit-type",
    ],
)
def test_diff_compares_only_fields_we_set_after_normalising(
    remote_fields: dict[str, Any], changed: list[str]
) -> None:
    intended = managed_payload(source("a", owner={"ownerEmail": "a@x.io"}), MARKER)
    stored = remote("a", **{"owner": {"ownerEmail": "a@x.io"}, **remote_fields})
    assert [change.field for change in diff(intended, stored)] == changed


def test_every_payload_carries_the_marker_and_is_read_only() -> None:
    payload = managed_payload(source("a", tags=["x", MARKER]), MARKER)
    assert payload["tags"] == ["x", MARKER]
    assert payload["isReadOnly"] is True


def test_update_lists_field_level_changes() -> None:
    plan = build_plan([source("a", timestampColumn="ts2")], [remote("a")], MARKER, set())
    assert plan.items[0].changes == (FieldChange("timestampColumn", "ts", "ts2"),)
    assert plan.has_changes


@pytest.mark.parametrize(
    ("desired", "adopt", "message"),
    [
        ([source("a"), source("a")], set(), "two desired sources are named 'a'"),
        ([{"sql": "x"}], set(), "a desired source has no name (#1)"),
        ([source("a")], {"b"}, "--adopt 'b': no desired source or metric has that name"),
    ],
)
def test_build_plan_refuses_ambiguous_input(
    desired: list[dict[str, Any]], adopt: set[str], message: str
) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_plan(desired, [], MARKER, adopt)


def sample_plan() -> Any:
    remote_sources = [remote("b"), remote("c", tags=["manual"]), remote("gone")]
    desired = [source("a"), source("b", sql="select 2"), source("c"), source("d")]
    return build_plan(desired, remote_sources + [remote("d")], MARKER, set())


def test_text_report_lists_changes_terraform_style() -> None:
    assert render_text(sample_plan()) == (
        f"Statsig metric sources (marker {MARKER}): "
        "1 to create, 1 to update, 1 unchanged, 1 orphaned, 1 blocked.\n"
        "! blocked c\n"
        f'    tags: ["manual"] -> ["analytics", "{MARKER}"]\n'
        f"    a source named 'c' exists in Statsig without the marker '{MARKER}'; "
        "pass --adopt 'c' to manage it\n"
        "+ create a\n"
        "~ update b\n"
        "    --- sql (Statsig)\n"
        "    +++ sql (dbt)\n"
        "    @@ -1 +1 @@\n"
        "    -select user_id, ts from statsig_staging.b\n"
        "    +select 2\n"
        "- orphaned gone\n"
        "    carries the marker but is no longer declared in dbt\n"
        "Orphaned sources are kept; `apply --prune` deletes those no metric uses.\n"
    )


def test_json_report_is_only_json() -> None:
    report = json.loads(render_json(sample_plan()))
    assert report["summary"] == {"create": 1, "update": 1, "unchanged": 1, "orphaned": 1, "blocked": 1}
    assert report["has_changes"] is True
    assert report["items"][1]["changes"] == [
        {"field": "sql", "before": "select user_id, ts from statsig_staging.b", "after": "select 2"}
    ]


def test_markdown_report_suits_a_pull_request_comment() -> None:
    report = render_markdown(sample_plan(), read="Read target/manifest.json: dbt project shop.")
    assert report.startswith(
        "### Statsig metric sources plan\n\nRead target/manifest.json: dbt project shop.\n\n"
        f"Marker `{MARKER}`: 1 to create, 1 to update, 1 unchanged, 1 orphaned, 1 blocked.\n\n"
        "**Blocked: source `c`.** `apply` leaves it as Statsig holds it and exits 1, so this plan fails "
        "CI.\n\n"
        "| | action | source | detail |\n|---|---|---|---|\n| ! | blocked | `c` |"
    )
    assert "| + | create | `a` |  |" in report
    assert "| ~ | update | `b` | `sql` |" in report
    assert (
        "```diff\n--- sql (Statsig)\n+++ sql (dbt)\n@@ -1 +1 @@\n"
        "-select user_id, ts from statsig_staging.b\n+select 2\n```"
    ) in report
    assert '```diff\n- tags: ["manual"]\n+ tags: ["analytics", "' in report
    assert render_markdown(build_plan([], [], MARKER, set())).endswith("No changes.\n")


def test_the_documented_defaults_are_the_ones_plan_and_the_stand_in_use() -> None:
    """docs/registration.md's table of what Statsig fills in is the one both sides read."""
    from statsig_sources.registration.sources import REMOTE_DEFAULTS
    from statsig_sources.standin.state import SOURCE_DEFAULTS
    from statsig_sources.statsig.remote_defaults import default_origin, source_defaults

    docs = (Path(__file__).resolve().parents[2] / "docs" / "registration.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1:4] for line in docs.splitlines() if line.startswith("| `")]
    table = {
        name.strip(" `"): (json.loads(value.strip(" `")), origin.strip())
        for name, value, origin in rows
        if name.strip(" `") in source_defaults()
    }
    expected = {name: (value, default_origin(name)) for name, value in source_defaults().items()}
    assert table == expected
    assert REMOTE_DEFAULTS == SOURCE_DEFAULTS == source_defaults()
    assert default_origin("isVerified") == "OpenAPI example"
