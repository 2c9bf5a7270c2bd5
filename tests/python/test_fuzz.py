"""Fuzzing the command line: generated manifests and generated Statsig answers (served by the raw
loopback server) through validate, render, plan and usage; and generated load histories and lost or
refused loads through reload. Whatever comes in: no traceback, an exit
code from the documented table, bounded time, `--format json` prints nothing but JSON, and the key
never reaches the output or any file written. And generated role and schema names, as CLI options and
as the package recorded them, through validate's settings check: no traceback, and no name passes that
is not a safe name for the adapter (judged here without the contract's patterns).

Deterministic (derandomized) and modest: a few dozen examples, each run through every command.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import string
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from hostile_statsig import HostileServer, Reply, Seen, envelope
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from manifest_fixtures import read_fixture, run_results_document

from statsig_sources import __version__
from statsig_sources.artifacts.paths import SQL_ANSWERS_FILE as CACHE_FILE
from statsig_sources.cli import main
from statsig_sources.sql import answers as sql_results
from statsig_sources.sql.answers import sql_digest
from statsig_sources.standin import make_metric

KEY = "console-FUZZKEY0123456789abcdef"
SECRET = KEY.split("-", 1)[1].lower()
NODE = "model.shop.statsig_purchases"
EXIT_CODES = {0, 1, 2, 3, 130}
TIMEOUTS = ["--request-timeout", "1", "--command-timeout", "3"]

HOSTILE_TEXT = [
    "{{ env_var('STATSIG_CONSOLE_API_KEY') }}",
    "{% raw %}x{% endraw %} {# c #}",
    "\x7f\x85\u2028\ufeff\ufffe\uffff",
    "\ud800 lone",
    "managed-by:statsig-sources:other",
    "(" * 3000,
    "select * from raw.secrets",
    "- 1\n# not: yaml",
    "",
    " ",
]
text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=12),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
DECLARATION_KEYS = [
    "granularity", "unit_ids", "timestamp", "source_name", "value", "measures", "dimensions", "filter",
    "description", "owner", "tags", "source_type", "sql", "custom_fields", "timestamp_type", "metrics",
]  # fmt: skip
AGGREGATIONS = ["count", "count_distinct", "sum", "mean", "percentile", "ratio", "funnel", "median"]
columns = st.sampled_from(["value", "country", "item_count", "amount_usd", "VALUE"]) | text
criteria = st.fixed_dictionaries(
    {"condition": st.sampled_from(["in", "=", "is_null", "sql_filter", "between"]) | text},
    optional={
        "column": columns,
        "values": st.lists(scalars, max_size=2),
        "sql": st.sampled_from(["item_count > 1", "x in (select 1 from raw.y)", "((("]) | text,
    },
)
metric_declarations = st.fixed_dictionaries(
    {"name": st.sampled_from(["Order revenue", "Rev", "a/b::c %", "ORDER REVENUE"]) | text},
    optional={
        "aggregation": st.sampled_from(AGGREGATIONS) | text,
        "numerator_aggregation": st.sampled_from(["count", "sum", "mean"]),
        "value_column": columns,
        "percentile": scalars,
        "criteria": st.lists(criteria | json_values, max_size=2),
        "dimensions": st.lists(columns, max_size=2),
        "denominator": st.fixed_dictionaries(
            {
                "source": st.sampled_from(["statsig_purchases", "sessions"]) | text,
                "aggregation": st.sampled_from(AGGREGATIONS),
            },
            optional={"value_column": columns, "criteria": st.lists(criteria, max_size=1)},
        )
        | json_values,
        "unit_types": st.lists(st.sampled_from(["userID", "stableID", "companyID"]) | text, max_size=2),
        "tags": st.lists(text, max_size=2),
        "owner": text,
    },
)
plausible = {
    "granularity": st.sampled_from(["event_log", "daily_fact", "daily_aggregate", "hourly"]),
    "tags": st.lists(text, max_size=3),
    "source_type": st.sampled_from(["query", "table", "view"]),
    "filter": st.sampled_from(["country = 'NL'", "(" * 3000 + "1=1" + ")" * 3000, "x in (select 1 from y)"]),
    "metrics": st.lists(metric_declarations | json_values, max_size=3),
}


@st.composite
def manifests(draw: st.DrawFn) -> str:
    """Half the time the valid fixture (so Statsig's answers are what is fuzzed), otherwise the
    fixture with one part mutated: its declaration, description, SQL, adapter, or its structure."""
    data = read_fixture("valid/postgres_production.json")
    node = data["nodes"][NODE]
    declaration = node["config"]["meta"]["statsig"]
    part = draw(
        st.sampled_from(["none"] * 6 + ["declaration", "drop", "text", "sql", "adapter", "structure"])
    )
    if part == "declaration":
        for key in draw(st.lists(st.sampled_from(DECLARATION_KEYS), min_size=1, max_size=3, unique=True)):
            declaration[key] = draw(plausible.get(key, json_values) | json_values)
    elif part == "drop":
        declaration.pop(draw(st.sampled_from(DECLARATION_KEYS)), None)
    elif part == "text":
        node["description"] = draw(text)
        declaration["description"] = draw(text)
    elif part == "sql":
        node["compiled_code"] = draw(
            st.sampled_from(["select (((1", "(" * 3000, "select 1 from raw.x", None])
        )
    elif part == "adapter":
        data["metadata"]["adapter_type"] = draw(
            st.sampled_from(["duckdb", "snowflake", "spark", "oracle", ""])
        )
    elif part == "structure":
        broken = draw(st.sampled_from(["not-json", "deep", "nodes", "metadata"]))
        if broken == "not-json":
            return draw(st.text(max_size=30))
        if broken == "deep":
            return "[" * 200_000
        data[broken] = draw(json_values)
    return json.dumps(data)


def echoes(key: str) -> list[str]:
    return [key, key.upper(), key.lower(), quote(key.upper(), safe=""), json.dumps(key)[1:-1]]


# Statsig's text may also echo the key (a description someone pasted it into).
remote_text = text | st.sampled_from(echoes(KEY)).map(lambda echo: f"pasted {echo} here")
well_formed_sources = st.fixed_dictionaries(
    {"name": st.sampled_from(["statsig_purchases", "legacy"]) | text, "tags": st.lists(text, max_size=2)},
    optional={
        "sql": remote_text,
        "description": remote_text,
        "idTypeMapping": st.just([{"statsigUnitID": "userID", "column": "u"}]),
    },
)
well_formed_metrics = st.builds(
    lambda name, source, description, aggregation: make_metric(
        name, source, aggregation=aggregation, description=description
    ),
    remote_text,
    st.sampled_from(["statsig_purchases", "statsig_purchases", "gone"]) | text,
    remote_text,
    remote_text,
)
# Mostly the shapes Statsig documents, holding hostile text; sometimes any JSON at all.
sources = st.one_of(well_formed_sources, json_values)
metrics = st.one_of(well_formed_metrics, json_values)
answers = st.fixed_dictionaries(
    {
        "status": st.sampled_from([201, 204, 301, 400, 401, 403, 404, 409, 429, 500, 503]),
        "retry_after": st.sampled_from(
            [None, "0", "0.2", "5", "-1", "soon", "Wed, 21 Oct 2015 07:28:00 GMT"]
        ),
        "raw": st.sampled_from([None, b"", b"not json", b"[" * 5000, b'"x"', b'{"data": null}']),
    }
)
healthy = st.just({"status": 200, "retry_after": None, "raw": None})
VALID = json.dumps(read_fixture("valid/postgres_production.json"))
HEALTHY = {
    "status": 200,
    "retry_after": None,
    "raw": None,
    "sources": [],
    "metrics": [make_metric(f"pasted {KEY.upper()} {{{{ env_var('X') }}}}", "statsig_purchases")],
    "next_page": None,
    "total": 1,
    "echo": KEY,
}


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    """Half the time Statsig answers 200 with documented shapes (holding hostile text); otherwise
    an error status, a redirect, a body that is not JSON, or one of the wrong shape."""
    world: dict[str, Any] = draw(st.one_of(healthy, answers))
    world["sources"] = draw(st.lists(sources, max_size=3))
    world["metrics"] = draw(st.lists(metrics, max_size=3))
    world["next_page"] = draw(st.sampled_from([None, "/console/v1/x?page=2", "?page=1", "?page=x", "nope"]))
    world["total"] = draw(st.sampled_from([None, 0, 1, 5, -3, 10**9]))
    world["echo"] = draw(st.sampled_from(echoes(KEY)))
    return world


class Statsig:
    """A script for the raw server: answers per the current generated world."""

    def __init__(self) -> None:
        self.world: dict[str, Any] = {}

    def __call__(self, seen: Seen) -> Reply:
        world = self.world
        headers = {"Retry-After": world["retry_after"]} if world["retry_after"] else {}
        if world["status"] not in (200, 201):
            body = {"status": world["status"], "message": f"no: {world['echo']}"}
            body["errors"] = [{"property": "key", "errorMessage": world["echo"]}]
            headers["Location"] = f"https://x.example/?k={world['echo']}"
            return Reply(world["status"], body, headers, reason=f"Echo {world['echo']}")
        if world["raw"] is not None:
            return Reply(world["status"], world["raw"], headers)
        items = world["metrics"] if seen.path == "/metrics/list" else world["sources"]
        next_page = world["next_page"] if seen.query.get("page") == "1" else None
        return envelope(items, next_page=next_page, total=world["total"])


@pytest.fixture(scope="module")
def statsig() -> Iterator[tuple[HostileServer, Statsig]]:
    script = Statsig()
    with HostileServer(script) as server:
        yield server, script


COMMANDS = [
    ["validate", "--format", "json"],
    ["render"],
    ["plan", "--format", "json", *TIMEOUTS],
    ["usage", "--write-exposures", "{project}/models/exposures.yml", *TIMEOUTS],
    ["import-semantic-layer", "--check", "--format", "json"],
]


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(manifest=manifests(), world=worlds())
@example(manifest="[" * 200_000, world=HEALTHY)
@example(
    manifest=VALID.replace('"Purchases, net of refunds."', "\"\\ud800 {{ env_var('X') }}\""), world=HEALTHY
)
def test_any_manifest_and_any_statsig_answer_end_in_a_documented_exit(
    statsig: tuple[HostileServer, Statsig], manifest: str, world: dict[str, Any]
) -> None:
    server, script = statsig
    script.world = world
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        (project / "target").mkdir()
        (project / "target" / "manifest.json").write_text(manifest, encoding="utf-8", errors="surrogatepass")
        env = {"STATSIG_API_URL": server.url, "STATSIG_CONSOLE_API_KEY": KEY}
        for command in COMMANDS:
            started = time.monotonic()
            args = [part.format(project=project) for part in command]
            result = CliRunner().invoke(main, [*args, "--project-dir", str(project)], env=env)
            took = time.monotonic() - started
            where = f"{command[0]} exited {result.exit_code}: {result.output[-2000:]}"
            assert result.exception is None or isinstance(result.exception, SystemExit), where
            assert result.exit_code in EXIT_CODES, where
            assert "Traceback" not in result.output, where
            assert SECRET not in result.output.lower(), where
            assert took < 30, where  # a deadline stops every request; without one, retries could not end
            if "json" in command and result.exit_code in (0, 1):
                json.loads(result.stdout)
        written = [path for path in project.rglob("*") if path.is_file()]
        assert [p for p in written if SECRET in p.read_bytes().decode("utf-8", "replace").lower()] == []


# The remembered SQL answers (target/statsig_sources_sql_reads.json): whatever the file holds, SQL that
# must be refused is refused, with the same findings as without a file, and without a traceback.
CACHE_NODE = "model.shop.statsig_purchases"
RAW_OVERRIDE = "select * from main_demo_raw.demo_raw_orders"
FILE_FILTER = "user_id in (select user_id from read_csv('/etc/passwd'))"
GOVERNED_ONLY = [["analytics", "statsig_staging", "statsig_purchases"]]


def _refused_project(project: Path) -> None:
    data = read_fixture("valid/postgres_production.json")
    node = data["nodes"][CACHE_NODE]
    node["config"]["meta"]["statsig"].update(sql=RAW_OVERRIDE, filter=FILE_FILTER)
    node["compiled_code"] = node["compiled_code"].replace(
        '"analytics"."marts"."fct_purchases"', "raw.payments"
    )
    (project / "target").mkdir(parents=True, exist_ok=True)
    (project / "target" / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    (project / "target" / "run_results.json").write_text(
        json.dumps(run_results_document(data)), encoding="utf-8"
    )


def _findings(project: Path) -> tuple[int, list[str], str]:
    result = CliRunner().invoke(main, ["validate", "--format", "json", "--project-dir", str(project)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    messages = sorted(v["message"] for v in json.loads(result.stdout)["violations"]) if result.stdout else []
    return result.exit_code, messages, result.stderr


@pytest.fixture(scope="module")
def genuine_cache(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[str], dict[str, Any]]:
    """The cache the tool writes for the refused project, the findings without one, and lies about it."""
    project = tmp_path_factory.mktemp("genuine")
    _refused_project(project)
    code, messages, _ = _findings(project)
    assert code == 1 and len(messages) == 3, messages
    node = json.loads((project / "target" / "manifest.json").read_text())["nodes"][CACHE_NODE]
    lies = {
        sql_digest(RAW_OVERRIDE, True): [GOVERNED_ONLY, None, []],
        sql_digest(FILE_FILTER, False): [[], None, []],
        sql_digest(node["compiled_code"], True): [[["analytics", "marts", "fct_purchases"]], None, []],
    }
    return (project / "target" / CACHE_FILE).read_bytes(), messages, lies


def _sealed(body: bytes, key: bytes) -> bytes:
    seal = hmac.new(key, b"statsig-sources sql reads 2\0" + body, hashlib.sha256).digest()
    return b'{"seal": "' + base64.b64encode(seal) + b'", "body": ' + body + b"}"


def _lying_body(lies: dict[str, Any], reader: str | None, dialect: str) -> bytes:
    return json.dumps(
        {"reader": reader or sql_results._reader(), "dialect": dialect, "answers": lies}
    ).encode()


cache_edits = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.floats(0, 1, exclude_max=True)),
    st.tuples(
        st.just("lie"),
        st.sampled_from(["another key", "the genuine seal", "no seal", "a seal of the wrong type"]),
        st.sampled_from([None, "a reader of its own"]),
        st.sampled_from(["postgres", "duckdb", ""]),
    ),
    st.tuples(st.just("json"), json_values, json_values),
    st.tuples(
        st.just("bytes"),
        st.binary(max_size=64)
        | st.sampled_from([b"[" * 100_000, b'{"seal": "", "body": ' + b"[" * 100_000 + b"}", b"\x00" * 1000]),
    ),
)


def _cache_bytes(edit: tuple[Any, ...], genuine: bytes, lies: dict[str, Any]) -> bytes:
    kind = edit[0]
    if kind == "flip":
        position = int(edit[1] * len(genuine))
        return genuine[:position] + bytes([edit[2]]) + genuine[position + 1 :]
    if kind == "truncate":
        return genuine[: int(edit[1] * len(genuine))]
    if kind == "json":
        return json.dumps({"seal": edit[1], "body": edit[2]}).encode("utf-8", "surrogatepass")
    if kind == "bytes":
        return bytes(edit[1])
    _, seal, reader, dialect = edit
    body = _lying_body(lies, reader, dialect)
    if seal == "another key":
        return _sealed(body, b"a key of someone else's, 32 bytes")
    if seal == "the genuine seal":
        return genuine[: genuine.index(b'"body":')] + b'"body": ' + body + b"}"
    if seal == "no seal":
        return body
    return b'{"seal": 12345, "body": ' + body + b"}"


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(edit=cache_edits)
@example(edit=("lie", "another key", None, "postgres"))
@example(edit=("lie", "the genuine seal", None, "postgres"))
def test_no_cache_file_turns_a_refusal_into_a_pass(
    genuine_cache: tuple[bytes, list[str], dict[str, Any]], edit: tuple[Any, ...]
) -> None:
    genuine, refused, lies = genuine_cache
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        _refused_project(project)
        (project / "target" / CACHE_FILE).write_bytes(_cache_bytes(edit, genuine, lies))
        assert _findings(project)[:2] == (1, refused)
        assert _findings(project)[:2] == (1, refused)  # and again, from what the first run left


# Names a warehouse takes as everyone, in lower case (BigQuery's `domain:` and `specialGroup:` members
# are whole populations too).
EVERYONE_NAMES = {
    "public",
    "users",
    "account users",
    "allusers",
    "allauthenticatedusers",
    "group public",
    "role public",
}
IDENTIFIER_CHARACTERS = set(string.ascii_letters + string.digits + "_$")
# Where dbt writes a role between quotes it cannot escape; elsewhere it writes the role bare.
QUOTED_BY_DBT = {"databricks": "`", "bigquery": '"', "trino": '"'}
FUZZED_ADAPTERS = [
    "postgres",
    "redshift",
    "snowflake",
    "bigquery",
    "databricks",
    "trino",
    "duckdb",
    "spark",
    "oracle",
]


def is_safe_name(name: str, kind: str, adapter: str) -> bool:
    """Whether `name` can only be read as one name where dbt writes it: a bare identifier token (for a
    schema, and a role dbt writes unquoted; Redshift's `group `/`role ` before it), or printable ASCII
    without the quote dbt puts around it (nor a backslash). Never a name for everyone."""
    if kind == "schema":
        return bool(name) and set(name) <= IDENTIFIER_CHARACTERS
    lowered = name.lower()
    if lowered in EVERYONE_NAMES or lowered.startswith(("domain:", "specialgroup:")):
        return False
    quote = QUOTED_BY_DBT.get(adapter)
    if quote is not None:
        return bool(name) and name.isascii() and name.isprintable() and quote not in name and "\\" not in name
    head, _, rest = name.partition(" ")
    bare = rest if adapter == "redshift" and head in ("group", "role") else name
    return bool(bare) and set(bare) <= IDENTIFIER_CHARACTERS and not bare[0].isdigit() and bare[0] != "$"


NAME_FRAGMENTS = [
    "statsig_reader", "STATSIG_READER", "public", "PUBLIC", "Public", "users", "Account Users", "allUsers",
    "specialGroup:allAuthenticatedUsers", "domain:example.com", "group statsig_readers", "group public",
    "serviceAccount:statsig@p.iam.gserviceaccount.com", "user:first.last@example.com", "statsig@example.com",
    "Data Science", "6f3a3e0e-8d3c-4b1e-9b2a-0c1d2e3f4a5b", "r; grant all on schema public to evil; --",
    'x"; drop table public.victim; --', "x` to evil", "x\\", "a\nb", "a\x00b", "statsig_re\u0430der", " ", "",
]  # fmt: skip
name_characters = st.sampled_from(list(string.ascii_letters + string.digits + "_$@.+-: `\"';\\\n/*"))
names = st.one_of(
    st.sampled_from(NAME_FRAGMENTS),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_$]{0,70}", fullmatch=True),
    st.from_regex(r"(group |role |user:|serviceAccount:)?[a-z0-9_.@ -]{1,20}", fullmatch=True),
    st.text(name_characters, max_size=24),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=12),
)


def _settings_check(manifest: dict[str, Any], options: list[str]) -> list[str]:
    """validate's settings findings for this manifest and these options, asserting a documented end."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "manifest.json"
        path.write_text(json.dumps(manifest), encoding="utf-8")
        result = CliRunner().invoke(main, ["validate", "--manifest", str(path), "--format", "json", *options])
    where = f"exited {result.exit_code}: {result.output[-2000:]}"
    assert result.exception is None or isinstance(result.exception, SystemExit), where
    assert result.exit_code in (0, 1, 2) and "Traceback" not in result.output, where
    if result.exit_code == 2:
        return ["usage error"]
    return [v["message"] for v in json.loads(result.stdout)["violations"] if v["rule"] == "settings"]


def _manifest(adapter: str, recorded: dict[str, Any] | None = None) -> dict[str, Any]:
    data = read_fixture("valid/postgres_production.json")
    data["metadata"]["adapter_type"] = adapter
    if recorded is not None:
        data["nodes"][NODE]["config"]["meta"]["statsig_sources"] = {
            "package_version": __version__,
            **recorded,
        }
    return data


VAR_SETTINGS = settings(
    max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@VAR_SETTINGS
@given(
    adapter=st.sampled_from(FUZZED_ADAPTERS),
    roles=st.lists(names, max_size=3),
    schema=st.none() | names,
)
@example(
    adapter="postgres", roles=["r; grant all on schema public to evil; --"], schema='x"; drop table t; --'
)
@example(adapter="databricks", roles=["x` to evil", "account users"], schema="x`y")
def test_generated_names_as_options_pass_validate_only_when_safe(
    adapter: str, roles: list[str], schema: str | None
) -> None:
    options = [part for role in roles for part in ("--statsig-role", role)]
    options += ["--statsig-schema", schema] if schema is not None else []
    found = _settings_check(_manifest(adapter), options)
    if not found:
        assert all(is_safe_name(role, "role", adapter) for role in roles), roles
        assert schema is None or is_safe_name(schema, "schema", adapter), schema


@VAR_SETTINGS
@given(
    adapter=st.sampled_from(FUZZED_ADAPTERS),
    roles=st.lists(names, max_size=3) | names | json_values,
    schema=names | json_values,
)
@example(adapter="postgres", roles=5, schema={"a": 1})
@example(adapter="redshift", roles=["group public"], schema="statsig_staging")
def test_generated_recorded_settings_pass_validate_only_when_safe(
    adapter: str, roles: Any, schema: Any
) -> None:
    recorded = {"statsig_reader_roles": roles, "statsig_schema": schema}
    found = _settings_check(_manifest(adapter, recorded), [])
    if not found:
        listed = [roles] if isinstance(roles, str) else roles
        assert isinstance(listed, list) and isinstance(schema, str), (roles, schema)
        assert all(isinstance(role, str) and is_safe_name(role, "role", adapter) for role in listed), roles
        assert is_safe_name(schema, "schema", adapter), schema


# --- reload: any load history, and loads whose answers are lost ------------------------------------

FINISHED_MS = 1779271205000  # reload_support.GENERATED_AT, when the run finished
created_times = st.one_of(
    st.sampled_from([FINISHED_MS - 60_000, FINISHED_MS + 60_000, FINISHED_MS / 1000 + 60, 0, 1e20, -1e15]),
    st.floats(),  # NaN and Infinity included: the stand-in of a server that writes them
    st.integers(-(10**30), 10**30),
    st.sampled_from([10**400, True, None, "1779271265000", [], {}]),
)
history_loads = st.fixed_dictionaries(
    {"createdTime": created_times},
    optional={
        "finishedState": st.sampled_from(["success", "failure", "partial_failure", "timeout"]) | text,
        "reloadType": st.sampled_from(["metric", "full"]) | text,
        "finishedTime": scalars,
        "startDs": text,
    },
)
plausible_loads = st.fixed_dictionaries(
    {
        "createdTime": st.sampled_from([FINISHED_MS - 60_000, FINISHED_MS + 60_000]),
        "reloadType": st.sampled_from(["metric", "full"]),
    },
    optional={"finishedState": st.sampled_from(["success", "failure", "cancelled"])},
)
history_answers = st.one_of(
    # Mostly Statsig's shape, so that the loads and their lost answers are fuzzed too.
    *[st.lists(plausible_loads, max_size=2)] * 6,
    st.lists(history_loads | json_values, max_size=3),
    st.sampled_from(
        [
            b"not json",
            b'{"data": [{"createdTime": NaN}], "pagination": null}',
            b'{"data": [{"createdTime": 1e400}]}',
            b'{"data": [{"createdTime": -Infinity}]}',
            b'{"data": [{"createdTime": ' + b"9" * 400 + b"}]}",
            b'{"data": ' + b"[" * 5000,
            b'{"data": null}',
        ]
    ),
)
# How Statsig answers each load: "after" ones record the load first.
LOAD_ANSWERS = ["ok", "ok", "drop_before", "drop_after", "503_before", "503_after", "429", "400"]


class ReloadStatsig:
    """A script for the raw server: reload_support's metrics and experiments, a generated load history
    (with the loads recorded so far), and generated answers to each load."""

    def __init__(self) -> None:
        self.world: dict[str, Any] = {}
        self.recorded: dict[str, list[dict[str, Any]]] = {}

    def start(self, world: dict[str, Any]) -> None:
        self.world, self.recorded = world, {}

    def __call__(self, seen: Seen) -> Reply:
        from reload_support import EXPERIMENTS, METRICS

        parts = seen.path.strip("/").split("/")
        if seen.path == "/metrics/list":
            return envelope(METRICS, total=len(METRICS))
        if seen.path == "/experiments":
            return envelope(EXPERIMENTS, total=len(EXPERIMENTS))
        if parts[-1] == "pulse_load_history":
            answer = self.world["history"]
            if isinstance(answer, bytes):
                return Reply(200, answer)
            loads = [*self.recorded.get(parts[1], []), *answer]
            return envelope(loads, total=len(loads))
        return self._load(parts[1])

    def _load(self, experiment: str) -> Reply:
        answers = self.world["loads"]
        kind = answers.pop(0) if answers else "ok"
        if kind in ("ok", "drop_after", "503_after"):
            load = {"createdTime": time.time() * 1000, "reloadType": "metric", "creatorName": "fuzz"}
            self.recorded.setdefault(experiment, []).insert(0, load)
        if kind.startswith("drop"):
            return Reply(drop=True)
        if kind.startswith("503") or kind == "429":
            status = 429 if kind == "429" else 503
            return Reply(status, {"status": status, "message": "later"}, {"Retry-After": "0"})
        if kind == "400":
            return Reply(400, {"status": 400, "message": f"Experiment {experiment} is not running."})
        return Reply(200, {"message": "Experiment is loading."})


@pytest.fixture(scope="module")
def reload_statsig() -> Iterator[tuple[HostileServer, ReloadStatsig]]:
    script = ReloadStatsig()
    with HostileServer(script) as server:
        yield server, script


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    history=history_answers,
    answers=st.lists(st.sampled_from(LOAD_ANSWERS), max_size=6),
    mode=st.sampled_from([[], ["--select", "purchases"], ["--dry-run"], ["--refresh", "full"]]),
    fmt=st.sampled_from(["json", "text", "markdown"]),
)
@example(history=[{"createdTime": 1e20}], answers=[], mode=[], fmt="json")
@example(history=[{"createdTime": math.nan}], answers=[], mode=[], fmt="text")
@example(history=[], answers=["drop_after", "503_after"], mode=["--select", "purchases"], fmt="json")
def test_any_load_history_and_any_lost_answer_end_in_a_documented_exit_and_one_load_each(
    reload_statsig: tuple[HostileServer, ReloadStatsig],
    history: Any,
    answers: list[str],
    mode: list[str],
    fmt: str,
) -> None:
    from reload_support import write_project

    server, script = reload_statsig
    script.start({"history": history, "loads": list(answers)})
    with tempfile.TemporaryDirectory() as directory:
        project = write_project(Path(directory))
        args = ["reload", "--project-dir", str(project), "--format", fmt, *mode, *TIMEOUTS]
        env = {"STATSIG_API_URL": server.url, "STATSIG_CONSOLE_API_KEY": KEY}
        started = time.monotonic()
        result = CliRunner().invoke(main, args, env=env)
    where = f"reload {mode} exited {result.exit_code}: {result.output[-2000:]}"
    assert result.exception is None or isinstance(result.exception, SystemExit), where
    assert result.exit_code in EXIT_CODES and "Traceback" not in result.output, where
    assert result.exit_code == 0 or result.output.strip(), where  # every failure says why
    assert time.monotonic() - started < 30, where
    assert all(len(loads) <= 1 for loads in script.recorded.values()), (where, script.recorded)
    if fmt == "json" and result.exit_code in (0, 1):
        report = json.loads(result.stdout)
        assert report["summary"]["requested"] == sum(map(len, script.recorded.values())), where
