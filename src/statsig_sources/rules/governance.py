"""Rules that prove governance statically: one governed schema, its grants, and nothing else in it."""

from __future__ import annotations

from collections import Counter

from statsig_sources.declaration.access import everyone, read_privilege
from statsig_sources.declaration.contract import adapters_without_grants
from statsig_sources.declaration.settings import is_developer_copy, target_grants_spec
from statsig_sources.declaration.source import materialization_problem
from statsig_sources.project import MetricSource, Project
from statsig_sources.rules.violations import Violation, violation


def in_governed_schema(source: MetricSource, statsig_schema: str) -> bool:
    """Exactly the governed schema (production targets), or `<target_schema>_<governed>` as the
    package's statsig_schema_name() builds it on any other target."""
    schema = source.model.relation.schema or ""
    return schema.casefold() == statsig_schema.casefold() or is_developer_copy(schema, statsig_schema)


def in_production_schema(source: MetricSource, statsig_schema: str) -> bool:
    """Exactly the governed schema, as the package names it on a target in statsig_production_targets."""
    return (source.model.relation.schema or "").casefold() == statsig_schema.casefold()


def non_production_schemas(project: Project) -> list[str]:
    """The development copies of the governed schema (`<target_schema>_<governed>`) sources are built in."""
    governed = project.settings.statsig_schema
    return sorted(
        {
            source.model.relation.schema or ""
            for source in project.sources
            if in_governed_schema(source, governed) and not in_production_schema(source, governed)
        }
    )


def non_production_message(project: Project) -> str | None:
    """One sentence on sources built outside the production governed schema, or None."""
    schemas = non_production_schemas(project)
    if not schemas:
        return None
    governed = project.settings.statsig_schema
    named = ", ".join(f"`{schema}`" for schema in schemas)
    return (
        f"metric sources are built in {named}, not in the production governed schema `{governed}` (their "
        "target is not in statsig_production_targets), so registering them would point Statsig's "
        "experiments at a development build; run render, plan and apply on a production target's "
        "manifest, or let apply register them with --allow-non-production "
        "(STATSIG_SOURCES_ALLOW_NON_PRODUCTION=1)"
    )


def production_parse_command(project: Project) -> str:
    """The dbt command that writes a production target's manifest: the first target listed in
    statsig_production_targets, as the manifest records the var."""
    targets = project.settings.production_targets
    if not targets:
        return "dbt parse --target <target>, once that target is listed in statsig_production_targets"
    return f"dbt parse --target {targets[0]}"


def render_refusal(project: Project, check: bool) -> str | None:
    """Why `render` (or `render --check`) does not read a manifest whose sources are built in a
    development copy of the governed schema, with the command to run instead; None when they are not.
    Its files are committed and registered as written, so they must name the production schema."""
    schemas = non_production_schemas(project)
    if not schemas:
        return None
    command = "render --check" if check else "render"
    target = project.settings.target
    parsed_for = (
        f"the manifest was parsed for target `{target}`, which is not in statsig_production_targets"
        if target is not None
        else "their target is not in statsig_production_targets"
    )
    named = ", ".join(f"`{schema}`" for schema in schemas)
    return (
        f"{command} refused, nothing was {'compared' if check else 'written'}: metric sources are built in "
        f"{named}, not in the production governed schema `{project.settings.statsig_schema}` ({parsed_for}), "
        f"and the files render writes are committed and registered as they are; run "
        f"`{production_parse_command(project)}`, then `statsig-sources {command}` again, or pass "
        "--allow-non-production (STATSIG_SOURCES_ALLOW_NON_PRODUCTION=1) to read this manifest anyway"
    )


def check_governed_schema(project: Project) -> list[Violation]:
    """Sources built outside the governed schema; a warning for a development copy of it."""
    governed = project.settings.statsig_schema
    found = [
        violation(
            "governed_schema",
            source,
            f"is built in schema `{source.model.relation.schema}`, outside the governed schema "
            f"`{governed}` (or `<target_schema>_{governed}` off production); call "
            "statsig_sources.statsig_schema_name() from your generate_schema_name",
        )
        for source in project.sources
        if not in_governed_schema(source, governed)
    ]
    development = non_production_message(project)
    if development is not None:
        found.append(Violation("", "governed_schema", development, "warning"))
    return found


def _schema_key(source: MetricSource) -> tuple[str, str]:
    relation = source.model.relation.key()
    return (relation[0] or "", relation[1] or "")


def check_single_schema(project: Project) -> list[Violation]:
    """Sources spread over more than one schema: Statsig must be able to read exactly one."""
    counts = Counter(_schema_key(source) for source in project.sources)
    if len(counts) < 2:
        return []
    main, count = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0]
    main_name = ".".join(part for part in main if part)
    return [
        violation(
            "single_schema",
            source,
            f"is in schema `{source.model.relation.schema}`, but {count} source(s) are in "
            f"`{main_name}`; all metric sources must share one governed schema",
        )
        for source in project.sources
        if _schema_key(source) != main
    ]


def check_materialization(project: Project) -> list[Violation]:
    """Sources not materialized as declared: a view unless `meta.statsig.materialized` opts in."""
    found = []
    for source in project.sources:
        declared = source.declaration.materialized if source.declaration is not None else None
        problem = materialization_problem(declared, source.model.materialized)
        if problem is not None:
            found.append(violation("materialization", source, problem))
    return found


def check_grants(project: Project) -> list[Violation]:
    """Grants that miss a role the manifest's target grants (Statsig's on a production target,
    statsig_non_production_reader_roles on any other) or let anyone else read a source."""
    adapter = project.manifest.adapter_type
    if adapter in adapters_without_grants():
        if not project.sources:
            return []
        return [
            Violation(
                "",
                "grants",
                f"grants are not enforceable on {adapter}: dbt applies no grants there, so nothing "
                "limits who may read the governed schema",
                "warning",
            )
        ]
    # The manifest reader lower-cases privileges, as dbt compares them.
    privilege = read_privilege(adapter).lower()
    roles = project.settings.granted_roles
    production = project.settings.production is not False
    found = []
    for source in project.sources:
        grantees = source.model.grants.get(privilege, ())
        folded = {grantee.casefold() for grantee in grantees}
        for role in roles:
            if role.casefold() not in folded:
                found.append(violation("grants", source, f"does not grant {privilege} to `{role}`"))
        for grantee in grantees:
            # A grantee that names everyone is a finding even when the settings list it (those are
            # refused by the `settings` rule, but an older package granted them).
            expected = grantee.casefold() in {role.casefold() for role in roles}
            if not expected or everyone(grantee, adapter) is not None:
                message = _other_grantee(privilege, grantee, adapter, production)
                found.append(violation("grants", source, message))
    return found


def _other_grantee(privilege: str, grantee: str, adapter: str, production: bool) -> str:
    who = everyone(grantee, adapter)
    if who is not None:
        return f"grants {privilege} to `{grantee}`, which on {adapter} is {who}: everyone can read it"
    if not production:
        var = target_grants_spec()["other_targets"]
        return (
            f"grants {privilege} to `{grantee}`, which is not in {var} (what a non-production target grants)"
        )
    return f"grants {privilege} to `{grantee}`, which is not a Statsig role"


def grants_nothing_message(project: Project) -> str | None:
    """One sentence when the manifest's target grants no role read access to its sources (where the
    adapter has GRANT): Statsig could not read what would be registered from it."""
    settings = project.settings
    if (
        not project.sources
        or settings.granted_roles
        or project.manifest.adapter_type in adapters_without_grants()
    ):
        return None
    spec = target_grants_spec()
    var = spec["production"] if settings.production is not False else spec["other_targets"]
    target = f"the target `{settings.target}`" if settings.target else "the manifest's target"
    kind = "a production target" if settings.production is not False else "not a production target"
    return (
        f"{target} grants Statsig no read access to the metric sources ({kind}, and {var} is empty), so "
        "Statsig cannot read what this registers; register from a production target's manifest, or set "
        f"{var} to the role(s) Statsig connects as and build again"
    )


def check_undeclared_in_governed_schema(project: Project) -> list[Violation]:
    """Relations in the governed schema that are not declared metric sources."""
    governed = {
        _schema_key(source)
        for source in project.sources
        if in_governed_schema(source, project.settings.statsig_schema)
    }
    source_ids = {source.model.unique_id for source in project.sources}
    found = []
    for relation in project.manifest.relations.values():
        key = relation.ref.key()
        if relation.unique_id not in source_ids and (key[0] or "", key[1] or "") in governed:
            found.append(
                Violation(
                    relation.unique_id,
                    "undeclared_in_governed_schema",
                    f"{relation.resource_type} `{relation.ref}` is in the governed schema but declares no "
                    "meta.statsig; Statsig can read it",
                    "error",
                    (relation.original_file_path,) if relation.original_file_path else (),
                )
            )
    return found
