"""How ndrguard does on messages it was never tuned on: a folder and what each message is.

    .venv/bin/python bench/heldout.py FOLDER EXPECTATIONS.json
    .venv/bin/python bench/heldout.py FOLDER EXPECTATIONS.json --misses   # list every miss
    .venv/bin/python bench/heldout.py FOLDER EXPECTATIONS.json --json     # machine-readable

The shared corpus (tests/core/test_corpus.py) is what the recognisers were written against, so
its score says little about bounces from other software and sites. This script scores a set kept
apart for that: it reads FOLDER (every `*.eml` below it) and EXPECTATIONS, and never fetches
anything itself, so the held-out set stays outside the repository and its licence terms.

EXPECTATIONS is a JSON object keyed by the file's path relative to FOLDER:

    {"bounces/lhost-postfix-03.eml":
        {"kind": "failure", "family": "postfix", "recipients": ["kijitora@example.net"],
         "status": "5"}}

`kind` is what the message is (failure, delay, delivered, autoreply, challenge, feedback,
receipt, other); `family` groups the table (default: the file name up to its last `-`);
`recipients` (optional) are addresses the report must name; `status` (optional) is the class
or prefix their status must start with. A message labelled failure that ndrguard calls a delay
is counted right only when the report proves it, as in the corpus test: every recipient it
names is delayed. Files in FOLDER without an expectation are listed and not scored.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ndrguard import Report
from ndrguard.judge import JudgeContext, judge


@dataclass
class Outcome:
    """One message's score: whether its kind and its recipients came out right."""

    file: str
    family: str
    expected: str
    got: str
    kind_ok: bool
    recipients_ok: bool
    detail: str


def _proves_delay(report: Report) -> bool:
    return bool(report.recipients) and all(
        r.action == "delayed" or (r.status or "").startswith("4.") for r in report.recipients
    )


def score(path: Path, rel: str, expect: dict[str, object]) -> Outcome:
    report = judge(path.read_bytes(), JudgeContext()).report
    kind = str(expect["kind"])
    got = str(report.kind)
    kind_ok = got == kind or (kind == "failure" and got == "delay" and _proves_delay(report))
    named = {r.address.lower(): r for r in report.recipients}
    listed = expect.get("recipients") or []
    wanted = [str(a).lower() for a in listed] if isinstance(listed, list) else []
    prefix = str(expect.get("status") or "")
    missing = [a for a in wanted if a not in named]
    wrong_status = [
        a for a in wanted if a in named and not (named[a].status or "").startswith(prefix)
    ]
    recipients_ok = kind_ok and not missing and not wrong_status
    said = "; ".join(f"{r.address} {r.action} {r.status}" for r in report.recipients)
    detail = f"{report.recognised_by}: {report.reason} [{said}]"
    if missing:
        detail += f" missing {missing}"
    if wrong_status:
        detail += f" status not starting {prefix!r} for {wrong_status}"
    family = str(expect.get("family") or Path(rel).stem.rsplit("-", 1)[0])
    return Outcome(rel, family, kind, got, kind_ok, recipients_ok, detail)


def run(
    folder: Path, expectations: dict[str, dict[str, object]]
) -> tuple[list[Outcome], list[str]]:
    """Score every labelled file under `folder`; also list the files without a label."""
    outcomes = []
    unlabelled = []
    for path in sorted(folder.rglob("*.eml")):
        rel = path.relative_to(folder).as_posix()
        if rel not in expectations:
            unlabelled.append(rel)
            continue
        outcomes.append(score(path, rel, expectations[rel]))
    return outcomes, unlabelled


def table(outcomes: list[Outcome]) -> str:
    by_family: dict[str, list[Outcome]] = defaultdict(list)
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_family[o.family].append(o)
        by_kind[o.expected].append(o)
    lines = [f"{'label':<28} {'n':>4} {'kind ok':>8} {'rcpt ok':>8}"]
    for name, group in [*sorted(by_kind.items()), ("", []), *sorted(by_family.items())]:
        if not group:
            lines.append(f"\n{'family':<28} {'n':>4} {'kind ok':>8} {'rcpt ok':>8}")
            continue
        kind_ok = sum(o.kind_ok for o in group)
        rcpt_ok = sum(o.recipients_ok for o in group)
        lines.append(f"{name:<28} {len(group):>4} {kind_ok:>8} {rcpt_ok:>8}")
    total = len(outcomes)
    lines.append(
        f"\nall: {total} messages, kind right {sum(o.kind_ok for o in outcomes)}, "
        f"kind and recipients right {sum(o.recipients_ok for o in outcomes)}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("expectations", type=Path)
    parser.add_argument("--misses", action="store_true", help="list every message scored wrong")
    parser.add_argument("--json", action="store_true", help="print the outcomes as JSON")
    args = parser.parse_args(argv)
    expectations = json.loads(args.expectations.read_text(encoding="utf-8"))
    outcomes, unlabelled = run(args.folder, expectations)
    if args.json:
        print(json.dumps([asdict(o) for o in outcomes], indent=1))
        return 0
    print(table(outcomes))
    if unlabelled:
        print(f"\nnot scored (no expectation): {', '.join(unlabelled)}")
    if args.misses:
        print("\nmisses:")
        for o in outcomes:
            if not o.recipients_ok:
                print(f"  {o.file}: expected {o.expected}, got {o.got} -- {o.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
