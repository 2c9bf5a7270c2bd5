"""The audit's pure checks over hand-written catalog facts: which grants outside the governed schema
`--revoke` may withdraw (a Statsig role's own, and PUBLIC's, on developer copies) and which it only
reports with the statement to run by hand, other grantees of the governed views, and that every
finding says what to do next. tests/integration/test_postgres_shop_grants.py shows the same on
PostgreSQL's real catalog."""

from __future__ import annotations

import pytest

from statsig_sources.audit.checks import audit_role
from statsig_sources.audit.everyone import other_grantee_findings
from statsig_sources.audit.facts import PUBLIC, Grant, RelationAccess, RoleFacts, SchemaAccess
from statsig_sources.audit.findings import Finding, Scope, withdrawn_by_revoke

ROLE = "statsig_reader"
REVOKE = "revoke select on dbt_alice_statsig_staging.statsig_orders"
SCOPE = Scope("statsig_staging", {"statsig_orders": "statsig_orders"}, target="prod")


def _relation(
    schema: str, name: str, *grants: Grant, owned: bool = False, kind: str = "view"
) -> RelationAccess:
    privileges = frozenset(grant.privilege for grant in grants)
    return RelationAccess(schema, name, kind, privileges, owned, grants)


def _facts(
    *relations: RelationAccess, schemas: tuple[SchemaAccess, ...] = (), superuser: bool = False
) -> RoleFacts:
    governed = SchemaAccess("statsig_staging", True, False, False, (Grant(ROLE, "USAGE"),))
    orders = _relation("statsig_staging", "statsig_orders", Grant(ROLE, "SELECT"))
    return RoleFacts(ROLE, superuser, (governed, *schemas), (orders, *relations))


def test_a_clean_role_has_no_finding() -> None:
    assert audit_role(_facts(), SCOPE) == []


@pytest.mark.parametrize(
    ("grant", "withdrawn", "by_hand"),
    [
        (Grant(ROLE, "SELECT"), [f"{REVOKE} from statsig_reader"], []),
        (Grant(PUBLIC, "SELECT"), [f"{REVOKE} from public"], []),
        (Grant("analysts", "SELECT"), [], [f"{REVOKE} from analysts"]),
    ],
    ids=["own-grant", "public", "through-a-group"],
)  # fmt: skip
def test_a_developer_copy_is_withdrawn_when_the_package_granted_it(
    grant: Grant, withdrawn: list[str], by_hand: list[str]
) -> None:
    [finding] = audit_role(_facts(_relation("dbt_alice_statsig_staging", "statsig_orders", grant)), SCOPE)
    assert (finding.check, finding.subject) == ("developer_copy", "dbt_alice_statsig_staging.statsig_orders")
    assert list(finding.withdrawn_by_revoke) == withdrawn
    assert list(finding.statements) == withdrawn + by_hand
    for statement in finding.statements:
        assert f"`{statement}`" in finding.message


def test_anything_else_outside_is_reported_with_the_statement_to_run_by_hand() -> None:
    facts = _facts(
        _relation("analytics", "customers", Grant(ROLE, "SELECT"), kind="table"),
        schemas=(SchemaAccess("analytics", True, False, False, (Grant(ROLE, "USAGE"),)),),
    )
    found = {(f.check, f.subject): f for f in audit_role(facts, SCOPE)}
    assert sorted(found) == [("outside_relation", "analytics.customers"), ("outside_schema", "analytics")]
    assert found[("outside_schema", "analytics")].message == (
        "statsig_reader holds USAGE on schema analytics, outside the governed schema statsig_staging: "
        "revoke it by hand if Statsig must not read it (`revoke usage on schema analytics from "
        "statsig_reader`), or pass `--output-schema analytics` if it is Statsig's own output schema"
    )
    assert withdrawn_by_revoke(found.values()) == ()


def test_names_are_written_as_the_warehouse_quoted_them() -> None:
    relation = RelationAccess(
        "Dev Copy_statsig_staging",
        "Orders",
        "view",
        frozenset({"SELECT"}),
        False,
        (Grant(ROLE, "SELECT", '"statsig_reader"'),),
        sql_name='"Dev Copy_statsig_staging"."Orders"',
    )
    [finding] = audit_role(_facts(relation), SCOPE)
    assert finding.withdrawn_by_revoke == (
        'revoke select on "Dev Copy_statsig_staging"."Orders" from "statsig_reader"',
    )


def test_a_role_a_non_production_build_grants_is_told_to_leave_that_var() -> None:
    scope = Scope("statsig_staging", SCOPE.declared, target="prod", non_production_roles=(ROLE,))
    [finding] = audit_role(
        _facts(_relation("dbt_ci_statsig_staging", "statsig_orders", Grant(ROLE, "SELECT"))), scope
    )
    assert "statsig_non_production_reader_roles lists the role" in finding.message
    assert finding.withdrawn_by_revoke


def test_a_superuser_is_one_finding_not_one_per_relation() -> None:
    facts = _facts(_relation("analytics", "customers", Grant(ROLE, "SELECT")), superuser=True)
    assert [(f.check, f.message) for f in audit_role(facts, SCOPE)] == [
        (
            "superuser",
            "statsig_reader is a superuser: it can read and change everything; make Statsig's role an "
            "ordinary one (`alter role statsig_reader nosuperuser`)",
        )
    ]


def test_other_grantees_of_the_governed_views_are_findings_statsig_s_roles_are_not() -> None:
    relation = _relation(
        "statsig_staging",
        "statsig_orders",
        Grant(ROLE, "SELECT"),
        Grant("analyst", "SELECT"),
        Grant("analyst", "UPDATE"),
    )
    [finding] = other_grantee_findings([relation], [ROLE])
    assert (finding.check, finding.role, finding.statements) == (
        "other_grantee",
        "analyst",
        ("revoke select, update on statsig_staging.statsig_orders from analyst",),
    )


def _every_finding() -> list[Finding]:
    facts = _facts(
        _relation("dbt_alice_statsig_staging", "statsig_orders", Grant(ROLE, "SELECT"), Grant("g", "SELECT")),
        _relation("analytics", "customers", owned=True),
        _relation("statsig_staging", "stray", Grant(ROLE, "SELECT"), Grant(ROLE, "INSERT")),
        _relation("statsig_staging", "left_behind"),
        schemas=(
            SchemaAccess("statsig_results", False, True, True),
            SchemaAccess("dbt_alice_statsig_staging", True, False, False, (Grant(ROLE, "USAGE"),)),
        ),
    )
    missing = RoleFacts(ROLE, False, (), ())
    return [*audit_role(facts, SCOPE), *audit_role(missing, SCOPE)]


def test_every_finding_says_what_to_do_next() -> None:
    findings = _every_finding()
    assert {f.check for f in findings} == {
        "developer_copy",
        "outside_relation",
        "outside_schema",
        "can_modify",
        "undeclared_relation",
        "governed_schema",
        "missing_source",
    }
    for finding in findings:
        next_step = finding.message.split(": ", 1)[-1] if ": " in finding.message else ""
        assert any(word in next_step for word in ("`", "revoke", "build", "drop", "give")), finding.message
