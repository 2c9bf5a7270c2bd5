"""Which Statsig metrics use which metric source: a pure join of metrics with the project's sources.

A warehouse-native metric names its sources in three places (Statsig's OpenAPI document): `metricSourceName`,
`denominatorMetricSourceName` (ratios) and `funnelEvents[].metricSourceName` (one per funnel step).
Each reference carries the columns the metric reads *from that source*: the numerator's value,
criteria and dimension columns; the denominator's value and criteria columns; each step's criteria.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from statsig_sources.declaration.ownership import has_marker
from statsig_sources.project import Project

# Why a metric is dangling: the source it names is not one dbt manages.
ORPHANED = "orphaned"  # in Statsig with our marker, but no longer declared in dbt
UNMANAGED = "unmanaged"  # in Statsig without our marker (made by hand or by another tool)
MISSING = "missing"  # not in Statsig at all


@dataclass(frozen=True)
class SourceRef:
    """One source a metric reads, through which fields, and the columns it reads there."""

    source: str
    via: tuple[str, ...]  # e.g. ("metricSourceName", "funnelEvents[2]")
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    aggregation: str
    hidden: bool
    description: str
    owner_name: str | None
    owner_email: str | None
    refs: tuple[SourceRef, ...]  # sorted by source name
    tags: tuple[str, ...] = ()  # experiments pick metrics by tag too (reload)
    as_code: bool = False  # carries this project's marker: declared in dbt and registered by `apply`

    def ref(self, source: str) -> SourceRef | None:
        return next((ref for ref in self.refs if ref.source == source), None)


@dataclass(frozen=True)
class ManagedSource:
    name: str  # the Statsig source name
    model: str  # the dbt model's name
    node_id: str


@dataclass(frozen=True)
class SourceUsage:
    source: ManagedSource
    metrics: tuple[Metric, ...]  # sorted by id


@dataclass(frozen=True)
class Dangling:
    metric: Metric
    sources: tuple[tuple[str, str], ...]  # (source name, ORPHANED | UNMANAGED | MISSING)


@dataclass(frozen=True)
class Usage:
    sources: tuple[SourceUsage, ...]  # every managed source, sorted by name
    dangling: tuple[Dangling, ...]  # sorted by metric id

    @property
    def unused(self) -> tuple[str, ...]:
        return tuple(entry.source.name for entry in self.sources if not entry.metrics)

    @property
    def metric_count(self) -> int:
        ids = {m.id for entry in self.sources for m in entry.metrics} | {d.metric.id for d in self.dangling}
        return len(ids)


def managed_sources(project: Project) -> tuple[ManagedSource, ...]:
    """The project's metric sources (dbt manages them), sorted by Statsig name."""
    found = {
        source.name: ManagedSource(source.name, source.model.name, source.model.unique_id)
        for source in project.sources
    }
    return tuple(found[name] for name in sorted(found))


def parse_metric(raw: Mapping[str, Any]) -> Metric | None:
    """A warehouse-native metric with the sources it reads, or None when it reads no source."""
    native = raw.get("warehouseNative")
    refs = _source_refs(native) if isinstance(native, Mapping) else {}
    if not isinstance(native, Mapping) or not refs:
        return None
    raw_owner = raw.get("owner")
    owner: Mapping[str, Any] = raw_owner if isinstance(raw_owner, Mapping) else {}
    return Metric(
        id=str(raw.get("id") or raw.get("name") or ""),
        name=str(raw.get("name") or ""),
        aggregation=str(native.get("aggregation") or ""),
        hidden=raw.get("isHidden") is True,
        description=str(raw.get("description") or ""),
        owner_name=_text(owner.get("ownerName")) or _text(owner.get("name")),
        owner_email=_text(owner.get("ownerEmail")),
        refs=tuple(
            SourceRef(name, tuple(via), tuple(sorted(set(columns))))
            for name, (via, columns) in sorted(refs.items())
        ),
        tags=tuple(tag for tag in _list(raw.get("tags")) if isinstance(tag, str)),
    )


def _source_refs(native: Mapping[str, Any]) -> dict[str, tuple[list[str], list[str]]]:
    """source name -> (the fields that name it, the columns read from it), for every source the metric's
    `warehouseNative` names: its own, a ratio's denominator, each funnel step's."""
    refs: dict[str, tuple[list[str], list[str]]] = {}

    def add(source: Any, via: str, columns: Iterable[Any]) -> None:
        if isinstance(source, str) and source:
            fields, found = refs.setdefault(source, ([], []))
            fields.append(via)
            found.extend(column for column in columns if isinstance(column, str) and column)

    own = [
        native.get("valueColumn"),
        *_criteria(native.get("criteria")),
        *_list(native.get("metricDimensionColumns")),
    ]
    add(native.get("metricSourceName"), "metricSourceName", own)
    denominator = [native.get("denominatorValueColumn"), *_criteria(native.get("denominatorCriteria"))]
    add(native.get("denominatorMetricSourceName"), "denominatorMetricSourceName", denominator)
    for index, step in enumerate(_list(native.get("funnelEvents")), start=1):
        if isinstance(step, Mapping):
            add(step.get("metricSourceName"), f"funnelEvents[{index}]", _criteria(step.get("criteria")))
    return refs


def build_usage(
    sources: Sequence[ManagedSource],
    metrics: Iterable[Mapping[str, Any]],
    remote_sources: Iterable[Mapping[str, Any]] = (),
    marker: str = "",
) -> Usage:
    """Join metrics with the managed sources; `remote_sources` and `marker` explain dangling ones, and
    the marker tells which metrics are managed as code (docs/metrics.md)."""
    by_name = {source.name: source for source in sources}
    using: dict[str, list[Metric]] = {name: [] for name in by_name}
    dangling: list[Dangling] = []
    remote = {str(s.get("name")): s for s in remote_sources}
    for raw in metrics:
        metric = parse_metric(raw)
        if metric is None:
            continue
        if marker and has_marker(raw, marker):
            metric = replace(metric, as_code=True)
        strays = []
        for ref in metric.refs:
            if ref.source in using:
                using[ref.source].append(metric)
            else:
                strays.append((ref.source, _why(ref.source, remote, marker)))
        if strays:
            dangling.append(Dangling(metric, tuple(strays)))
    return Usage(
        sources=tuple(
            SourceUsage(by_name[name], tuple(sorted(found, key=lambda m: m.id)))
            for name, found in sorted(using.items())
        ),
        dangling=tuple(sorted(dangling, key=lambda d: d.metric.id)),
    )


def _why(source: str, remote: Mapping[str, Mapping[str, Any]], marker: str) -> str:
    if source not in remote:
        return MISSING
    return ORPHANED if marker and has_marker(remote[source], marker) else UNMANAGED


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _criteria(value: Any) -> list[Any]:
    return [item.get("column") for item in _list(value) if isinstance(item, Mapping)]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
