"""`ndrguard demo`: the main job on mail the project makes itself, with no mail account.

It writes a folder of generated messages (ordinary mail, bounces of every shape, look-alikes),
classifies each one exactly as `ndrguard classify` would, and prints what it found and why.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

from ndrguard.service import demo_mail
from ndrguard.service.classify_cli import write_block

from ndrguard import recognise_bytes


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run ndrguard on sample mail it generates itself (no account needed)",
        description="Generate a folder of sample mail (ordinary messages, bounces, delay "
        "warnings, auto-replies, feedback reports) and show what ndrguard makes of it.",
    )
    p.add_argument("--out", type=Path, help="where to write the sample mail (default: a temp dir)")
    p.add_argument("--count", type=int, default=60, help="how many messages (default 60)")
    p.add_argument("--quiet", action="store_true", help="only the summary table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out_dir: Path = args.out or Path(tempfile.mkdtemp(prefix="ndrguard-demo-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    tally: Counter[tuple[str, str]] = Counter()
    shown: set[str] = set()
    for sample in demo_mail.generate(args.count):
        path = out_dir / sample.name
        path.write_bytes(sample.data)
        report = recognise_bytes(sample.data)
        tally[(sample.expected, str(report.kind))] += 1
        if not args.quiet and sample.note not in shown and report.kind != "other":
            shown.add(sample.note)
            print(f"# {sample.note}")
            write_block(sys.stdout, str(path), report)
    print(f"Sample mail written to {out_dir}")
    print(f"{'made as':<12} {'found as':<12} {'messages':>8}")
    for (expected, got), n in sorted(tally.items()):
        flag = "" if expected == got else "   <- differs"
        print(f"{expected:<12} {got:<12} {n:>8}{flag}")
    wrong = sum(n for (e, g), n in tally.items() if e != g)
    print(f"{sum(tally.values())} messages, {wrong} classified differently from how they were made")
    return 0 if wrong == 0 else 1
