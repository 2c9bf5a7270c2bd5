"""`statsig-sources stand-in` as a user runs it: a real process that prints its URL first, says it is
not Statsig, serves until SIGTERM or Ctrl-C and keeps its state in a file."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import tomllib
import yaml
from support import KEY, source

from statsig_sources import __version__
from statsig_sources.commands.standin import STAND_IN_EXTRA

STATSIG_SOURCES = str(Path(sys.executable).parent / "statsig-sources")
NOTICE = (
    "This is the statsig-sources stand-in for Statsig's Console API on this machine. It is not Statsig:\n"
    "nothing reaches Statsig, and every answer carries the header X-Statsig-Stand-In: not Statsig.\n"
    "Any key starting with console- is accepted. Stop it with Ctrl-C.\n"
)


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [STATSIG_SOURCES, "stand-in", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    path = tmp_path / "seed.yml"
    metric = {"name": "Revenue", "warehouseNative": {"aggregation": "sum", "metricSourceName": "orders"}}
    path.write_text(yaml.safe_dump({"metricSources": [source("orders")], "metrics": [metric]}))
    return path


@pytest.fixture
def running(tmp_path: Path, seed: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = start("--seed", str(seed), "--state", str(tmp_path / "state.json"))
    assert process.stdout is not None
    url = process.stdout.readline().rstrip("\n")
    yield process, url
    if process.poll() is None:
        process.kill()
        process.communicate()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_the_stand_in_prints_its_url_first_serves_and_stops_cleanly(
    running: tuple[subprocess.Popen[str], str], tmp_path: Path, seed: Path, stop: signal.Signals
) -> None:
    process, url = running
    assert url.startswith("http://127.0.0.1:") and url.endswith("/console/v1")
    headers = {"STATSIG-API-KEY": KEY}
    listed = httpx.get(url + "/metrics/list", headers=headers)
    assert listed.headers["X-Statsig-Stand-In"] == "not Statsig"
    assert [metric["id"] for metric in listed.json()["data"]] == ["Revenue::user_warehouse"]
    assert (
        httpx.post(url + "/metrics/metric_source", json=source("clicks"), headers=headers).status_code == 201
    )
    process.send_signal(stop)
    stdout, stderr = process.communicate(timeout=10)
    state = tmp_path / "state.json"
    assert (process.returncode, stdout) == (0, "")
    assert stderr == (
        NOTICE + f"State: kept in {state}.\nSeeded from {seed}.\n"
        "Holding 1 metric source(s), 1 metric(s), 0 experiment(s) and 0 fault(s) to inject.\nStopped.\n"
    )
    assert [s["name"] for s in json.loads(state.read_text())["metricSources"]] == ["orders", "clicks"]


def test_a_bad_seed_is_an_input_error_and_nothing_listens(tmp_path: Path) -> None:
    path = tmp_path / "seed.yml"
    path.write_text("metrics:\n  - {name: Revenue, warehouseNative: {aggregation: sum, valueColumn: 7}}\n")
    completed = subprocess.run(
        [STATSIG_SOURCES, "stand-in", "--seed", str(path)], capture_output=True, text=True
    )
    expected = (
        f"Error: {path}: metrics[0] ('Revenue'): warehouseNative.valueColumn: 7 is not of type 'string'\n"
    )
    assert (completed.returncode, completed.stdout, completed.stderr) == (2, "", expected)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--host", "0.0.0.0"],
            "Error: 0.0.0.0 is not a loopback address; the stand-in listens on one only.\n",
        ),
        (["--port", "{busy}"], "Error: Cannot listen on 127.0.0.1:{busy}: Address already in use.\n"),
    ],
    ids=["non-loopback", "port-in-use"],
)
def test_where_it_cannot_listen_is_an_input_error(args: list[str], message: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = str(taken.getsockname()[1])
        arguments = [arg.format(busy=busy) for arg in args]
        completed = subprocess.run([STATSIG_SOURCES, "stand-in", *arguments], capture_output=True, text=True)
    assert (completed.returncode, completed.stdout, completed.stderr) == (2, "", message.format(busy=busy))


def test_without_the_extra_it_says_what_to_install() -> None:
    code = (
        "import sys\n"
        "sys.modules['jsonschema'] = None  # as if the stand-in extra were not installed\n"
        "from click.testing import CliRunner\n"
        "from statsig_sources.cli import main\n"
        "result = CliRunner().invoke(main, ['stand-in'])\n"
        "print(result.exit_code, result.stderr, end='')\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout == (
        "2 Error: The stand-in needs jsonschema, its one extra: pip install 'jsonschema>=4.20' (or install "
        'statsig-sources with the extra, from where you install it: pip install "statsig-sources[stand-in] '
        f'@ git+https://github.com/<your-org>/statsig-sources.git@v{__version__}").\n'
    )


def test_the_hint_names_the_extra_pyproject_declares(repo_root: Path) -> None:
    """The project is not on PyPI: the hint installs the extra's own package, which is, as declared."""
    pyproject = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["optional-dependencies"]["stand-in"] == [STAND_IN_EXTRA]
