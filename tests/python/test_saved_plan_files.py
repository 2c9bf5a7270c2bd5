"""A file given to `apply --plan` that is not a plan this version wrote: malformed, truncated, of another
format or version, edited, huge, nested without end. Each exits 2 with one clear line naming the file,
before any request; generated files (hypothesis) never traceback, and a generated file is applied only
when it means exactly the plan that was saved."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import KEY

from statsig_sources import __version__
from statsig_sources.cli import main
from statsig_sources.registration import saved_plan
from statsig_sources.registration.plan_items import PlanItem
from statsig_sources.standin import FakeStatsig

FIXTURE = "valid/metrics_across_sources.json"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeStatsig, Path, dict[str, Any]]]:
    """The stand-in, a project, and the plan `plan --out` saved for them (it creates everything)."""
    import shutil

    from manifest_fixtures import FIXTURES, write_run_results

    project = tmp_path_factory.mktemp("project")
    (project / "target").mkdir()
    shutil.copy(FIXTURES / FIXTURE, project / "target" / "manifest.json")
    write_run_results(project / "target", FIXTURES / FIXTURE)
    with FakeStatsig() as fake:
        path = project / "plan.json"
        assert invoke(fake, project, "plan", "--out", str(path)).exit_code == 0
        yield fake, project, json.loads(path.read_text())


def invoke(fake: FakeStatsig, project: Path, *args: str) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    return CliRunner().invoke(main, [*args, "--project-dir", str(project)], env=env)


def apply(world: tuple[FakeStatsig, Path, dict[str, Any]], data: bytes) -> tuple[Result, list[str]]:
    """`apply --plan --dry-run` of a file holding `data` (a dry run persists nothing, so every example
    meets the same Statsig); the result and the methods of the requests it sent."""
    fake, project, _ = world
    path = project / "given.json"
    path.write_bytes(data)
    before = len(fake.requests)
    result = invoke(fake, project, "apply", "--yes", "--dry-run", "--plan", str(path))
    return result, [request.method for request in fake.requests[before:]]


def edited(plan: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> bytes:
    copy = json.loads(json.dumps(plan))
    edit(copy)
    return json.dumps(copy).encode()


def _set(path: str | tuple[str | int, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    """An edit setting the value at `path` (dotted, or a tuple of keys and indexes)."""
    parts = tuple(int(p) if p.isdigit() else p for p in path.split(".")) if isinstance(path, str) else path

    def edit(data: dict[str, Any]) -> None:
        node: Any = data
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value

    return edit


NOT_JSON = " is not a statsig-sources plan: it is not JSON"
UNREADABLE = " is not a statsig-sources plan this version can read"
DEEP = "[" * 100_000 + "]" * 100_000


def _text(plan: dict[str, Any], old: str, new: str) -> bytes:
    return json.dumps(plan).replace(old, new, 1).encode()


CASES: list[tuple[str, Callable[[dict[str, Any]], bytes], str]] = [
    ("empty", lambda plan: b"", f"{NOT_JSON} (Input data was truncated)"),
    ("not-json", lambda plan: b"plan: yes\n", f"{NOT_JSON} (JSON is malformed: invalid character (byte 0))"),
    ("truncated", lambda plan: json.dumps(plan).encode()[:-40], f"{NOT_JSON} (Input data was truncated)"),
    ("not-utf8", lambda plan: b'{"format": "\xff"}', f"{NOT_JSON} (Invalid UTF-8 encoded string)"),
    (
        "nan",
        lambda plan: _text(plan, '"force": false', '"force": NaN'),
        f"{NOT_JSON} (JSON is malformed: invalid character (byte",
    ),
    ("a-list", lambda plan: b"[]", f"{UNREADABLE}: Expected `object`, got `array`"),
    (
        "a-manifest",
        lambda plan: b'{"metadata": {}, "nodes": {}}',
        " is not a statsig-sources plan (its `format` is not 'statsig-sources plan')",
    ),
    (
        "another-format-version",
        lambda plan: edited(plan, _set("format_version", 2)),
        f" is a statsig-sources plan of format version 2; this statsig-sources {__version__} reads "
        "version 1: plan again with it",
    ),
    (
        "another-release",
        lambda plan: edited(plan, _set("statsig_sources_version", "0.1.0")),
        f" was planned by statsig-sources '0.1.0', and this is {__version__}: plan again with this "
        "version, and apply that plan",
    ),
    (
        "unknown-field",
        lambda plan: edited(plan, _set("extra", 1)),
        f"{UNREADABLE}: Object contains unknown field `extra`",
    ),
    (
        "missing-field",
        lambda plan: edited(plan, lambda data: data.pop("statsig")),
        f"{UNREADABLE}: Object missing required field `statsig`",
    ),
    (
        "bad-action",
        lambda plan: edited(plan, _set("items.0.action", "explode")),
        f"{UNREADABLE}: Invalid enum value 'explode' - at `$.items[0].action`",
    ),
    (
        "bad-digest",
        lambda plan: edited(plan, _set("declarations.source.purchases.sql", 5)),
        f"{UNREADABLE}: Expected `str`, got `int` - at `$.declarations[...][...][...]`",
    ),
    (
        "nested-without-end",
        lambda plan: _text(plan, '"reason": ""', f'"reason": {DEEP}'),
        f"{NOT_JSON} (nested too deeply)",
    ),
    (
        "edited-payload",
        lambda plan: edited(plan, _set("items.0.payload.sql", "select * from raw.payments")),
        "'s items are not the plan statsig-sources",
    ),
]


@pytest.mark.parametrize(("make", "message"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_file_that_is_not_this_version_s_plan_exits_2_naming_it_before_any_request(
    world: tuple[FakeStatsig, Path, dict[str, Any]], make: Callable[[dict[str, Any]], bytes], message: str
) -> None:
    result, requests = apply(world, make(world[2]))
    path = world[1] / "given.json"
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}{message}"), result.stderr
    assert len(result.stderr.splitlines()) == 1
    # Refused before any request; an edited plan, which only planning again can tell, after reads alone.
    assert requests == [] or (message.startswith("'s items") and set(requests) == {"GET"})


def test_a_missing_file_exits_2(world: tuple[FakeStatsig, Path, dict[str, Any]]) -> None:
    fake, project, _ = world
    result = invoke(fake, project, "apply", "--yes", "--plan", str(project / "nowhere.json"))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: cannot read the plan {project / 'nowhere.json'}: No such file or directory\n"
    )


def test_a_file_larger_than_any_plan_is_not_read(
    world: tuple[FakeStatsig, Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(saved_plan, "MAX_BYTES", 100)
    result, requests = apply(world, json.dumps(world[2]).encode())
    assert (result.exit_code, requests) == (2, [])
    assert result.stderr.endswith("is larger than any statsig-sources plan (100 bytes)\n")


def test_the_saved_plan_itself_applies(world: tuple[FakeStatsig, Path, dict[str, Any]]) -> None:
    """The control for the cases above: the file as written is accepted and validated by the dry run."""
    result, _ = apply(world, json.dumps(world[2]).encode())
    assert result.exit_code == 0, result.output
    assert "validated: create purchases" in result.stdout


FUZZ = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every place in a JSON document a value sits."""
    children = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    )
    found = []
    for key, inner in children:
        found += [(*prefix, key), *_paths(inner, (*prefix, key))]
    return found


def _means(data: bytes) -> bytes | None:
    """The items a file holds, as the plan compares them; None when it is not a plan."""
    try:
        items = msgspec.json.decode(data, type=saved_plan.SavedPlan).items
    except (msgspec.MsgspecError, RecursionError):
        return None
    return msgspec.json.encode(list(items), order="sorted")


def _outcome_is_documented(result: Result, data: bytes, original: bytes) -> None:
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if result.exit_code != 0:
        assert result.stderr.strip(), "a non-zero exit says why"
    else:
        assert _means(data) == _means(original), "applied a plan that means something else"


@FUZZ
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_never_traceback(world: tuple[FakeStatsig, Path, dict[str, Any]], data: bytes) -> None:
    result, requests = apply(world, data)
    assert (result.exit_code, requests) == (2, []), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output


@FUZZ
@given(choice=st.data(), value=json_values)
def test_a_plan_with_any_value_anywhere_never_tracebacks_nor_applies_another_plan(
    world: tuple[FakeStatsig, Path, dict[str, Any]], choice: st.DataObject, value: Any
) -> None:
    plan = world[2]
    where = choice.draw(st.sampled_from(_paths(plan)))
    data = edited(plan, _set(where, value))
    result, _ = apply(world, data)
    _outcome_is_documented(result, data, json.dumps(plan).encode())


@FUZZ
@given(cut=st.integers(min_value=0))
def test_a_plan_cut_anywhere_never_tracebacks(
    world: tuple[FakeStatsig, Path, dict[str, Any]], cut: int
) -> None:
    whole = json.dumps(world[2]).encode()
    data = whole[: cut % len(whole)]
    result, requests = apply(world, data)
    assert (result.exit_code, requests) == (2, []), result.output


def test_plan_items_read_back_as_the_plan_made_them(world: tuple[FakeStatsig, Path, dict[str, Any]]) -> None:
    items = msgspec.convert(world[2]["items"], list[PlanItem])
    assert json.loads(msgspec.json.encode(items)) == world[2]["items"]


@pytest.mark.parametrize(
    "value",
    [
        "",
        'a"b\\c\n\t\u2028é😀\x00\x1f',
        "\ud800",
        None,
        True,
        False,
        0,
        -5,
        10**30,
        1.5,
        [1, "x"],
        {"b": 1, "a": [None]},
    ],
)
def test_a_field_s_canonical_json_is_json_dumps_byte_for_byte(value: object) -> None:
    """The fast path for text and scalars leaves every digest, and so every saved plan, as it was."""
    from statsig_sources.registration.fingerprint import _canonical

    assert _canonical(value) == json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
