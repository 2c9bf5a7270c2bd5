"""The exposures writer against hostile metrics: every text field of Statsig's metric schema, one at a
time, holding Jinja (`{{ env_var('STATSIG_CONSOLE_API_KEY') }}`), control characters YAML cannot hold
raw, and more. What is written parses as YAML, and renders (as dbt renders exposure properties) to
the literal text: nothing is evaluated, so the key cannot reach dbt's manifest."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from click.testing import CliRunner, Result
from exposure_meta import statsig_metric
from hostile_statsig import HostileServer, Reply, Seen, envelope
from hostile_statsig.metric_fields import PAYLOAD, SHOWN_IN_EXPOSURE, Path_, dotted, hostile_metrics, value_at
from support import KEY
from usage_support import two_source_manifest

from statsig_sources.cli import main
from statsig_sources.support.errors import ExitCode
from statsig_sources.usage.exposures import exposures_yaml
from statsig_sources.usage.join import ManagedSource, build_usage

SOURCE = "statsig_purchases"
METRICS = hostile_metrics(SOURCE)


def statsig(metrics: list[dict[str, Any]]) -> Any:
    def script(seen: Seen) -> Reply:
        if seen.path == "/metrics/list":
            return envelope(metrics, total=len(metrics))
        return envelope([], total=0)

    return script


def usage(url: str, project: Path, *args: str) -> Result:
    env = {"STATSIG_API_URL": url, "STATSIG_CONSOLE_API_KEY": KEY}
    return CliRunner().invoke(main, ["usage", "--project-dir", str(project), *args], env=env)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`usage --write-exposures` once over every hostile metric: exposures by metric id, rendered."""
    project = tmp_path_factory.mktemp("hostile")
    two_source_manifest(project / "target" / "manifest.json")
    path = project / "models" / "exposures.yml"
    with HostileServer(statsig([metric for _, metric in METRICS])) as server:
        result = usage(server.url, project, "--write-exposures", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert KEY not in text and KEY not in result.output
    rendered = render(yaml.safe_load(text))
    yield {statsig_metric(exposure)["id"]: exposure for exposure in rendered["exposures"]}


def render(value: Any) -> Any:
    """Every string rendered as dbt renders exposure properties, with env_var() able to read the key."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    context = {"env_var": lambda name, default=None: KEY, "doc": lambda name: "DOC"}
    if isinstance(value, dict):
        return {key: render(item) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item) for item in value]
    if isinstance(value, str):
        return environment.from_string(value).render(context)
    return value


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


@pytest.mark.parametrize(("path", "metric"), METRICS, ids=[dotted(path) for path, _ in METRICS])
def test_every_statsig_text_field_reaches_the_exposure_literally(
    written: dict[str, Any], path: Path_, metric: dict[str, Any]
) -> None:
    exposure = written.get(metric["id"])
    if path == ("warehouseNative", "metricSourceName"):
        assert exposure is None  # the metric no longer reads a managed source
        return
    assert exposure is not None
    for text in strings(exposure):
        assert KEY not in text
        if "{{ env_var" in text:  # any trace of the payload is the whole payload, literally
            assert PAYLOAD in text
    if path in SHOWN_IN_EXPOSURE:
        assert value_at(exposure, SHOWN_IN_EXPOSURE[path]) == value_at(metric, path)


def test_a_lone_surrogate_is_written_as_the_replacement_character() -> None:
    raw = {"id": "m", "name": "bad \ud800 name", "warehouseNative": {"metricSourceName": "s"}}
    text = exposures_yaml(build_usage([ManagedSource("s", "model_s", "model.p.model_s")], [raw]))
    text.encode("utf-8")  # nothing unencodable is left
    assert yaml.safe_load(text)["exposures"][0]["label"] == "bad \ufffd name"


CONTROL = "Revenue\x7f \x85 \u0096 \ufffe \u2028 end"


def test_control_characters_are_escaped_and_check_compares_what_would_be_written(tmp_path: Path) -> None:
    """A file written before control characters were escaped holds them raw: unparseable for dbt.
    `--check` compares it with what would be written now, so it reports it stale."""
    two_source_manifest(tmp_path / "target" / "manifest.json")
    metric = {"id": "r::user_warehouse", "name": "r", "description": CONTROL}
    metric["warehouseNative"] = {"metricSourceName": SOURCE, "aggregation": "sum"}
    path = tmp_path / "models" / "exposures.yml"
    with HostileServer(statsig([metric])) as server:
        assert usage(server.url, tmp_path, "--write-exposures", str(path)).exit_code == 0
        good = path.read_text(encoding="utf-8")
        assert '\\u007f \\u0085 \\u0096 \\ufffe \\u2028 end"' in good
        assert yaml.safe_load(good)["exposures"][0]["description"] == CONTROL
        unescaped = good.replace("\\u007f \\u0085 \\u0096 \\ufffe \\u2028", "\x7f \x85 \x96 \ufffe \u2028")
        path.write_text(unescaped, encoding="utf-8")
        with pytest.raises(yaml.YAMLError):
            yaml.safe_load(unescaped)
        check = usage(server.url, tmp_path, "--write-exposures", str(path), "--check")
        assert (check.exit_code, check.stderr) == (1, f"{path} is stale.\n")
        assert path.read_text(encoding="utf-8") == unescaped
        rewrite = usage(server.url, tmp_path, "--write-exposures", str(path))
    assert (rewrite.exit_code, rewrite.stderr) == (0, f"Wrote {path}.\n")
    assert path.read_text(encoding="utf-8") == good


@pytest.mark.parametrize("check", [False, True], ids=["write", "check"])
def test_an_exposures_file_that_is_not_utf8_is_a_clear_input_error(tmp_path: Path, check: bool) -> None:
    two_source_manifest(tmp_path / "target" / "manifest.json")
    path = tmp_path / "exposures.yml"
    path.write_bytes(b"version: 2\n# \xff\xfe latin-1 notes\n")
    with HostileServer(statsig([])) as server:
        result = usage(server.url, tmp_path, "--write-exposures", str(path), *(["--check"] if check else []))
    assert result.exit_code == ExitCode.INPUT
    assert result.stderr == (
        f"Error: cannot read {path}: it is not UTF-8 text (invalid start byte at byte 13), so it is not an "
        "exposures file this command wrote; move it aside or pass another --write-exposures\n"
    )
    assert server.requests == []  # checked before any request
    assert path.read_bytes() == b"version: 2\n# \xff\xfe latin-1 notes\n"


def test_an_exposures_path_that_is_a_directory_is_a_clear_input_error(tmp_path: Path) -> None:
    two_source_manifest(tmp_path / "target" / "manifest.json")
    path = tmp_path / "exposures.yml"
    path.mkdir()
    with HostileServer(statsig([])) as server:
        result = usage(server.url, tmp_path, "--write-exposures", str(path))
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"Error: Invalid value for '--write-exposures': File '{path}' is a directory.\n"
    )
    assert server.requests == []
    assert path.is_dir() and list(path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('version: 2\nexposures:\n  - name: "a\x7f"\n', "would not parse as YAML (unacceptable character"),
        ('version: 2\nexposures:\n  - name: "a\\q"\n', "not parse as YAML (while parsing a quoted"),
        ("version: 2\nexposures: []\n", "read back as 0 exposure(s), not 1"),
    ],
    ids=["raw-del", "bad-escape", "wrong-count"],
)
def test_what_would_be_written_is_parsed_back_first(text: str, message: str) -> None:
    from statsig_sources.support.errors import RemoteError
    from statsig_sources.usage.exposures import _parses_back

    with pytest.raises(RemoteError, match=re.escape(message)):
        _parses_back(text, 1)
