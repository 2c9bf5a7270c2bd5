"""Rules over what dbt really built: the run results of the manifest's own invocation, and whether
catalog.json is younger than that build."""

from __future__ import annotations

from statsig_sources.artifacts.run_results import NOT_BUILT, parse_timestamp
from statsig_sources.project import Project
from statsig_sources.rules.violations import Violation, violation

# The longest piece of a dbt error message quoted in a violation (or a reload report), and what ends
# one that was shortened.
MESSAGE_LIMIT = 400
SHORTENED = " … (shortened; dbt's log holds the whole message)"


def unchecked_reason(project: Project) -> str | None:
    """Why the project's run results cannot say which sources were built; None when they can."""
    results = project.run_results
    if results is None:
        return f"there is no run_results.json at {project.artifacts.paths.run_results}"
    return results.unchecked_reason(project.manifest.invocation_id)


def error_summary(message: str) -> str:
    """dbt's error message on one line, without the macro call stack it appends (`> in macro ...`);
    past MESSAGE_LIMIT characters, shortened at the last whole word, and saying so."""
    lines = []
    for line in message.splitlines():
        if line.strip().startswith(">"):
            break
        lines.append(line)
    text = " ".join(" ".join(lines).split())
    if len(text) <= MESSAGE_LIMIT:
        return text
    words = (
        text[: MESSAGE_LIMIT + 1].rsplit(" ", 1)[0] if " " in text[:MESSAGE_LIMIT] else text[:MESSAGE_LIMIT]
    )
    return words.rstrip(" ,;:.") + SHORTENED


def check_build_status(project: Project) -> list[Violation]:
    """Sources whose build errored or was skipped in the run that wrote the manifest."""
    if not project.sources:
        return []
    reason = unchecked_reason(project)
    if reason is not None or project.run_results is None:
        message = (
            f"build status unchecked: {reason}; statsig-sources reads the run results of the `dbt run` or "
            "`dbt build` that wrote the manifest (--run-results PATH points elsewhere)"
        )
        return [Violation("", "build_status", message, "warning")]
    results = project.run_results
    command = results.command
    found, unselected = [], []
    for source in project.sources:
        result = results.nodes.get(source.model.unique_id)
        if result is None:
            unselected.append(source.model.name)
        elif result.status in NOT_BUILT:
            what = "failed" if result.status == "error" else "was skipped"
            detail = error_summary(result.message)
            message = f"its build {what} in `{command}`" + (f": {detail}" if detail else "")
            found.append(violation("build_status", source, message + "; fix it and build it again"))
    if unselected:
        message = (
            f"build status unchecked for {len(unselected)} metric source(s) that `{command}` did not "
            f"build: {', '.join(sorted(unselected))}"
        )
        found.append(Violation("", "build_status", message, "warning"))
    return found


def stale_catalog(project: Project) -> str | None:
    """Why catalog.json cannot be trusted as the warehouse's columns (it predates the manifest or the
    run that wrote it); None when it is fresh, absent, or its age is unknown."""
    catalog_time = parse_timestamp(project.manifest.catalog_generated_at)
    if project.manifest.catalog is None or catalog_time is None:
        return None
    newer = [("manifest", project.manifest.generated_at)]
    if project.invocation_results is not None:
        newer.append(("run results", project.invocation_results.generated_at))
    for what, generated_at in newer:
        moment = parse_timestamp(generated_at)
        if moment is not None and catalog_time < moment:
            return (
                f"catalog.json (generated {project.manifest.catalog_generated_at}) is older than the "
                f"{what} (generated {generated_at}), so it is stale and its columns were not compared; "
                "run `dbt docs generate --no-compile` after `dbt build` to refresh it"
            )
    return None
