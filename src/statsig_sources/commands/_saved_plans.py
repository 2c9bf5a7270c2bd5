"""Saved plans in the commands: `plan --out` saves one, `apply --plan` reads it before any request and
applies it only when it still holds (registration/saved_plan.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from statsig_sources.commands._planning import PlanRequest
    from statsig_sources.project import Project
    from statsig_sources.registration.plan import Plan
    from statsig_sources.registration.saved_plan import Planned, SavedPlan

# The options that shape a plan: `apply --plan` takes them from the file.
SHAPING = (("--adopt", "adopt"), ("--take-over", "take_over"), ("--force", "force"))


def save_plan(path: Path, planned: Planned) -> None:
    """Write the plan (`plan --out`), saying so on stderr: standard output stays the report."""
    from statsig_sources.registration.saved_plan import write_plan

    write_plan(path, planned)
    click.echo(f"Saved the plan to {path}: `apply --plan {path}` applies exactly it.", err=True)


def read_saved_plan(path: Path | None, request: PlanRequest) -> tuple[Path, SavedPlan] | None:
    """The saved plan `apply --plan` applies (an input error for a file that is not one); a usage error
    for an option that shapes a plan, which is the plan's own."""
    from statsig_sources.registration.saved_plan import read_plan

    if path is None:
        return None
    given = [option for option, field in SHAPING if getattr(request, field)]
    if given:
        raise click.UsageError(
            f"{' and '.join(given)} shape a plan: pass them to `plan --out`, not with `apply --plan`."
        )
    return path, read_plan(path)


def approved_plan(
    saved: tuple[Path, SavedPlan],
    request: PlanRequest,
    plan_now: Callable[[PlanRequest], tuple[Project, Planned]],
) -> tuple[Project, Plan]:
    """The saved plan, once planning again with its options (`plan_now`, which runs every check
    `apply` runs) shows that Statsig and the project are as it found them."""
    from statsig_sources.registration.saved_plan import check_still_holds

    path, plan_file = saved
    options = plan_file.options
    asked = replace(request, adopt=options.adopt, take_over=options.take_over, force=options.force)
    project, planned = plan_now(asked)
    approved = check_still_holds(path, plan_file, planned)
    said = f"{path} still holds: Statsig and the project are as it found them ({plan_file.planned_at})."
    click.echo(said, err=request.fmt != "text")  # JSON and markdown reports print nothing else
    return project, approved
