"""The plan `plan` and `apply` both start from: the project validated (nothing is asked of Statsig for an
invalid one), its payloads diffed against what Statsig holds, updates that would break a live metric
blocked unless forced, and the fingerprints of everything that was read, for a saved plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from statsig_sources.commands._options import ProjectOptions
from statsig_sources.commands._project import admitted_project, manifest_line
from statsig_sources.support.errors import RefusedError

if TYPE_CHECKING:
    from statsig_sources.project import Project
    from statsig_sources.registration.plan import Kind, Plan
    from statsig_sources.registration.saved_plan import Planned, PlannedProject
    from statsig_sources.statsig.api import StatsigClient


@dataclass(frozen=True)
class PlanRequest:
    """What `plan` and `apply` were asked to plan, and how."""

    command: str  # plan or apply
    fmt: str
    project_options: ProjectOptions
    adopt: tuple[str, ...] = ()
    force: bool = False
    allow_non_production: bool = True
    take_over: tuple[str, ...] = ()


def make_plan(ctx: click.Context, request: PlanRequest, client: StatsigClient) -> tuple[Project, Planned]:
    """Validate the project (refusing before any request), diff its payloads against Statsig, and
    block updates that would break a column a live metric reads (docs/usage.md) unless forced; with
    what the plan was made from, for a saved plan (registration/saved_plan.py)."""
    from statsig_sources.registration.kinds import KINDS
    from statsig_sources.registration.saved_plan import Planned, PlanOptions
    from statsig_sources.registration.sources import check_encodable
    from statsig_sources.rules.governance import grants_nothing_message, non_production_message
    from statsig_sources.rules.report import violation_line
    from statsig_sources.rules.violations import Violation

    command = request.command
    project, warnings = admitted_project(ctx, command, request.fmt, request.project_options)
    for warning in warnings:
        click.echo(violation_line(warning), err=True)
    development = non_production_message(project)
    if development is not None and not request.allow_non_production:
        raise RefusedError(f"{command} refused, no request was sent to Statsig: {development}.")
    ungranted = grants_nothing_message(project)
    if ungranted is not None and command == "apply":
        click.echo(violation_line(Violation("", "grants", ungranted, "warning")), err=True)
    payloads = {spec.kind: spec.declared(project) for spec in KINDS}
    check_encodable(
        [payload for found in payloads.values() for payload in found], "No request was sent to Statsig."
    )
    declared = {kind: [payload.body for payload in found] for kind, found in payloads.items()}
    with client.reads_logged() as reads:  # everything the plan reads is fingerprinted
        result = _diffed(request, project, declared, client)
    options = PlanOptions(request.adopt, request.take_over, request.force)
    bodies = {kind.value: found for kind, found in declared.items()}
    return project, Planned(result, planned_project(project), options, bodies, reads)


def _diffed(
    request: PlanRequest,
    project: Project,
    declared: Mapping[Kind, list[dict[str, Any]]],
    client: StatsigClient,
) -> Plan:
    """Each kind's declared payloads against what Statsig holds, breaking updates blocked unless
    forced."""
    from statsig_sources.registration.impact import guard_plan
    from statsig_sources.registration.kinds import KINDS
    from statsig_sources.registration.plan import Kind, Wanted, plan_kinds

    wanted = {spec.kind: Wanted(declared[spec.kind], spec.list_all(client)) for spec in KINDS}
    result = plan_kinds(wanted, project.marker, set(request.adopt), set(request.take_over))
    remote_metrics = wanted[Kind.METRIC].remote or ()
    return guard_plan(
        result,
        lambda: remote_metrics,
        adapter_type=project.manifest.adapter_type,
        fetch_experiments=lambda: client.list_experiments("active"),
        force=request.force,
        desired_metrics=declared[Kind.METRIC],
    )


def planned_project(project: Project) -> PlannedProject:
    """What a saved plan records of the project it was made from."""
    from statsig_sources.registration.saved_plan import PlannedProject

    manifest = project.manifest
    return PlannedProject(
        manifest.project_name, manifest.adapter_type, project.marker, manifest_line(project)
    )
