"""One vocabulary (issue 8): policies, verdicts, actions and worker states are compared as the
core's and the protocol's enums, never as string literals of their own.

A literal "monitor" or "legit" in a comparison is a second definition of the word: the day a
value is renamed, the enum changes and the literal silently stops matching. This walks the
syntax tree of every module of the service and the tray and names each comparison (==, !=,
in, not in) with a string constant that is one of those words. Words that the enums share
with other vocabularies of the house (the scan's "keep", a journal's "quarantine", the config
key "batv") are left out where the comparison is plainly about something else: only the words
below are looked for, and "quarantine" and "keep" are not among them for that reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ndrguard.service.api.protocol import Outcome, Policy, WorkerState

ROOT = Path(__file__).resolve().parents[2]
WORDS = (
    {str(p) for p in Policy if p is not Policy.BATV}  # "batv" is also a config table's name
    | {str(o) for o in Outcome}
    | {str(s) for s in WorkerState if s is not WorkerState.PAUSED}  # "paused" is a flag too
)


def _literals(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)
                and isinstance(e.value, str)]  # fmt: skip
    return []


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        for side in (node.left, *node.comparators):
            for word in _literals(side):
                if word in WORDS:
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno}: {word!r}")
    return out


def test_no_module_compares_a_policy_verdict_or_state_with_a_string_literal() -> None:
    files = sorted([*(ROOT / "service").rglob("*.py"), *(ROOT / "ui").rglob("*.py")])
    assert len(files) > 50
    offences = [o for f in files for o in _offences(f)]
    assert not offences, "compare with the enum (Policy, Outcome, WorkerState) instead:\n" + (
        "\n".join(offences)
    )


def test_the_rule_sees_a_literal_comparison() -> None:
    tree = ast.parse('if verdict == "legit" or state in ("watching", "x"): pass')
    compared = [n for n in ast.walk(tree) if isinstance(n, ast.Compare)]
    found = [w for n in compared for side in (n.left, *n.comparators) for w in _literals(side)]
    found = [w for w in found if w in WORDS]
    assert found == ["legit", "watching"], found
