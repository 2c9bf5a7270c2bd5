"""The plan `plan` and `apply` both start from: the project validated (nothing is asked of Statsig for an
invalid one), its payloads diffed against what Statsig holds, updates that would break a live metric
blocked unless forced, and the fingerprints of everything that was read, for a saved plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from statsig_sources.commands._options import ProjectOptions
from statsig_sources.commands._project import admitted_project, manifest_line
from statsig_sources.support.errors import RefusedError

if TYPE_CHECKING:
    from statsig_sources.project import Project
    from statsig_sources.registration.plan import Plan
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
    from statsig_sources.registration.metric_payloads import build_metric_payloads
    from statsig_sources.registration.payloads import build_payloads, check_encodable
    from statsig_sources.registration.saved_plan import Planned, PlanOptions
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
    payloads, metrics = build_payloads(project), build_metric_payloads(project)
    check_encodable([*payloads, *metrics], "No request was sent to Statsig.")
    desired = [payload.body for payload in payloads]
    declared = [metric.body for metric in metrics]
    with client.reads_logged() as reads:  # everything the plan reads is fingerprinted
        result = _diffed(request, project, desired, declared, client)
    planned = Planned(
        result,
        planned_project(project),
        PlanOptions(request.adopt, request.take_over, request.force),
        (desired, declared),
        reads,
    )
    return project, planned


def _diffed(
    request: PlanRequest,
    project: Project,
    desired: list[dict[str, Any]],
    declared: list[dict[str, Any]],
    client: StatsigClient,
) -> Plan:
    """The declared payloads against what Statsig holds, breaking updates blocked unless forced."""
    from statsig_sources.registration.impact import guard_plan
    from statsig_sources.registration.plan import build_plan

    remote_sources, remote_metrics = client.list_sources(), client.list_metrics()
    result = build_plan(
        desired,
        remote_sources,
        project.marker,
        set(request.adopt),
        metrics=declared,
        remote_metrics=remote_metrics,
        take_over=set(request.take_over),
    )
    adapter = project.manifest.adapter_type
    return guard_plan(
        result,
        lambda: remote_metrics,
        adapter_type=adapter,
        fetch_experiments=lambda: client.list_experiments("active"),
        force=request.force,
        desired_metrics=declared,
    )


def planned_project(project: Project) -> PlannedProject:
    """What a saved plan records of the project it was made from."""
    from statsig_sources.registration.saved_plan import PlannedProject

    manifest = project.manifest
    return PlannedProject(
        manifest.project_name, manifest.adapter_type, project.marker, manifest_line(project)
    )
