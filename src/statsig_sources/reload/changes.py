"""Which metric sources a dbt invocation changed: the run results of the invocation that wrote the
manifest, read with the same reader and trust rule as `validate` (artifacts/run_results.py).

A source's data changed when its own build succeeded in the run, or when a relation upstream of it
did, reached through views only (artifacts/lineage.py): a view's rows change when the table it reads is
rebuilt, and a table that was not rebuilt keeps its rows whatever was rebuilt above it. A source whose
own build failed or was skipped, or whose view the run left missing (the package's on-run-end check
says which, in run_results.json), is named and not reloaded: a load would read a view that is not
there. `--select` names sources by hand instead: then no run results are needed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from statsig_sources.artifacts.lineage import rebuilt_upstream
from statsig_sources.artifacts.run_results import NOT_BUILT, RunResults, parse_timestamp
from statsig_sources.project import MetricSource, Project
from statsig_sources.support.errors import InputError

BUILT = "built"  # its own build succeeded in the run
UPSTREAM = "upstream"  # not built itself, but something upstream of it was
SELECTED = "selected"  # named with --select
FAILED = "error"  # run_results' own words for a model that was not built
SKIPPED = "skipped"
MISSING = "missing"  # the run left its view missing (dropped with a relation it replaced)
CHANGED = frozenset({BUILT, UPSTREAM, SELECTED})
NO_RESULTS_HINT = (
    "reload reads the run results of the `dbt run` or `dbt build` that wrote the manifest: run it right "
    "after that build, point --run-results at them, or name the sources to reload with --select"
)


@dataclass(frozen=True)
class SourceChange:
    """A metric source the run changed, or one whose build failed or was skipped."""

    name: str  # the Statsig source name
    model: str
    node_id: str
    reason: str  # BUILT, UPSTREAM, SELECTED, FAILED, SKIPPED or MISSING
    upstream: tuple[str, ...] = ()  # UPSTREAM: the nearest upstream nodes the run rebuilt
    message: str = ""  # FAILED: dbt's message; MISSING: the command that rebuilds the view
    relation: str = ""  # MISSING: the view that is gone

    @property
    def changed(self) -> bool:
        return self.reason in CHANGED


@dataclass(frozen=True)
class Changes:
    sources: tuple[SourceChange, ...]  # sorted by name
    results: RunResults | None = None  # None when the sources were selected by hand
    finished: datetime | None = None  # when the run finished (its results' generated_at)

    @property
    def changed(self) -> tuple[SourceChange, ...]:
        return tuple(source for source in self.sources if source.changed)

    @property
    def not_built(self) -> tuple[SourceChange, ...]:
        return tuple(source for source in self.sources if not source.changed)

    @property
    def missing_elsewhere(self) -> tuple[str, ...]:
        """Relations the run left missing that no metric source of the manifest builds (a source's
        earlier view, renamed or removed)."""
        if self.results is None:
            return ()
        named = {source.relation for source in self.sources if source.reason == MISSING}
        return tuple(relation for relation in self.results.missing.relations if relation not in named)


def changes_from_run(project: Project) -> Changes:
    """What the run that wrote the manifest changed; an input error when its results cannot say."""
    results = project.run_results
    if results is None:
        raise InputError(
            f"There is no run_results.json at {project.artifacts.paths.run_results}: {NO_RESULTS_HINT}."
        )
    reason = results.unchecked_reason(project.manifest.invocation_id)
    if reason is not None:
        raise InputError(f"{reason[0].upper()}{reason[1:]}: {NO_RESULTS_HINT}.")
    finished = parse_timestamp(results.generated_at)
    if finished is None:
        raise InputError(
            f"{results.path} records no readable metadata.generated_at, so the loads Statsig made after "
            "the run cannot be told from earlier ones; regenerate it with `dbt build`."
        )
    manifest = project.manifest
    succeeded = {
        node_id
        for node_id, result in results.nodes.items()
        if result.status == "success" and node_id in manifest.relations
    }
    lineage = _Lineage(manifest.node_dependencies, succeeded, manifest.transparent_nodes)
    found = [_change(source, results, lineage) for source in project.sources]
    listed = sorted((change for change in found if change is not None), key=lambda change: change.name)
    return Changes(tuple(listed), results, finished)


def selected_changes(project: Project, names: Collection[str]) -> Changes:
    """The sources named (by Statsig name or by model name); every unknown name is an input error."""
    by_name: dict[str, MetricSource] = {}
    for source in project.sources:
        by_name.setdefault(source.name, source)
        by_name.setdefault(source.model.name, source)
    unknown = sorted(set(names) - set(by_name))
    if unknown:
        known = ", ".join(sorted({source.name for source in project.sources})) or "none"
        raise InputError(
            f"--select names no metric source in the manifest: {', '.join(unknown)} (its sources: {known})."
        )
    chosen = {by_name[name].name: by_name[name] for name in names}
    return Changes(tuple(_selected(chosen[name]) for name in sorted(chosen)))


def _selected(source: MetricSource) -> SourceChange:
    return SourceChange(source.name, source.model.name, source.model.unique_id, SELECTED)


@dataclass(frozen=True)
class _Lineage:
    graph: Mapping[str, tuple[str, ...]]  # node -> the nodes it depends on
    rebuilt: Collection[str]  # the relations the run rebuilt
    transparent: Collection[str]  # the nodes that store no data


def _relation_key(source: MetricSource) -> str:
    """`schema.name`, lower case: how the package's check names a governed relation."""
    relation = source.model.relation
    return f"{relation.schema or ''}.{relation.name}".casefold()


def _change(source: MetricSource, results: RunResults, lineage: _Lineage) -> SourceChange | None:
    node_id = source.model.unique_id
    name, model = source.name, source.model.name
    if _relation_key(source) in results.missing.relations:
        return SourceChange(
            name, model, node_id, MISSING, message=results.missing.restore, relation=_relation_key(source)
        )
    own = results.nodes.get(node_id)
    if own is not None and own.status in NOT_BUILT:
        return SourceChange(name, model, node_id, own.status, message=own.message)
    if node_id in lineage.rebuilt:
        return SourceChange(name, model, node_id, BUILT)
    upstream = rebuilt_upstream(node_id, lineage.graph, lineage.rebuilt, lineage.transparent)
    if upstream:
        return SourceChange(name, model, node_id, UPSTREAM, upstream)
    return None
