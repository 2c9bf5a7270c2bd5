"""`usage --prune-exposures`: which models a project's files define (no manifest), which exposures depend
on one that is gone, and the file edited to remove exactly those, in either exposure form; and
`--write-exposures` leaving out the same. Real dbt parses the result in
tests/integration/test_renamed_model_exposures.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statsig_sources.artifacts.model_files import read_model_files
from statsig_sources.cli import main
from statsig_sources.usage.prune import gone_refs

HEADER = "# Written by `statsig-sources usage --write-exposures`.\nversion: 2\n"


def project(tmp_path: Path, files: dict[str, str], dbt_project: str = "") -> Path:
    (tmp_path / "dbt_project.yml").write_text(f"name: shop\nconfig-version: 2\n{dbt_project}")
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def exposure(name: str, *refs: str, form: str = "config") -> str:
    meta = f'        statsig_metric:\n          id: "{name}::user_warehouse"\n'
    where = (
        "    config:\n      meta:\n" + meta.replace("\n  ", "\n    ")
        if form == "config"
        else "    meta:\n" + meta
    )
    depends = "".join(f'      - "{ref}"\n' for ref in refs)
    head = f'  - name: "{name}"\n    type: "analysis"\n    owner:\n      name: "Statsig"\n'
    return f"{head}    depends_on:\n{depends}{where}"


VERSIONED = """models:
  - name: dim_customers
    latest_version: 2
    versions:
      - v: 1
      - v: 2
        defined_in: customers_current
      - v: 3
"""


@pytest.mark.parametrize(
    ("entry", "gone"),
    [
        ("ref('statsig_orders')", ()),
        ('ref("statsig_orders")', ()),
        ("ref('statsig_payments')", ("statsig_payments",)),
        ("ref('shop', 'statsig_payments')", ("statsig_payments",)),
        ("ref('other_package', 'statsig_payments')", ()),  # another package's: not this project's to judge
        ("ref('py_model')", ()),
        ("ref('dim_customers')", ()),  # the latest version, 2, defined in customers_current.sql
        ("ref('dim_customers', v=1)", ()),
        ("ref('dim_customers', version='2')", ()),
        ("ref('dim_customers', v=3)", ("dim_customers v3",)),  # declared, but no file defines it
        ("ref('dim_customers', v=4)", ("dim_customers v4",)),
        ("ref('statsig_orders', v=1)", ("statsig_orders v1",)),  # not a versioned model
        ("ref('package_model')", ()),  # an installed package's model
        ("source('raw', 'orders')", ()),
        ("metric('revenue')", ()),
        ("ref(", ()),
        ("ref(model_name)", ()),
        ("{{ ref('x') }}", ()),
    ],
)
def test_an_exposure_s_ref_is_gone_only_when_no_file_of_the_project_defines_it(
    tmp_path: Path, entry: str, gone: tuple[str, ...]
) -> None:
    root = project(
        tmp_path,
        {
            "transform/statsig/statsig_orders.sql": "select 1",
            "transform/py_model.py": "def model(dbt, session): ...",
            "transform/marts/dim_customers_v1.sql": "select 1",
            "transform/marts/customers_current.sql": "select 1",
            "transform/marts/_models.yml": VERSIONED,
            "models/statsig_payments.sql": "select 1",  # not a model path here
            "dbt_packages/helpers/dbt_project.yml": "name: helpers\n",
            "dbt_packages/helpers/models/package_model.sql": "select 1",
        },
        'model-paths: ["transform"]\n',
    )
    assert gone_refs([entry], read_model_files(root)) == gone


def run(root: Path, *args: str) -> Result:
    env = {"STATSIG_CONSOLE_API_KEY": None, "STATSIG_API_URL": "http://127.0.0.1:9/console/v1"}
    return CliRunner().invoke(main, ["usage", "--project-dir", str(root), *args], env=env)


def test_prune_cuts_out_exactly_the_exposures_on_gone_models_in_either_form(tmp_path: Path) -> None:
    kept_old_form = exposure("statsig_kept_old", "ref('statsig_orders')", form="meta")
    text = (
        HEADER
        + "exposures:\n"
        + exposure("statsig_first", "ref('statsig_payments')")
        + "  # a comment of the next exposure's\n"
        + exposure("statsig_kept", "ref('statsig_orders')")
        + exposure("statsig_on_two", "ref('statsig_orders')", "ref('statsig_payments')", form="meta")
        + kept_old_form
        + exposure("statsig_last", "ref('statsig_gone')", form="meta")
        + "# the end of the file\n"
    )
    root = project(tmp_path, {"models/statsig_orders.sql": "select 1", "models/exposures.yml": text})
    path = root / "models/exposures.yml"
    result = run(root, "--prune-exposures", str(path))
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout == (
        f"{path}: removed 3 exposure(s) on models gone from the project's files:\n"
        "  statsig_first (metric statsig_first::user_warehouse): depends on statsig_payments, gone from the "
        "project's files\n"
        "  statsig_on_two (metric statsig_on_two::user_warehouse): depends on statsig_payments, gone from "
        "the project's files\n"
        "  statsig_last (metric statsig_last::user_warehouse): depends on statsig_gone, gone from the "
        "project's files\n"
    )
    assert path.read_text() == (
        HEADER
        + "exposures:\n"
        + "  # a comment of the next exposure's\n"
        + exposure("statsig_kept", "ref('statsig_orders')")
        + kept_old_form
        + "# the end of the file\n"
    )


def test_exposures_written_as_one_line_each_are_cut_line_by_line(tmp_path: Path) -> None:
    text = (
        "exposures:\n"
        "  - {name: a, type: analysis, owner: {name: x}, depends_on: [\"ref('gone')\"]}\n"
        "  - {name: b, type: analysis, owner: {name: x}, depends_on: [\"ref('statsig_orders')\"]}\n"
        "  - {name: c, type: analysis, owner: {name: x}, depends_on: [\"ref('gone')\"]}\n"
        "version: 2\n"
    )
    root = project(tmp_path, {"models/statsig_orders.sql": "", "models/exposures.yml": text})
    assert run(root, "--prune-exposures", str(root / "models/exposures.yml")).exit_code == 0
    assert (root / "models/exposures.yml").read_text() == (
        "exposures:\n"
        "  - {name: b, type: analysis, owner: {name: x}, depends_on: [\"ref('statsig_orders')\"]}\n"
        "version: 2\n"
    )


def test_pruning_every_exposure_leaves_an_empty_list_dbt_reads(tmp_path: Path) -> None:
    text = HEADER + "exposures:\n" + exposure("statsig_only", "ref('statsig_payments')")
    root = project(tmp_path, {"models/exposures.yml": text})
    assert run(root, "--prune-exposures", str(root / "models/exposures.yml")).exit_code == 0
    assert (root / "models/exposures.yml").read_text() == HEADER + "exposures: []\n"
    assert yaml.safe_load((root / "models/exposures.yml").read_text()) == {"version": 2, "exposures": []}


def test_check_says_what_it_would_remove_and_leaves_the_file(tmp_path: Path) -> None:
    text = HEADER + "exposures:\n" + exposure("statsig_only", "ref('statsig_payments')")
    root = project(tmp_path, {"models/exposures.yml": text})
    path = root / "models/exposures.yml"
    result = run(root, "--prune-exposures", str(path), "--check", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "command": "usage",
        "prune_exposures": str(path),
        "check": True,
        "removed": [
            {
                "name": "statsig_only",
                "metric_id": "statsig_only::user_warehouse",
                "models": ["statsig_payments"],
            }
        ],
    }
    assert path.read_text() == text


def test_a_file_with_nothing_gone_is_left_byte_for_byte(tmp_path: Path) -> None:
    text = HEADER + "exposures:\n" + exposure("statsig_kept", "ref('statsig_orders')")
    root = project(tmp_path, {"models/statsig_orders.sql": "", "models/exposures.yml": text})
    result = run(root, "--prune-exposures", str(root / "models/exposures.yml"), "--check")
    assert result.exit_code == 0
    assert result.stdout.endswith(
        ": every exposure depends on models the project's files define; nothing to remove.\n"
    )
    assert (root / "models/exposures.yml").read_text() == text


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        (
            {},
            ("--prune-exposures", "{root}/models/none.yml"),
            "Error: no exposures file at {root}/models/none.yml (--prune-exposures)\n",
        ),
        (
            {"models/e.yml": "exposures: [\n"},
            ("--prune-exposures", "{root}/models/e.yml"),
            "Error: {root}/models/e.yml is not YAML dbt can read: while parsing a flow node\n",
        ),
        (
            {"models/e.yml": "exposures: [{name: x, depends_on: [\"ref('gone')\"]}]\n"},
            ("--prune-exposures", "{root}/models/e.yml"),
            "Error: {root}/models/e.yml lists its exposures in YAML's flow style (`[...]`); only a block "
            "list (`- name: ...`) is edited: remove the exposures on missing models by hand\n",
        ),
        (
            {"models/e.yml": "x"},
            ("--prune-exposures", "{root}/models/e.yml", "--write-exposures", "{root}/e.yml"),
            "Error: --prune-exposures runs alone: pass it without --write-exposures.\n",
        ),
    ],
    ids=["missing", "not-yaml", "flow-style", "with-write"],
)
def test_what_cannot_be_pruned_exits_2_with_the_reason(
    tmp_path: Path, files: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    root = project(tmp_path, files)
    result = run(root, *(arg.format(root=root) for arg in args))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(message.format(root=root)), result.stderr


def test_without_a_dbt_project_it_names_the_option_to_pass(tmp_path: Path) -> None:
    (tmp_path / "e.yml").write_text(HEADER + "exposures: []\n")
    result = run(tmp_path, "--prune-exposures", str(tmp_path / "e.yml"))
    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: no readable dbt_project.yml in {tmp_path}: pass the project's --project-dir\n",
    )


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    text=st.text(
        alphabet=st.sampled_from(list("exposures:-_ name\n\t'\"[]{}#&*!|>ref()depends_on")), max_size=300
    )
)
def test_any_file_never_tracebacks(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    root = project(tmp_path_factory.mktemp("fuzz"), {"models/e.yml": text})
    result = run(root, "--prune-exposures", str(root / "models/e.yml"))
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    after = (root / "models/e.yml").read_text()
    if after != text:  # what it edits, the parser dbt uses reads
        yaml.load(after, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
