"""What a plan's updates do to live metrics: name the metrics each updated source feeds, and block an
update that removes or retypes a column one of them reads (unless forced). A source dbt no longer
declares is guarded the same way (removals.py). Metrics declared in dbt count
as declared; a declared metric that reads a column its source no longer offers is refused earlier, by
validate's metric_columns rule, without asking Statsig.

A query source's columns are its SQL's output columns (read with sqlglot) plus its custom fields; a
column's type is known only where the SQL casts it explicitly. When the columns cannot be known (a
`table` source, `select *`, SQL sqlglot cannot parse) nothing is blocked: the guard never guesses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from statsig_sources.declaration.metrics import metric_id
from statsig_sources.registration.plan_items import Action, Kind, Plan, PlanItem
from statsig_sources.registration.removals import guard_removals
from statsig_sources.sql.parse import dialect_for, output_columns
from statsig_sources.usage.join import Metric, parse_metric

Columns = Mapping[str, str | None]  # lower-cased column name -> explicit cast type, if any


def source_columns(payload: Mapping[str, Any], dialect: str) -> Columns | None:
    """The columns a source offers metrics, or None when they cannot be known. `dialect` is the
    warehouse's: the registered SQL quotes identifiers its way (backquotes on Spark and BigQuery)."""
    sql = payload.get("sql")
    if payload.get("sourceType", "query") != "query" or not isinstance(sql, str) or not sql.strip():
        return None
    columns = output_columns(sql, dialect)
    if columns is None:
        return None
    for field in payload.get("customFieldMapping") or ():
        if isinstance(field, Mapping) and field.get("key"):
            columns.setdefault(str(field["key"]).lower(), None)
    return columns


def broken_columns(before: Columns | None, after: Columns | None) -> dict[str, str]:
    """Column -> `removed` or `retyped A -> B`, for columns `after` no longer offers as `before` did."""
    if before is None or after is None:
        return {}
    broken = {}
    for name, kind in before.items():
        if name not in after:
            broken[name] = "removed"
        elif kind and after[name] and kind.lower() != str(after[name]).lower():
            broken[name] = f"retyped {kind} -> {after[name]}"
    return broken


def _metrics_by_source(metrics: Iterable[Mapping[str, Any]]) -> dict[str, list[Metric]]:
    found: dict[str, list[Metric]] = {}
    for raw in metrics:
        metric = parse_metric(raw)
        if metric is not None:
            for ref in metric.refs:
                found.setdefault(ref.source, []).append(metric)
    return found


def _assess(item: PlanItem, metrics: Sequence[Metric], force: bool, dialect: str) -> PlanItem:
    if item.payload is None or not metrics:
        return item
    before_payload = {**item.payload, **{change.field: change.before for change in item.changes}}
    broken = broken_columns(source_columns(before_payload, dialect), source_columns(item.payload, dialect))
    affected = tuple(sorted(metric.name for metric in metrics))
    conflicts = []
    for metric in sorted(metrics, key=lambda m: m.name):
        ref = metric.ref(item.name)
        used = sorted({column for column in (ref.columns if ref else ()) if column.lower() in broken})
        conflicts += [f"{metric.name} uses {column} ({broken[column.lower()]})" for column in used]
    if not conflicts:
        return replace(item, affected_metrics=affected)
    reason = "; ".join(conflicts)
    if force:
        return replace(item, affected_metrics=affected, reason=f"forced: {reason}")
    return replace(
        item,
        action=Action.BLOCKED,
        affected_metrics=affected,
        reason=f"would break live metrics: {reason}; pass --force to apply anyway",
    )


def guard_plan(
    plan: Plan,
    fetch_metrics: Callable[[], Iterable[Mapping[str, Any]]],
    *,
    adapter_type: str,
    fetch_experiments: Callable[[], Sequence[Mapping[str, Any]]],
    force: bool = False,
    desired_metrics: Sequence[Mapping[str, Any]] = (),
) -> Plan:
    """The plan with each update's affected metrics named and breaking updates blocked, and each
    source dbt no longer declares checked the same way (removals.py).

    `fetch_metrics` is called only when the plan updates or removes a source, so a plan without any
    costs no request; `fetch_experiments` (the running experiments) only when a removed source has a
    reader. A metric declared in dbt is judged as declared (`desired_metrics`, what this plan makes
    of it), not as Statsig holds it now: a change that moves a metric off a column together with the
    source that drops it breaks nothing.
    """
    if not plan.of(Action.UPDATE, Kind.SOURCE) and not plan.of(Action.ORPHANED, Kind.SOURCE):
        return plan
    dialect = dialect_for(adapter_type)
    declared = {metric_id(str(body.get("name"))): body for body in desired_metrics}
    remote = list(fetch_metrics())
    live = [metric for metric in remote if str(metric.get("id")) not in declared]
    by_source = _metrics_by_source([*live, *({**body, "id": key} for key, body in declared.items())])
    items = tuple(
        _assess(item, by_source.get(item.name, []), force, dialect)
        if item.action is Action.UPDATE and item.kind is Kind.SOURCE
        else item
        for item in plan.items
    )
    guarded = replace(plan, items=items)
    return guard_removals(guarded, remote, fetch_experiments, declared=set(declared), force=force)
