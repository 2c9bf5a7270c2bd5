"""Rules that prove governance statically: one governed schema, its grants, and nothing else in it."""

from __future__ import annotations

from collections import Counter

from statsig_sources.contract import adapters_without_grants
from statsig_sources.project import MetricSource, Project, Violation, violation

# The privilege that lets a grantee read a relation, as dbt's `grants` config spells it.
READ_PRIVILEGES = {"bigquery": "roles/bigquery.dataviewer"}


def in_governed_schema(source: MetricSource, statsig_schema: str) -> bool:
    """Exactly the governed schema (production targets), or `<target_schema>_<governed>` as the
    package's statsig_schema_name() builds it on any other target."""
    schema = (source.model.relation.schema or "").casefold()
    governed = statsig_schema.casefold()
    return schema == governed or schema.endswith("_" + governed)


def check_governed_schema(project: Project) -> list[Violation]:
    """Sources built outside the governed schema."""
    governed = project.settings.statsig_schema
    return [
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
    """Ephemeral sources: they build no relation Statsig could read."""
    return [
        violation(
            "materialization",
            source,
            "is materialized ephemeral, so there is no relation for Statsig to read; use view, table "
            "or incremental",
        )
        for source in project.sources
        if source.model.materialized == "ephemeral"
    ]


def check_grants(project: Project) -> list[Violation]:
    """Grants that miss the Statsig role(s) or let anyone else read a source."""
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
    privilege = READ_PRIVILEGES.get(adapter, "select")
    roles = project.settings.statsig_roles
    found = []
    for source in project.sources:
        grantees = source.model.grants.get(privilege, ())
        folded = {grantee.casefold() for grantee in grantees}
        for role in roles:
            if role.casefold() not in folded:
                found.append(violation("grants", source, f"does not grant {privilege} to `{role}`"))
        for grantee in grantees:
            if grantee.casefold() not in {role.casefold() for role in roles}:
                found.append(
                    violation(
                        "grants", source, f"grants {privilege} to `{grantee}`, which is not a Statsig role"
                    )
                )
    return found


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
