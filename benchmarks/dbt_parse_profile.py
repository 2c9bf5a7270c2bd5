"""Where `dbt parse` spends the time a metric source costs: a profile of each step of dbt_parse.py.

    .venv/bin/python benchmarks/dbt_parse_profile.py [--models 1000] [--adapter postgres]

Generates dbt_parse.py's projects and runs `dbt parse --no-partial-parse` on each inside cProfile (one
process per project), then prints, for dbt's parsing stages, the cumulative seconds each project spent
there (profiled seconds: slower than unprofiled, comparable across columns) and the calls made, and
how many macro calls each model costs. The difference between `meta` and `macro` is what dbt's Jinja
rendering of a model costs once its body calls any macro; between `macro` and `sources`, the package's
own parse-time work.
"""

from __future__ import annotations

import argparse
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

from dbt_parse import ARMS, PROFILES, generate

ARMS_PROFILED = ("plain", "meta", "macro", "sources")
RUN = """
import cProfile, sys
from dbt.cli.main import dbtRunner
project, output = sys.argv[1], sys.argv[2]
args = ["parse", "--no-partial-parse", "--project-dir", project, "--profiles-dir", project]
profiler = cProfile.Profile()
profiler.enable()
result = dbtRunner().invoke(args)
profiler.disable()
profiler.dump_stats(output)
sys.exit(0 if result.success else 1)
"""
# (dbt function, what it does), as site-packages/<file>:<line>(<name>) in dbt-core 1.10 and 1.11
STAGES = [
    ("dbt/parser/manifest.py:(parse_manifest)", "the whole parse"),
    ("dbt/parser/base.py:(parse_node)", "parsing model files"),
    ("dbt/parser/models.py:(render_update)", "  reading a model's body"),
    ("dbt/parser/base.py:(render_with_context)", "    rendering it with Jinja"),
    ("dbt/context/providers.py:(generate_parser_model_context)", "      building its Jinja context"),
    ("dbt/parser/base.py:(update_parsed_node_config)", "    applying its config"),
    ("dbt/parser/base.py:(update_parsed_node_relation_names)", "    naming its relation (schema macros)"),
    ("dbt/parser/schemas.py:(parse_file)", "parsing YAML properties"),
    ("dbt/parser/schemas.py:(patch_node_config)", "  applying YAML config to each model"),
    ("dbt_common/clients/jinja.py:(call_macro)", "macro calls, all stages"),
]


def profile(project: Path, output: Path) -> pstats.Stats:
    subprocess.run([sys.executable, "-c", RUN, str(project), str(output)], check=True, capture_output=True)
    return pstats.Stats(str(output))


def stage(stats: pstats.Stats, pattern: str) -> tuple[float, int]:
    """Cumulative seconds and calls of the function `pattern` names (file and function, any line)."""
    file, name = pattern.split(":")
    for (path, _line, function), (_, calls, _, cumulative, _) in stats.stats.items():
        if path.endswith(file) and f"({function})" == name:
            return cumulative, calls
    return 0.0, 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--adapter", choices=sorted(PROFILES), default="postgres")
    options = parser.parse_args()
    assert set(ARMS_PROFILED) == set(ARMS)
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        stats = {
            kind: profile(generate(root, kind, options.models, options.adapter), root / f"{kind}.prof")
            for kind in ARMS_PROFILED
        }
    print(f"dbt parse --no-partial-parse under cProfile, {options.models} models on {options.adapter}")
    print(f"cumulative profiled seconds (calls) per stage:\n{'':<42}" + "".join(f"{k:>17}" for k in stats))
    for pattern, label in STAGES:
        cells = "".join(
            f"{seconds:>9.2f} ({calls:>5})" for seconds, calls in (stage(s, pattern) for s in stats.values())
        )
        print(f"{label:<42}{cells}")
    calls = {kind: stage(s, STAGES[-1][0])[1] for kind, s in stats.items()}
    per_model = (calls["sources"] - calls["macro"]) / options.models
    print(f"macro calls the package adds per metric source: {per_model:.1f}")


if __name__ == "__main__":
    main()
