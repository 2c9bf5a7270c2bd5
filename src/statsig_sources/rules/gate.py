"""What stops each command before it reads or writes anything, from the gate's answers
(declaration/admission.py).

- `render`, `plan` and `apply` act only on a project `validate` passes: every error refuses them, so
  what reaches Statsig is exactly what `render` writes.
- `usage` and `reload` only read Statsig (and ask it to load results): they need each source's name
  and nothing more, so they refuse exactly what leaves a source without a usable declaration or a name
  of its own (`unidentified`). Every other finding is for `validate` to report.

`unidentified` finds the same violations, under the same rules and words, as `validate` does: a
refusal always names what `validate` would.
"""

from __future__ import annotations

from collections.abc import Sequence

from statsig_sources.project import Project
from statsig_sources.rules.declaration_rules import RULE_OF_PROBLEM, check_duplicate_source_names
from statsig_sources.rules.violations import Violation, violation

# The commands that only read Statsig's metrics (and ask it to load results).
READERS = frozenset({"usage", "reload"})


def unidentified(project: Project) -> list[Violation]:
    """Every problem the contract finds in a declaration, under the rule `validate` reports it by, and
    every source name declared twice. Reads no SQL, so it costs nothing beside the manifest."""
    found = [
        violation(RULE_OF_PROBLEM.get(problem.code, "declaration"), source, problem.message)
        for source in project.sources
        for problem in source.declaration_problems
    ]
    return sorted([*found, *check_duplicate_source_names(project)])


def refusals(command: str, project: Project, violations: Sequence[Violation]) -> list[Violation]:
    """The findings that refuse `command`, among `violations` (validate's, or, for a reader, at least
    `unidentified`'s): every error for a command that registers, the unidentified sources for one
    that reads."""
    if command in READERS:
        return unidentified(project)
    return [found for found in violations if found.severity == "error"]
