"""Which Statsig metrics read the changed sources, and which running experiments use those metrics.

The metrics come from usage's join (usage/join.py): a metric reads a source through
`metricSourceName`, `denominatorMetricSourceName` or a funnel step, hidden metrics included. An
experiment uses a metric when its `primaryMetrics`, `secondaryMetrics` or `otherMetrics` name it
(`{name, type}`: the metric's id is `name::type`), or when one of its `primaryMetricTags` or
`secondaryMetricTags` is among the metric's tags (usage/experiments.py, which `plan` reads too).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from statsig_sources.usage.experiments import metric_tags, named_metric_ids, running
from statsig_sources.usage.join import Metric, Usage


@dataclass(frozen=True)
class AffectedMetric:
    metric: Metric
    sources: tuple[str, ...]  # the changed sources it reads (or, when held back, the unbuilt ones)


@dataclass(frozen=True)
class Target:
    """An experiment that uses an affected metric (or, when `metric_ids` is empty, only held-back ones)."""

    experiment_id: str
    name: str
    metric_ids: tuple[str, ...]  # its affected metrics, sorted
    held_back: tuple[str, ...] = ()  # its metrics on sources whose build failed or was skipped


def metrics_reading(usage: Usage, sources: Collection[str]) -> dict[str, AffectedMetric]:
    """metric id -> the metric and which of `sources` it reads."""
    reading: dict[str, tuple[Metric, list[str]]] = {}
    for entry in usage.sources:
        if entry.source.name in sources:
            for metric in entry.metrics:
                reading.setdefault(metric.id, (metric, []))[1].append(entry.source.name)
    return {
        metric_id: AffectedMetric(metric, tuple(sorted(names)))
        for metric_id, (metric, names) in sorted(reading.items())
    }


def experiment_targets(
    experiments: Iterable[Mapping[str, Any]],
    affected: Mapping[str, AffectedMetric],
    held_back: Mapping[str, AffectedMetric],
) -> list[Target]:
    """The running experiments that use an affected or a held-back metric, sorted by id."""
    affected_tags = _by_tag(affected)
    held_back_tags = _by_tag(held_back)
    targets = []
    for experiment in experiments:
        if not running(experiment):
            continue
        named = set(named_metric_ids(experiment))
        tags = set(metric_tags(experiment))
        uses = (named & set(affected)) | {m for tag in tags for m in affected_tags.get(tag, ())}
        waits = (named & set(held_back)) | {m for tag in tags for m in held_back_tags.get(tag, ())}
        if uses or waits:
            experiment_id = str(experiment["id"])
            name = str(experiment.get("name") or experiment_id)
            targets.append(Target(experiment_id, name, tuple(sorted(uses)), tuple(sorted(waits - uses))))
    return sorted(targets, key=lambda target: target.experiment_id)


def _by_tag(metrics: Mapping[str, AffectedMetric]) -> dict[str, list[str]]:
    tagged: dict[str, list[str]] = {}
    for metric_id, affected in metrics.items():
        for tag in affected.metric.tags:
            tagged.setdefault(tag, []).append(metric_id)
    return tagged
