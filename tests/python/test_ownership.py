"""Ownership is the exact marker of the project being applied: a declared tag cannot claim another
project's sources, and a `tags` that is not a list never matches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from manifest_fixtures import read_fixture, run_results_document
from support import KEY, source

from statsig_sources.cli import main
from statsig_sources.declaration.ownership import has_marker
from statsig_sources.registration.plan import Action, build_plan
from statsig_sources.registration.plan_items import managed_payload
from statsig_sources.standin import FakeStatsig
from statsig_sources.usage.join import ORPHANED, UNMANAGED, ManagedSource, build_usage

SHOP = "managed-by:statsig-sources:shop"
NODE = "model.shop.statsig_purchases"


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ([SHOP], True),
        (["revenue", SHOP], True),
        ([SHOP.upper()], False),
        ([SHOP + "-other"], False),
        (["managed-by:statsig-sources"], False),
        (SHOP, False),
        (f"revenue,{SHOP}", False),
        ({SHOP: True}, False),
        ([[SHOP]], False),
        (None, False),
    ],
    ids=[
        "exact",
        "among-others",
        "other-case",
        "longer-marker",
        "prefix-only",
        "string-equal",
        "string-containing",
        "object",
        "nested-list",
        "null",
    ],
)
def test_has_marker_matches_the_exact_marker_as_a_list_element_only(tags: Any, expected: bool) -> None:
    assert has_marker({"name": "x", "tags": tags}, SHOP) is expected


def test_a_remote_source_whose_tags_is_a_string_is_never_orphaned_nor_owned() -> None:
    remote = [{**source("theirs"), "tags": f"{SHOP},analytics"}, managed_payload(source("ours"), SHOP)]
    plan = build_plan([source("theirs")], remote, SHOP, set())
    assert [(item.action, item.name) for item in plan.items] == [
        (Action.BLOCKED, "theirs"),
        (Action.ORPHANED, "ours"),
    ]
    usage = build_usage(
        [ManagedSource("other", "m", "model.shop.m")],
        [
            {"id": "a", "name": "a", "warehouseNative": {"metricSourceName": "theirs"}},
            {"id": "b", "name": "b", "warehouseNative": {"metricSourceName": "ours"}},
        ],
        remote,
        SHOP,
    )
    assert [d.sources for d in usage.dangling] == [(("theirs", UNMANAGED),), (("ours", ORPHANED),)]


def _project_declaring(tmp_path: Path, tags: list[str]) -> Path:
    data = read_fixture("valid/postgres_production.json")
    data["nodes"][NODE]["config"]["meta"]["statsig"]["tags"] = tags
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "manifest.json").write_text(json.dumps(data))
    (tmp_path / "target" / "run_results.json").write_text(json.dumps(run_results_document(data)))
    return tmp_path


@pytest.mark.parametrize(
    ("tags", "options", "tag"),
    [
        (["managed-by:statsig-sources:checkout"], (), "managed-by:statsig-sources:checkout"),
        (["Managed-By:Statsig-Sources"], (), "Managed-By:Statsig-Sources"),
        (["team-x"], ("--marker", "team-x"), "team-x"),
    ],
    ids=["another-projects-marker", "prefix-in-another-case", "the-configured-marker"],
)
def test_apply_refuses_a_declared_marker_tag_before_any_request(
    fake: FakeStatsig, tmp_path: Path, tags: list[str], options: tuple[str, ...], tag: str
) -> None:
    project = _project_declaring(tmp_path, tags)
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    result = CliRunner().invoke(main, ["apply", "--project-dir", str(project), *options], env=env)
    assert result.exit_code == 1
    assert f"error: [reserved_tags] {NODE} (" in result.stdout
    assert f"meta.statsig.tags: `{tag}` looks like an ownership marker" in result.stdout
    assert result.stdout.endswith("apply refused: no request was sent to Statsig.\n")
    assert fake.requests == []


def test_prune_never_deletes_a_source_that_carries_another_projects_marker_too(
    fake: FakeStatsig, tmp_path: Path
) -> None:
    """A source that already carries two markers (declared before `reserved_tags` existed) is kept:
    its owner is unclear, so neither project's `apply --prune` deletes it."""
    other = "managed-by:statsig-sources:checkout"
    fake.seed_sources([managed_payload(source("shop_source", tags=[other]), SHOP)])
    project = _project_declaring(tmp_path, ["revenue"])
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    args = ["apply", "--project-dir", str(project), "--prune", "--marker", other]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1
    assert (
        f"- orphaned shop_source\n    carries the marker but is no longer declared in dbt; it also carries "
        f"{SHOP}, so it is never pruned\n"
    ) in result.stdout
    assert (
        f"blocked: orphaned shop_source: not deleted: it also carries {SHOP}, so its owner is unclear; "
        "remove the marker that does not name its owner\n"
    ) in result.stdout
    assert result.stderr == ""
    assert "shop_source" in fake.sources
    assert fake.count("DELETE") == 0


def test_prune_reads_the_source_again_and_keeps_it_when_the_marker_is_gone(
    fake: FakeStatsig, tmp_path: Path
) -> None:
    from statsig_sources.registration.apply import apply_plan
    from statsig_sources.statsig.api import StatsigClient

    fake.seed_sources([managed_payload(source("gone"), SHOP)])
    with StatsigClient(KEY, base_url=fake.url) as client:
        plan = build_plan([], client.list_sources(), SHOP, set())
        fake.seed_sources([source("gone", tags=["manual"])])  # taken over by hand meanwhile
        result = apply_plan(plan, client, prune=True)
    assert [(o.name, o.status.value, o.message) for o in result.outcomes] == [
        ("gone", "blocked", f"not deleted: it no longer carries the marker {SHOP!r}")
    ]
    assert fake.count("DELETE") == 0
