"""The Semantic Layer import's parts that need no manifest: filters as criteria, Statsig names, the
hashed headers of generated files, and the entity-to-unit var."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from statsig_sources.semantic.files import state_of, sync_files, with_header
from statsig_sources.semantic.filters import criteria
from statsig_sources.semantic.layer import Measure, Metric, MetricInput, Named, SemanticLayer, SemanticModel
from statsig_sources.semantic.mapping import map_metrics
from statsig_sources.semantic.names import statsig_metric_name, too_short
from statsig_sources.semantic.sources import SourceBuilder, source_builder
from statsig_sources.semantic.units import entity_unit_types
from statsig_sources.support.errors import InputError

ORDERS = SemanticModel(
    name="orders",
    description="",
    model_name="fct_orders",
    entities=(Named("order", "primary", "order_id", True), Named("customer", "foreign", "customer_id", True)),
    dimensions=(
        Named("status", "categorical", "status"),
        Named("size", "categorical", "case when total > 9 then 'l' end", True),
        Named("ordered_at", "time", "ordered_at", granularity="day"),
    ),
    measures=(),
    agg_time_dimension="ordered_at",
    primary_entity="",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "{{ Dimension('order__status') }} = 'paid'",
            {"column": "status", "condition": "in", "values": ["paid"]},
        ),
        (
            "{{ Dimension('order__status') }} <> 'it''s'",
            {"column": "status", "condition": "not_in", "values": ["it's"]},
        ),
        (
            "{{Dimension('order__status')}} not in ('a', 3)",
            {"column": "status", "condition": "not_in", "values": ["a", 3]},
        ),
        ("{{ Dimension('order__status') }} is not null", {"column": "status", "condition": "non_null"}),
        ("{{ Dimension('order__status') }} IS NULL", {"column": "status", "condition": "is_null"}),
        ("{{ Dimension('order__status') }} = TRUE", {"column": "status", "condition": "is_true"}),
        ("{{ Dimension('order__status') }} != true", {"column": "status", "condition": "is_false"}),
    ],
)
def test_a_plain_comparison_on_an_own_dimension_is_a_criterion(
    text: str, expected: dict[str, object]
) -> None:
    assert criteria((text,), ORDERS).items == (expected,)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{{ Dimension('customer__status') }} = 'x'", "reaches through entity `customer`"),
        ("{{ Dimension('order__size') }} = 'l'", "reads a computed dimension"),
        ("{{ Dimension('order__missing') }} = 'l'", "is not a categorical dimension"),
        ("{{ TimeDimension('order__ordered_at', 'day') }} > '2026-01-01'", "is not one comparison"),
        ("{{ Dimension('order__status') }} = 'a' or 1 = 1", "is not one comparison"),
    ],
)
def test_any_other_filter_is_refused_with_its_reason(text: str, reason: str) -> None:
    found = criteria((text,), ORDERS)
    assert found.items == () and reason in found.refused


def test_statsig_names_come_from_the_label_made_valid() -> None:
    assert statsig_metric_name("Revenue, net — USD", "revenue") == "Revenue net USD"
    assert statsig_metric_name("", "order_revenue") == "order_revenue"
    assert too_short(statsig_metric_name("#!?", "x")) and not too_short("Orders")


def test_a_generated_file_knows_when_it_was_edited() -> None:
    text = with_header("statsig_orders.sql", "select 1\n")
    assert state_of(text) == "generated"
    assert state_of(text.replace("select 1", "select 2")) == "edited"
    assert state_of("select 1\n") == "foreign"


def test_sync_writes_keeps_edits_and_deletes_orphans(tmp_path: Path) -> None:
    wanted = {"a.sql": with_header("a.sql", "one\n"), "b.yml": with_header("b.yml", "two: 2\n")}
    assert sync_files(tmp_path, wanted, check=False, force=False).created == ["a.sql", "b.yml"]
    (tmp_path / "b.yml").write_text(wanted["b.yml"] + "hand: edit\n", encoding="utf-8")
    (tmp_path / "mine.sql").write_text("select 1\n", encoding="utf-8")
    changes = sync_files(tmp_path, {"a.sql": wanted["a.sql"]}, check=False, force=False)
    assert (changes.unchanged, changes.kept, changes.deleted) == (["a.sql"], ["b.yml"], [])
    assert sync_files(tmp_path, {"a.sql": wanted["a.sql"]}, check=True, force=True).deleted == ["b.yml"]
    assert (tmp_path / "b.yml").exists()
    assert sync_files(tmp_path, {}, check=False, force=True).deleted == ["a.sql", "b.yml"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mine.sql"]


def _project(tmp_path: Path, variables: str) -> Path:
    (tmp_path / "dbt_project.yml").write_text(f"name: shop\nvars:\n{variables}", encoding="utf-8")
    return tmp_path


def test_the_unit_var_maps_entities_to_known_unit_types(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        "  statsig_entity_unit_types: {customer: userID, company: companyID}\n"
        "  statsig_custom_unit_types: [companyID]\n",
    )
    assert entity_unit_types(project) == {"customer": "userID", "company": "companyID"}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ("  other: 1\n", "sets no var `statsig_entity_unit_types`"),
        ("  statsig_entity_unit_types: \"{{ var('x') }}\"\n", "is a Jinja expression"),
        ("  statsig_entity_unit_types: [customer]\n", "must be a mapping of entity name to unit type"),
        ("  statsig_entity_unit_types: {company: companyID}\n", "neither userID, stableID nor listed"),
    ],
)
def test_a_unit_var_that_cannot_be_read_is_refused(tmp_path: Path, variables: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace("[", r"\[")):
        entity_unit_types(_project(tmp_path, variables))


def test_metrics_on_a_layer_built_in_code_map_skip_and_approximate() -> None:
    measures = (
        Measure("paid_rows", "orders", "count", "case when paid then 1 end"),
        Measure("total", "orders", "sum", "total"),
    )
    model = replace(ORDERS, measures=measures)
    metrics = (
        Metric("paid", "Paid orders", "", "simple", (), measure=MetricInput("paid_rows")),
        Metric("ab", "", "", "simple", (), measure=MetricInput("total")),
        Metric("total", "Paid orders", "", "simple", (), measure=MetricInput("total")),
    )
    builder = source_builder(model, {"customer": "userID"})
    assert isinstance(builder, SourceBuilder)
    outcomes = {
        item.name: item for item in map_metrics(SemanticLayer((model,), metrics), {"orders": builder})
    }
    assert outcomes["paid"].status == "approximated"
    assert "not only rows where `case when paid then 1 end` is not null" in outcomes["paid"].reason
    assert outcomes["ab"].status == "skipped" and "shorter than 4 characters" in outcomes["ab"].reason
    assert (
        outcomes["total"].status == "skipped" and "already takes the Statsig name" in outcomes["total"].reason
    )
    assert [metric["name"] for metric in builder.metrics] == ["Paid orders"]
