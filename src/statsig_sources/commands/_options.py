"""Option sets shared by several commands, as decorators (sqlite-utils' `output_options` style)."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from statsig_sources.client.deadlines import DEFAULT_COMMAND_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, Deadline
from statsig_sources.core.errors import InputError
from statsig_sources.core.manifest import resolve_manifest_path
from statsig_sources.core.ownership import MARKER_PREFIX
from statsig_sources.core.settings import SettingOptions

if TYPE_CHECKING:
    from statsig_sources.client.api import StatsigClient

F = TypeVar("F", bound=Callable[..., Any])


def _apply(function: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        function = option(function)
    return function


def manifest_options(function: F) -> F:
    """`--project-dir`, `--target-path` and `--manifest`, read as dbt reads them."""
    return _apply(
        function,
        [
            click.option(
                "--project-dir",
                type=click.Path(file_okay=False, path_type=Path),
                default=Path("."),
                show_default=True,
                help="The dbt project's directory.",
            ),
            click.option(
                "--target-path",
                default="target",
                show_default=True,
                help="dbt's target path, relative to --project-dir.",
            ),
            click.option(
                "--manifest",
                "manifest_path_option",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="An explicit manifest.json (default: <project-dir>/<target-path>/manifest.json).",
            ),
        ],
    )


def run_results_option(function: F) -> F:
    """`--run-results`: dbt's run_results.json, read to know which sources the build really built."""
    return click.option(
        "--run-results",
        "run_results_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="dbt's run_results.json (default: beside the manifest); trusted only from the `dbt run` or "
        "`dbt build` that wrote the manifest.",
    )(function)


def governance_options(function: F) -> F:
    """The governed schema, Statsig's role(s) and custom unit types: the dbt package's var defaults."""
    return _apply(
        function,
        [
            click.option(
                "--statsig-schema",
                default=None,
                help="The governed schema [default: the var statsig_schema, as the manifest records it].",
            ),
            click.option(
                "--statsig-role",
                "statsig_roles",
                multiple=True,
                help="A role Statsig reads with; repeat for several [default: the var "
                "statsig_reader_roles, as the manifest records it].",
            ),
            click.option(
                "--custom-unit-type",
                "custom_unit_types",
                multiple=True,
                help="A custom Statsig unit type; repeat for several [default: the var "
                "statsig_custom_unit_types, as the manifest records it].",
            ),
        ],
    )


def marker_option(function: F) -> F:
    """`--marker`: the ownership tag render writes and plan/apply look for, so all three agree."""
    return click.option(
        "--marker",
        default=None,
        help=f"The ownership tag every managed source carries [default: {MARKER_PREFIX}:<dbt project name>].",
    )(function)


def format_option(function: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json", "markdown"]),
        default="text",
        show_default=True,
        help="Report format; json prints nothing but JSON.",
    )(function)


def manifest_path(project_dir: Path, target_path: str, manifest: Path | None) -> Path:
    return resolve_manifest_path(project_dir, target_path, manifest)


def settings(
    statsig_schema: str | None,
    statsig_roles: tuple[str, ...],
    custom_unit_types: tuple[str, ...],
    marker: str | None = None,
) -> SettingOptions:
    """The options a user gave; the rest come from the manifest (settings.py)."""
    if marker is not None and not marker.strip():
        raise InputError("--marker must not be empty.")
    return SettingOptions(
        statsig_schema=statsig_schema,
        statsig_roles=tuple(statsig_roles) or None,
        custom_unit_types=tuple(custom_unit_types) or None,
        marker=marker,
    )


@dataclass(frozen=True)
class Connection:
    """How to reach Statsig, as the connection options set it."""

    api_url: str
    api_key: str | None
    page_size: int
    request_timeout: float
    command_timeout: float | None


_CONNECTION_KEYS = tuple(field.name for field in dataclasses.fields(Connection))


_CONNECTION_OPTIONS: list[Callable[[Any], Any]] = [
    click.option(
        "--api-url",
        envvar="STATSIG_API_URL",
        default="https://statsigapi.net/console/v1",
        show_default=True,
        help="Statsig's Console API (env STATSIG_API_URL).",
    ),
    click.option(
        "--api-key",
        envvar="STATSIG_CONSOLE_API_KEY",
        help="Console API key (prefer the env var STATSIG_CONSOLE_API_KEY).",
    ),
    click.option(
        "--page-size",
        type=click.IntRange(min=1),
        default=100,
        show_default=True,
        help="Sources per page when listing.",
    ),
    click.option(
        "--request-timeout",
        envvar="STATSIG_REQUEST_TIMEOUT",
        type=click.FloatRange(min=0, min_open=True),
        default=DEFAULT_REQUEST_TIMEOUT,
        show_default=True,
        help="Seconds one request may take, retries and their waits included (env STATSIG_REQUEST_TIMEOUT).",
    ),
    click.option(
        "--command-timeout",
        envvar="STATSIG_COMMAND_TIMEOUT",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        help=f"Seconds the whole command may spend on Statsig (env STATSIG_COMMAND_TIMEOUT) "
        f"[default: {DEFAULT_COMMAND_TIMEOUT:g}; apply adds what Statsig's rate limits need for its writes].",
    ),
]


def connection_options(command: F) -> F:
    """How to reach Statsig, and how long to try: the options `plan`, `apply` and `usage` share.

    The command receives them as one `connection` argument.
    """

    @functools.wraps(command)
    def with_connection(*args: Any, **kwargs: Any) -> Any:
        kwargs["connection"] = Connection(**{key: kwargs.pop(key) for key in _CONNECTION_KEYS})
        return command(*args, **kwargs)

    return _apply(cast(F, with_connection), _CONNECTION_OPTIONS)


def statsig_client(connection: Connection) -> StatsigClient:
    """The client; a missing or malformed key, or an unusable URL, is an input error (exit 2) before
    any request."""
    from statsig_sources.client.api import StatsigClient

    return StatsigClient(
        connection.api_key or "",
        base_url=connection.api_url,
        page_size=connection.page_size,
        request_timeout=connection.request_timeout,
        deadline=Deadline(connection.command_timeout or DEFAULT_COMMAND_TIMEOUT),
    )
