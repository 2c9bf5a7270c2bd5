"""The client's metric endpoints (STATSIG_API.md): list, read, create, update, delete, schedule an
archive, and the experiments that use a metric. A metric's id is `<name>::<type>`, URL-encoded in paths.
Mutations go through the transport like every other: the throttle, the retries and the deadlines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from statsig_sources.statsig.paging import Endpoints, data_of
from statsig_sources.statsig.shapes import EXPERIMENT, METRIC

METRICS_PATH = "/metrics"


class MetricEndpoints(Endpoints):
    def list_metrics(self) -> list[dict[str, Any]]:
        """Every metric, hidden ones included."""
        return self._paginate(f"{METRICS_PATH}/list", METRIC, {"showHiddenMetrics": "true"})

    def get_metric(self, metric_id: str) -> dict[str, Any] | None:
        """The metric with this id, or None when Statsig answers 404."""
        return self._found(metric_path(metric_id), METRIC)

    def create_metric(self, payload: Mapping[str, Any], *, dry_run: bool = False) -> dict[str, Any]:
        """POST /metrics with a MetricCreationContractDto."""
        body = {**payload, "dryRun": True} if dry_run else dict(payload)
        return data_of(self._transport.request("POST", METRICS_PATH, body=body))

    def update_metric(
        self, metric_id: str, payload: Mapping[str, Any], *, dry_run: bool = False
    ) -> dict[str, Any]:
        """POST /metrics/{id} with a MetricsUpdateContractDto."""
        body = {**payload, "dryRun": True} if dry_run else dict(payload)
        return data_of(self._transport.request("POST", metric_path(metric_id), body=body))

    def delete_metric(self, metric_id: str) -> None:
        self._transport.request("DELETE", metric_path(metric_id))

    def schedule_metric_archive(self, metric_id: str) -> None:
        """PUT /metrics/{id}/schedule_archive: Statsig archives the metric the next day."""
        self._transport.request("PUT", f"{metric_path(metric_id)}/schedule_archive")

    def list_metric_experiments(self, metric_id: str) -> list[dict[str, Any]]:
        """The experiments that use the metric (Statsig's "lineage"), whatever their status."""
        return self._paginate(f"{metric_path(metric_id)}/experiments", EXPERIMENT)


def metric_path(metric_id: str) -> str:
    return f"{METRICS_PATH}/{quote(metric_id, safe='')}"
