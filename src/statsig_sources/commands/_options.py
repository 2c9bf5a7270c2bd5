"""Option sets shared by several commands, as decorators (sqlite-utils' `output_options` style)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from statsig_sources.artifacts.paths import ArtifactPaths, resolve_manifest_path
from statsig_sources.declaration.ownership import MARKER_PREFIX
from statsig_sources.declaration.settings import SettingOptions
from statsig_sources.statsig.defaults import (
    DEFAULT_API_URL,
    DEFAULT_COMMAND_TIMEOUT,
    DEFAULT_PAGE_SIZE,
    DEFAULT_REQUEST_TIMEOUT,
)
from statsig_sources.support.errors import InputError
from statsig_sources.support.output import FORMATS

if TYPE_CHECKING:
    from statsig_sources.statsig.api import StatsigClient
    from statsig_sources.statsig.settings import ClientSettings

F = TypeVar("F", bound=Callable[..., Any])


def _apply(function: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        function = option(function)
    return function


def _grouped(argument: str, build: Callable[..., Any], names: tuple[str, ...]) -> Callable[[F], F]:
    """A decorator handing the command one typed value, built from the click parameters `names`, as
    the keyword `argument`, instead of the parameters themselves."""

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def with_group(*args: Any, **kwargs: Any) -> Any:
            kwargs[argument] = build(**{name: kwargs.pop(name) for name in names if name in kwargs})
            return command(*args, **kwargs)

        return cast(F, with_group)

    return decorate


@dataclass(frozen=True)
class ProjectOptions:
    """Which dbt artifacts a command reads, and the package settings the user overrides (the rest come
    from the manifest: declaration/settings.py)."""

    project_dir: Path = Path(".")
    target_path: str = "target"
    manifest: Path | None = None
    run_results: Path | None = None
    settings: SettingOptions = SettingOptions()

    @property
    def manifest_path(self) -> Path:
        """`--manifest`, else `<project-dir>/<target-path>/manifest.json`; an input error when missing."""
        return resolve_manifest_path(self.project_dir, self.target_path, self.manifest)

    @property
    def artifact_paths(self) -> ArtifactPaths:
        """The manifest's path and every other artifact's path derived from it (artifacts/paths.py)."""
        return ArtifactPaths.beside(self.manifest_path, self.run_results)


def _project_options(
    project_dir: Path,
    target_path: str,
    manifest_path_option: Path | None,
    statsig_schema: str | None,
    statsig_roles: tuple[str, ...],
    custom_unit_types: tuple[str, ...],
    run_results_path: Path | None = None,
    marker: str | None = None,
) -> ProjectOptions:
    if marker is not None and not marker.strip():
        raise InputError("--marker must not be empty.")
    settings = SettingOptions(
        statsig_schema=statsig_schema,
        statsig_roles=tuple(statsig_roles) or None,
        custom_unit_types=tuple(custom_unit_types) or None,
        marker=marker,
    )
    return ProjectOptions(project_dir, target_path, manifest_path_option, run_results_path, settings)


_MANIFEST_OPTIONS: list[Callable[[Any], Any]] = [
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
]
_RUN_RESULTS_OPTION = click.option(
    "--run-results",
    "run_results_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="dbt's run_results.json (default: beside the manifest); trusted only from the `dbt run` or "
    "`dbt build` that wrote the manifest.",
)
_GOVERNANCE_OPTIONS: list[Callable[[Any], Any]] = [
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
]
_MARKER_OPTION = click.option(
    "--marker",
    default=None,
    help=f"The ownership tag every managed source carries [default: {MARKER_PREFIX}:<dbt project name>].",
)
_PROJECT_KEYS = (
    "project_dir",
    "target_path",
    "manifest_path_option",
    "statsig_schema",
    "statsig_roles",
    "custom_unit_types",
    "run_results_path",
    "marker",
)


def project_options(*, run_results: bool = True, marker: bool = True) -> Callable[[F], F]:
    """dbt's artifacts (`--project-dir`, `--target-path`, `--manifest`, `--run-results`) and the
    governance settings (`--statsig-schema`, `--statsig-role`, `--custom-unit-type`, `--marker`), read
    as dbt reads them; the command receives them as one `project_options: ProjectOptions`."""
    options = [*_MANIFEST_OPTIONS]
    options += [_RUN_RESULTS_OPTION] if run_results else []
    options += _GOVERNANCE_OPTIONS
    options += [_MARKER_OPTION] if marker else []

    def decorate(command: F) -> F:
        grouped = _grouped("project_options", _project_options, _PROJECT_KEYS)(command)
        return _apply(grouped, options)

    return decorate


def manifest_options(command: F) -> F:
    """dbt's manifest alone (`--project-dir`, `--target-path`, `--manifest`), for a command that reads
    no governance setting; the command receives them as one `project_options: ProjectOptions`."""
    keys = ("project_dir", "target_path", "manifest_path_option")
    return _apply(_grouped("project_options", _manifest_only, keys)(command), _MANIFEST_OPTIONS)


def _manifest_only(project_dir: Path, target_path: str, manifest_path_option: Path | None) -> ProjectOptions:
    return ProjectOptions(project_dir, target_path, manifest_path_option)


def format_option(function: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(FORMATS)),
        default="text",
        show_default=True,
        help="Report format; json prints nothing but JSON.",
    )(function)


def _client_settings(
    api_url: str, api_key: str | None, page_size: int, request_timeout: float, command_timeout: float | None
) -> ClientSettings:
    """The client's settings, as the connection options set them (the key checked by the client)."""
    from statsig_sources.statsig.settings import ClientSettings

    return ClientSettings(
        api_key or "",
        base_url=api_url,
        page_size=page_size,
        request_timeout=request_timeout,
        command_timeout=command_timeout,
    )


_CONNECTION_KEYS = ("api_url", "api_key", "page_size", "request_timeout", "command_timeout")


_CONNECTION_OPTIONS: list[Callable[[Any], Any]] = [
    click.option(
        "--api-url",
        envvar="STATSIG_API_URL",
        default=DEFAULT_API_URL,
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
        default=DEFAULT_PAGE_SIZE,
        show_default=True,
        help="Items per page when listing (sources, metrics, experiments).",
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
        f"[default: {DEFAULT_COMMAND_TIMEOUT:g}; apply and reload add what Statsig's rate limits need for "
        "their writes].",
    ),
]


def connection_options(command: F) -> F:
    """How to reach Statsig, and how long to try: the options `plan`, `apply`, `usage` and `reload` share.

    The command receives them as one `connection: ClientSettings` argument.
    """

    return _apply(_grouped("connection", _client_settings, _CONNECTION_KEYS)(command), _CONNECTION_OPTIONS)


def statsig_client(connection: ClientSettings) -> StatsigClient:
    """The client; a missing or malformed key, or an unusable URL, is an input error (exit 2) before
    any request. Without --command-timeout, the command's deadline is the default one, which apply and
    reload extend by what their writes need."""
    from statsig_sources.statsig.api import StatsigClient
    from statsig_sources.statsig.deadlines import Deadline

    deadline = Deadline(connection.command_timeout or DEFAULT_COMMAND_TIMEOUT)
    return StatsigClient(connection, deadline=deadline)
