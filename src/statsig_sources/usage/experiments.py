"""Which experiments use a metric, as Statsig's experiments name their metrics.

An experiment uses a metric when its `primaryMetrics`, `secondaryMetrics` or `otherMetrics` name it
(`{name, type}`: the metric's id is `name::type`), or when one of its `primaryMetricTags` or
`secondaryMetricTags` is among the metric's tags. Only a running experiment (status `active`) has
results Statsig keeps computing: `reload` loads those, and `plan` refuses to take a source away from
them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from statsig_sources.usage.join import Metric

RUNNING = "active"  # the only status whose results Statsig keeps loading
METRIC_FIELDS = ("primaryMetrics", "secondaryMetrics", "otherMetrics")
TAG_FIELDS = ("primaryMetricTags", "secondaryMetricTags")


def running(experiment: Mapping[str, Any]) -> bool:
    """Statsig was asked for running experiments only; one that says otherwise is not counted."""
    return bool(experiment.get("status", RUNNING) == RUNNING)


def named_metric_ids(experiment: Mapping[str, Any]) -> list[str]:
    """The ids of the metrics the experiment names, in its order."""
    ids = []
    for field in METRIC_FIELDS:
        for entry in experiment.get(field) or ():
            ids.append(f"{entry['name']}::{entry['type']}")
    return ids


def metric_tags(experiment: Mapping[str, Any]) -> list[str]:
    """The metric tags the experiment picks metrics by."""
    return [value for field in TAG_FIELDS for value in experiment.get(field) or ()]


def experiments_using(metric: Metric, experiments: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The running experiments among `experiments` that use `metric`, sorted by id."""
    tags = set(metric.tags)
    found = [
        experiment
        for experiment in experiments
        if running(experiment)
        and (metric.id in named_metric_ids(experiment) or tags & set(metric_tags(experiment)))
    ]
    return sorted(found, key=lambda experiment: str(experiment.get("id")))
