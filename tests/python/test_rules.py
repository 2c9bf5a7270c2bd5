"""Every rule fires on its invalid fixture (and only it), and no valid fixture raises an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from manifest_fixtures import FIXTURES, INVALID, VALID, fixture_run_results, read_fixture
from project_support import load_project

from statsig_sources.declaration.settings import Settings
from statsig_sources.rules import RULES, validate

SETTINGS = Settings(custom_unit_types=("companyID",))


def _errors(path: Path, settings: Settings = SETTINGS) -> list[tuple[str, str]]:
    violations = validate(load_project(path, settings, fixture_run_results(path)))
    return [(v.rule, v.message) for v in violations if v.severity == "error"]


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_has_no_errors(path: Path) -> None:
    assert _errors(path) == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_fires_exactly_its_rule(path: Path) -> None:
    rule = path.stem.split("__")[0]
    fired = {name for name, _ in _errors(path, Settings())}
    assert fired == {rule}


def test_every_registered_rule_has_an_invalid_fixture_and_a_docs_section() -> None:
    fixture_rules = {path.stem.split("__")[0] for path in INVALID}
    docs = (FIXTURES.parents[2] / "docs" / "rules.md").read_text()
    for rule in RULES:
        assert rule.name in fixture_rules
        assert f"## `{rule.name}`" in docs


PROOF = "the SQL proof (postgres) accepts only relations it can name and functions that read none"

# Every invalid fixture, and exactly the error messages `validate` gives for it (with no custom unit
# types listed). A fixture added without its messages here fails the test below.
EXPECTED_MESSAGES: dict[str, list[str]] = {
    "build_status__source_build_failed": [
        (
            "its build failed in `dbt build --target prod`: Compilation Error in model "
            "statsig_purchases (models/statsig/statsig_purchases.sql) statsig_sources: model "
            "'statsig_purchases' (models/statsig/statsig_purchases.sql, "
            "models/statsig/_statsig__models.yml) reads columns that "
            '"analytics"."marts"."fct_purchases" does not have: measures.item_count: quantity (its '
            "columns: user_id, stable_id, purchased_at, amount_usd, country); fix it and build it "
            "again"
        ),
    ],
    "declaration__bad_granularity": [
        ("meta.statsig.granularity must be one of event_log, daily_fact, daily_aggregate, not `hourly`"),
    ],
    "declaration__missing_required_key": [
        "meta.statsig.timestamp is required",
    ],
    "declaration__reserved_column_name": [
        ("meta.statsig.measures.value takes a name the package reserves for its own canonical column"),
    ],
    "declaration__unknown_key": [
        (
            "meta.statsig.value_column is not a known key (allowed: source_name, granularity, "
            "unit_ids, timestamp, value, measures, dimensions, filter, description, owner, tags, "
            "source_type, sql, custom_fields, timestamp_type, materialized, metrics)"
        ),
    ],
    "declaration__wrong_type": [
        "meta.statsig.unit_ids must map at least one column to a Statsig unit type",
    ],
    "declared_columns__undocumented_column": [
        "declared column `item_count` is not among the model's documented columns",
    ],
    "duplicate_metric_names__two_models": [
        (
            "meta.statsig.metrics[Order revenue].name `Order revenue` is also declared by "
            "model.shop.statsig_sessions"
        ),
        (
            "meta.statsig.metrics[order revenue].name `order revenue` is also declared by "
            "model.shop.statsig_purchases"
        ),
    ],
    "duplicate_source_names__two_models": [
        "source name `purchases` is also declared by model.shop.statsig_purchases_v2",
        "source name `Purchases` is also declared by model.shop.statsig_purchases",
    ],
    "governed_schema__outside": [
        (
            "is built in schema `marts`, outside the governed schema `statsig_staging` (or "
            "`<target_schema>_statsig_staging` off production); call "
            "statsig_sources.statsig_schema_name() from your generate_schema_name"
        ),
    ],
    "grants__missing_statsig_role": [
        "does not grant select to `statsig_reader`",
    ],
    "grants__other_grantee": [
        "grants select to `analyst`, which is not a Statsig role",
    ],
    "lineage__hard_coded_table": [
        (
            "reads `analytics.raw.payments_export`, which dbt does not manage (a hard-coded name "
            "escapes lineage); declare it as a dbt source and use source()"
        ),
    ],
    "lineage__relation_read_without_ref": [
        ("reads `analytics.raw.orders` without ref() or source(), so dbt's lineage does not show it"),
    ],
    "lineage__table_function": [
        f"its compiled SQL uses the table function `pg_ls_dir`; {PROOF}",
    ],
    "materialization__ephemeral": [
        (
            "is materialized 'ephemeral', which is not one of view, table, incremental: set "
            "`+materialized: view` on the folder of metric-source models in dbt_project.yml"
        ),
    ],
    "metric_columns__denominator_column_missing": [
        (
            "meta.statsig.metrics[Revenue per minute].denominator.value_column `seconds` is not a "
            "column of source `sessions` (its columns: user_id, timestamp, minutes, platform)"
        ),
    ],
    "metric_columns__override_lacks_column": [
        (
            "meta.statsig.metrics[Sessions per user].dimensions `platform` is not a column its "
            "source's sql override selects (it selects: minutes, timestamp, user_id)"
        ),
    ],
    "metric_columns__source_column_removed": [
        (
            "meta.statsig.metrics[Order revenue].value_column `value` is not a column of this source "
            "(its columns: user_id, stable_id, timestamp, item_count, country)"
        ),
    ],
    "metric_sources__undeclared_denominator": [
        (
            "meta.statsig.metrics[Revenue per minute].denominator.source `app_sessions` is not a "
            "metric source declared in this project (declared: purchases, sessions)"
        ),
    ],
    "reserved_tags__another_projects_marker": [
        (
            "meta.statsig.tags: `managed-by:statsig-sources:checkout` looks like an ownership marker "
            "(tags starting `managed-by:statsig-sources` are reserved for the CLI): remove it"
        ),
    ],
    "settings__everyone_role": [
        (
            'the var statsig_reader_roles has "PUBLIC", which on postgres is PUBLIC, every role there is '
            "and every role created later: granting it would let everyone read the governed schema; list "
            "only the role(s) Statsig connects as"
        ),
    ],
    "settings__injected_role": [
        (
            'the var statsig_reader_roles has "statsig_reader; grant all on schema public to evil; --", '
            "which is not a role name the package accepts on postgres: a lower-case unquoted identifier "
            "(lower-case letters, digits, `_` and `$`, starting with a letter or `_`; at most 63 "
            "characters), since dbt's grants config writes the role unquoted and PostgreSQL folds an "
            "unquoted name to lower case"
        ),
    ],
    "single_schema__two_governed_schemas": [
        (
            "is in schema `statsig_staging`, but 1 source(s) are in "
            "`analytics.dbt_bob_statsig_staging`; all metric sources must share one governed schema"
        ),
    ],
    "source_name__refused_characters": [
        (
            "meta.statsig.source_name `purchases/v2` is not a name Statsig accepts: a letter or "
            "digit, then letters, digits, `_`, `-` or spaces, at most 100 characters"
        ),
    ],
    "undeclared_in_governed_schema__stray_model": [
        (
            "model `analytics.statsig_staging.tmp_exports` is in the governed schema but declares no "
            "meta.statsig; Statsig can read it"
        ),
    ],
    "unit_types__unlisted_custom_type": [
        (
            "meta.statsig.unit_ids.user_id has unknown unit type `companyID` (known: userID, "
            "stableID; list custom unit types in the var statsig_custom_unit_types)"
        ),
    ],
    "user_sql__custom_field_reads_other_table": [
        (
            "its custom field `fx` reads `analytics.marts.fx_rates`; it may read only the governed "
            "relation `analytics.statsig_staging.statsig_purchases`"
        ),
    ],
    "user_sql__filter_subquery_reads_other_table": [
        (
            "its filter reads `analytics.marts.internal_users`; it may read only the governed "
            "relation `analytics.statsig_staging.statsig_purchases`"
        ),
    ],
    "user_sql__filter_runs_sql_in_a_string": [
        f"its filter uses SQL held in a string ('select * from raw.payments'); {PROOF}",
        f"its filter uses the function `query_to_xml`, which the proof does not know in postgres; {PROOF}",
    ],
    "user_sql__metric_filter_reads_other_table": [
        (
            "its metric `Sessions per user` criterion #1 sql reads `analytics.marts.internal_users`; "
            "it may read only the governed relation `analytics.statsig_staging.statsig_sessions`"
        ),
    ],
    "user_sql__override_reads_raw_table": [
        (
            "its sql override reads `analytics.raw.orders`; it may read only the governed relation "
            "`analytics.statsig_staging.statsig_purchases`"
        ),
    ],
    "user_sql__unparseable_filter": [
        "its filter does not parse as postgres: line 1, column 15: Expecting )",
    ],
}


def test_every_invalid_fixture_has_its_expected_messages() -> None:
    assert sorted(EXPECTED_MESSAGES) == sorted(path.stem for path in INVALID)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_rule_messages_name_the_problem_exactly(path: Path) -> None:
    assert [message for _, message in _errors(path, Settings())] == EXPECTED_MESSAGES[path.stem]


def test_unit_types_accepts_a_listed_custom_type() -> None:
    path = FIXTURES / "invalid" / "unit_types__unlisted_custom_type.json"
    assert _errors(path, Settings(custom_unit_types=("companyID",))) == []


def test_grants_rule_warns_once_on_an_adapter_without_grants() -> None:
    project = load_project(FIXTURES / "valid" / "duckdb_developer_schema.json", SETTINGS)
    violations = [v for v in validate(project) if v.rule == "grants"]
    assert [(v.severity, v.node_id) for v in violations] == [("warning", "")]


def test_governed_schema_accepts_another_role_and_schema_from_options() -> None:
    path = FIXTURES / "valid" / "postgres_production.json"
    settings = Settings(statsig_schema="statsig_views", statsig_roles=("statsig_reader", "statsig_ci"))
    assert sorted(rule for rule, _ in _errors(path, settings)) == ["governed_schema", "grants"]


def test_duplicate_metric_names_names_both_models() -> None:
    path = FIXTURES / "invalid" / "duplicate_metric_names__two_models.json"
    violations = validate(load_project(path, Settings()))
    assert [(v.node_id, v.message) for v in violations if v.severity == "error"] == [
        (
            "model.shop.statsig_purchases",
            "meta.statsig.metrics[Order revenue].name `Order revenue` is also declared by "
            "model.shop.statsig_sessions",
        ),
        (
            "model.shop.statsig_sessions",
            "meta.statsig.metrics[order revenue].name `order revenue` is also declared by "
            "model.shop.statsig_purchases",
        ),
    ]


def test_a_denominator_filter_is_proven_against_the_denominator_source(tmp_path: Path) -> None:
    """A ratio's denominator criteria run on the denominator's source, so that is the relation named."""
    manifest = read_fixture("valid/metrics_across_sources.json")
    statsig = manifest["nodes"]["model.shop.statsig_purchases"]["config"]["meta"]["statsig"]
    sql = "user_id not in (select user_id from analytics.marts.internal_users)"
    statsig["metrics"][1]["denominator"]["criteria"] = [{"condition": "sql_filter", "sql": sql}]
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    violations = validate(load_project(path, Settings()))
    assert [(v.rule, v.node_id, v.message) for v in violations if v.severity == "error"] == [
        (
            "user_sql",
            "model.shop.statsig_purchases",
            "its metric `Revenue per minute` denominator criterion #1 sql reads "
            "`analytics.marts.internal_users`; it may read only the governed relation "
            "`analytics.statsig_staging.statsig_sessions`",
        )
    ]
