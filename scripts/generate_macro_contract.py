"""Regenerate the package's contract macro, macros/utils/_statsig_contract.sql, from contract.json.

    python scripts/generate_macro_contract.py           # rewrite the macro
    python scripts/generate_macro_contract.py --check   # exit 1 if the macro is stale (the test suite)

Exit codes: 0 written or up to date, 1 stale (--check), 2 contract.json or the version unreadable.

contract.json is what the dbt package and the command line must agree on; the CLI reads the file, and
the macro returns the same data with dbt's `fromjson()`, so the macros check declarations, settings and
warehouse type names from one description. The release's version goes into the contract's `recorded`
section, read from the one place it is written by hand (the CLI's `__init__.py`).

Only the standard library, and nothing of the CLI is imported: a contributor working on the dbt package
alone regenerates the macro with any Python 3.10 (`python3 -S` works, with no site-packages at all).
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTRACT = REPO_ROOT / "src" / "statsig_sources" / "declaration" / "contract.json"
VERSION_FILE = REPO_ROOT / "src" / "statsig_sources" / "__init__.py"
MACRO = REPO_ROOT / "macros" / "utils" / "_statsig_contract.sql"
COMMAND = "python scripts/generate_macro_contract.py"

HEADER = """\
{{#- What the package and the CLI must agree on: the declaration's keys, kinds, choices, name rules and
    messages, the settings' defaults and the rules their values must meet per adapter (`access`), and the
    warehouses' type names, as one JSON string that dbt's fromjson() reads; the release's version is in
    `recorded`. GENERATED from src/statsig_sources/declaration/contract.json (docs/declaration.md explains
    each key) by `{command}`: do not edit it by hand (the test suite fails when it
    is stale). -#}}
"""


def read_version(version_file: Path) -> str:
    """`__version__` as the file assigns it, read without importing the package."""
    for node in ast.parse(version_file.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__version__" for target in node.targets
        ):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value
    raise ValueError(f"{version_file} assigns no __version__ string")


def macro_contract(contract: dict[str, Any], version: str) -> dict[str, Any]:
    """The contract as the macros read it: without its `about` note, with the release's version."""
    described = {key: value for key, value in contract.items() if key != "about"}
    described["recorded"] = {**described["recorded"], "version": version}
    return described


def jinja_string_literal(text: str) -> str:
    """`text` as a single-quoted Jinja string literal that evaluates back to exactly `text`.

    Jinja decodes a literal's backslash escapes as Python does, so a backslash and the quote are the two
    characters to escape. JSON text from json.dumps (ASCII only) has no raw newline or non-ASCII
    character; `}}` or `{%` inside a literal is read as part of it, by Jinja and by dbt's block finder.
    """
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def render_macro(contract: dict[str, Any], version: str) -> str:
    data = json.dumps(macro_contract(contract, version), separators=(",", ":"), ensure_ascii=True)
    return (
        HEADER.format(command=COMMAND)
        + "{% macro _statsig_contract() %}\n"
        + "{{ return(fromjson("
        + jinja_string_literal(data)
        + ")) }}\n"
        + "{% endmacro %}\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if the macro is stale")
    parser.add_argument("--contract", type=Path, default=CONTRACT, help="default: %(default)s")
    parser.add_argument("--version-file", type=Path, default=VERSION_FILE, help="default: %(default)s")
    parser.add_argument("--macro", type=Path, default=MACRO, help="default: %(default)s")
    args = parser.parse_args(argv)
    try:
        contract = json.loads(args.contract.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"error: cannot read the contract {args.contract}: {error}", file=sys.stderr)
        return 2
    try:
        version = read_version(args.version_file)
    except (OSError, ValueError, SyntaxError) as error:
        print(f"error: cannot read the version from {args.version_file}: {error}", file=sys.stderr)
        return 2
    expected = render_macro(contract, version)
    current = args.macro.read_text(encoding="utf-8") if args.macro.exists() else None
    if args.check:
        if current == expected:
            return 0
        print(f"{args.macro} is stale: contract.json changed; run `{COMMAND}`", file=sys.stderr)
        return 1
    if current != expected:
        args.macro.write_text(expected, encoding="utf-8")
        print(f"wrote {args.macro}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
