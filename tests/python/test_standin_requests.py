"""The stand-in answers every request it cannot read, and keeps serving: raw HTTP requests over a socket
(a body nested 100,000 deep, `Content-Length: abc`, a body shorter than it says, one in chunks), each
answered with Statsig's 400 body; and a seed or state file nested 100,000 deep is an input error
(exit 2, one line), never a traceback.

The hypothesis part sends generated requests: methods, paths, headers, lengths and bodies."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support import KEY

from statsig_sources.standin import FakeStatsig

STATSIG_SOURCES = str(Path(sys.executable).parent / "statsig-sources")
DEEP = b"[" * 100_000 + b"]" * 100_000
INVALID = "Invalid request. Please check the request input and try again."


@pytest.fixture(scope="module")
def server() -> Iterator[FakeStatsig]:
    with FakeStatsig() as fake:
        yield fake


def port(fake: FakeStatsig) -> int:
    return int(fake.url.split(":")[2].split("/")[0])


def exchange(fake: FakeStatsig, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` as it is, close the sending side, and read the whole answer: status, headers
    (lower-cased names), body."""
    with socket.create_connection(("127.0.0.1", port(fake)), timeout=10) as connection:
        try:
            connection.sendall(request)
            connection.shutdown(socket.SHUT_WR)
        except OSError:  # the stand-in answered and closed before reading all of it
            pass
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    length = 0 if request.startswith(b"HEAD ") else int(headers.get("content-length", len(body)))
    return int(status_line.split()[1]), headers, body[:length]


def post(headers: str, body: bytes) -> bytes:
    start = "POST /console/v1/metrics/metric_source HTTP/1.1\r\nHost: stand-in\r\n"
    return (start + f"STATSIG-API-KEY: {KEY}\r\n" + headers + "\r\n").encode("latin-1") + body


def still_serves(fake: FakeStatsig) -> bool:
    request = f"GET /console/v1/metrics/list HTTP/1.1\r\nHost: x\r\nSTATSIG-API-KEY: {KEY}\r\n\r\n"
    status, _, body = exchange(fake, request.encode())
    return status == 200 and json.loads(body)["message"] == "Metrics listed successfully."


@pytest.mark.parametrize(
    ("request_bytes", "status", "reason"),
    [
        (post(f"Content-Length: {len(DEEP)}\r\n", DEEP), 400, "nested deeper than 64 levels"),
        (post("Content-Length: abc\r\n", b"{}"), 400, "Content-Length 'abc' is not one length"),
        (post("Content-Length: -2\r\n", b"{}"), 400, "Content-Length '-2' is not one length"),
        (post("Content-Length: 2\r\nContent-Length: 3\r\n", b"{}"), 400, "Content-Length '2, 3' is not one"),
        (post("Content-Length: 10\r\n", b"{}"), 400, "the body ended after 2 of 10 bytes"),
        (post("Transfer-Encoding: chunked\r\n", b"2\r\n{}\r\n0\r\n\r\n"), 400, "a body sent in chunks"),
        (post("Content-Length: 99999999999\r\n", b"{}"), 413, "a body of 99,999,999,999 bytes"),
        (post("Content-Length: 3\r\n", b"\xff\xfe{"), 400, "not JSON: "),
        (post("Content-Length: 1\r\n", b"{"), 400, "not JSON: Expecting property name"),
    ],
    ids=[
        "100000-deep",
        "length-abc",
        "negative-length",
        "two-lengths",
        "short-body",
        "chunked",
        "too-large",
        "not-utf8",
        "not-json",
    ],
)
def test_a_request_the_stand_in_cannot_read_gets_statsigs_400_and_it_keeps_serving(
    server: FakeStatsig, request_bytes: bytes, status: int, reason: str
) -> None:
    answered, headers, body = exchange(server, request_bytes)
    error = json.loads(body)
    assert (answered, error["status"]) == (status, status)
    assert error["message"] == (INVALID if status == 400 else "Payload too large.")
    assert error["errors"][0]["errorMessage"].startswith(reason)
    assert headers["x-statsig-stand-in"] == "not Statsig"
    assert still_serves(server)


@pytest.mark.parametrize("suffix", [".json", ".yml"])
@pytest.mark.parametrize("option", ["--seed", "--state"])
def test_a_seed_or_state_file_nested_100000_deep_is_an_input_error(
    tmp_path: Path, suffix: str, option: str
) -> None:
    path = tmp_path / f"deep{suffix}"
    nested = "[" * 100_000 + "]" * 100_000
    path.write_text(nested if suffix == ".json" else f"metrics: {nested}\n")
    completed = subprocess.run(
        [STATSIG_SOURCES, "stand-in", option, str(path)], capture_output=True, text=True, timeout=60
    )
    assert (completed.returncode, completed.stdout) == (2, "")
    assert completed.stderr == (
        f"Error: {path} nests lists or objects deeper than 64 levels; a seed or state file needs fewer "
        "than ten.\n"
    )


# --- generated requests -----------------------------------------------------------------------------

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW"]
PATHS = [
    "/console/v1/metrics/metric_source",
    "/console/v1/metrics/metric_source/a%ZZb",
    "/console/v1/metrics/list?page=0&limit=-1",
    "/console/v1/experiments/x/load_pulse?refresh=metric&metricIDs=",
    "/console/v1/experiments/x/pulse_load_history?page=abc",
    "/console/v1/metrics/%00/experiments",
    "/elsewhere",
]
bodies = st.one_of(
    st.binary(max_size=64),
    st.sampled_from([DEEP, b"[" * 2000 + b"]" * 2000, b'{"a": NaN}', b"1e400", b"null", b'"x"', b"{}"]),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=10,
    ).map(lambda value: json.dumps(value).encode()),
)
lengths = st.one_of(
    st.just("exact"),
    st.just("none"),
    st.sampled_from(["abc", "-1", "+3", " 7", "1.5", "99999999999999999999", "0x10", "٣"]),
    st.integers(0, 80).map(str),
)
header_values = st.text(
    st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\r\n"), max_size=20
)


@st.composite
def requests(draw: st.DrawFn) -> bytes:
    method = draw(st.sampled_from(METHODS))
    path = draw(st.sampled_from(PATHS))
    body = draw(bodies)
    length = draw(lengths)
    headers = [f"Host: {draw(header_values)}"]
    if draw(st.booleans()):
        headers.append(f"STATSIG-API-KEY: {draw(st.sampled_from([KEY, '', 'sdk-x', 'console-é']))}")
    if length == "exact":
        headers.append(f"Content-Length: {len(body)}")
    elif length != "none":
        headers.append(f"Content-Length: {length}")
    if draw(st.booleans()):
        headers.append(
            f"{draw(st.sampled_from(['Transfer-Encoding', 'X-Odd', 'Content-Type']))}: {draw(header_values)}"
        )
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{line}\r\n" for line in headers) + "\r\n"
    return head.encode("utf-8") + body


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(request=requests())
@example(request=post(f"Content-Length: {len(DEEP)}\r\n", DEEP))
@example(request=post("Content-Length: abc\r\n", b"{}"))
def test_any_request_gets_an_http_answer_that_is_not_a_stand_in_failure(
    server: FakeStatsig, request: bytes
) -> None:
    status, headers, body = exchange(server, request)
    assert 200 <= status < 500, (status, body[:300])
    if status >= 400 and headers.get("x-statsig-stand-in") and body:
        error = json.loads(body)
        assert error["status"] == status and isinstance(error["message"], str)
    assert still_serves(server)
