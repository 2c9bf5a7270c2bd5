"""The kinds of object registration manages, each described once: how its payloads are built, how it
compares with what Statsig holds, how Statsig's Console API reads and writes it, and what it depends on.

plan.py and apply.py run one algorithm (create, update, prune) over `KINDS`; nothing there names a
kind. `KINDS` is in dependency order: a kind reads only kinds before it, so creates and updates run in
this order and prunes in the reverse one (a source is pruned after the metrics that read it).
Adding a kind is one entry here, its module of payloads and normal form (like sources.py), its member of
`Kind` (plan_items.py) and its client calls (docs/architecture.md#add-a-kind).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statsig_sources.project import Project
from statsig_sources.registration import metrics, sources
from statsig_sources.registration.plan_items import Declared, FieldChange, Kind

if TYPE_CHECKING:  # the client is what a command passes in: reading the kinds loads no HTTP stack
    from statsig_sources.statsig.api import StatsigClient

Body = Mapping[str, Any]


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    key_field: str  # the field Statsig's paths name it by (`name`, `id`), in what Statsig answers
    reads: Kind | None  # the kind of the objects it reads (a metric reads sources)
    used_by: str  # what may use it in Statsig, in a message: "metric", "experiment"
    declared: Callable[[Project], Sequence[Declared]]  # the payloads the project declares, by name
    identity: Callable[[Body], str]  # its key, from a declared payload
    depends_on: Callable[[Body], tuple[str, ...]]  # the names of the `reads` objects it reads
    merged: Callable[[Body, Body], dict[str, Any]]  # an update's body: what Statsig holds, merged
    diff: Callable[[Body, Body], tuple[FieldChange, ...]]  # the fields that differ, normalised
    create_writes: Callable[[Body], int]  # the writes a create of this payload takes
    create: Callable[[StatsigClient, Body, bool], int]  # send a create (dry run?); the writes made
    update: Callable[[StatsigClient, str, Body, bool], object]
    get: Callable[[StatsigClient, str], Body | None]
    list_all: Callable[[StatsigClient], list[dict[str, Any]]]
    delete: Callable[[StatsigClient, str], object]
    users: Callable[[StatsigClient, str], list[dict[str, Any]]]  # what in Statsig uses it

    def item_id(self, payload: Body) -> str:
        """The id a plan item records: a kind named by id records it, one named by name does not."""
        return self.identity(payload) if self.key_field == "id" else ""


def _create_source(client: StatsigClient, payload: Body, dry_run: bool) -> int:
    client.create_source(payload, dry_run=dry_run)
    return 0 if dry_run else 1


def _create_metric(client: StatsigClient, payload: Body, dry_run: bool) -> int:
    """A create cannot set the owner: an update after it does."""
    client.create_metric(metrics.create_body(dict(payload)), dry_run=dry_run)
    if dry_run:
        return 0
    owner = payload.get("owner")
    if owner is not None:
        client.update_metric(metrics.identity(payload), {"owner": owner})
    return 1 + (owner is not None)


SOURCES = KindSpec(
    kind=Kind.SOURCE,
    key_field="name",
    reads=None,
    used_by="metric",
    declared=sources.build_payloads,
    identity=lambda payload: str(payload.get("name") or ""),
    depends_on=lambda payload: (),
    merged=sources.merged_source,
    diff=sources.diff,
    create_writes=lambda payload: 1,
    create=_create_source,
    update=lambda client, key, body, dry_run: client.update_source(key, body, dry_run=dry_run),
    get=lambda client, key: client.get_source(key),
    list_all=lambda client: client.list_sources(),
    delete=lambda client, key: client.delete_source(key),
    users=lambda client, key: client.list_source_metrics(key),
)

METRICS = KindSpec(
    kind=Kind.METRIC,
    key_field="id",
    reads=Kind.SOURCE,
    used_by="experiment",
    declared=metrics.build_metric_payloads,
    identity=metrics.identity,
    depends_on=metrics.reads,
    merged=metrics.merged_metric,
    diff=metrics.metric_diff,
    create_writes=lambda payload: 1 + ("owner" in payload),
    create=_create_metric,
    update=lambda client, key, body, dry_run: client.update_metric(key, dict(body), dry_run=dry_run),
    get=lambda client, key: client.get_metric(key),
    list_all=lambda client: client.list_metrics(),
    delete=lambda client, key: client.delete_metric(key),
    users=lambda client, key: client.list_metric_experiments(key),
)

KINDS: tuple[KindSpec, ...] = (SOURCES, METRICS)


def spec_of(kind: Kind) -> KindSpec:
    return next(spec for spec in KINDS if spec.kind is kind)
