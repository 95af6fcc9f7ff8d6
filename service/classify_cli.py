"""`ndrguard classify`: what each message is, for people (blocks) or programs (JSON lines).

The JSON schema is documented in docs/classify-json.md; keep the two in step.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from ndrguard import Report, recognise_bytes
from ndrguard.service.sources import read_all


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "classify",
        help="say what each message is (bounce, delay warning, auto-reply, ...) and why",
        description="Read messages from files, folders (recursively, e.g. Maildirs), mbox "
        "files or standard input (-) and say what each one is.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="file, folder, mbox file, or -")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    failed = 0
    out = sys.stdout
    for item in read_all(args.paths):
        if item.data is None:
            failed += 1
            print(f"ndrguard: {item.name}: {item.error}", file=sys.stderr)
            continue
        report = recognise_bytes(item.data)
        if args.json:
            out.write(json.dumps(to_json(item.name, report), ensure_ascii=False) + "\n")
        else:
            write_block(out, item.name, report)
    if failed:
        print(f"ndrguard: {failed} file(s) could not be read", file=sys.stderr)
    return 1 if failed else 0


def to_json(name: str, report: Report) -> dict[str, object]:
    return {"file": name, **report.to_json()}


def write_block(out: TextIO, name: str, report: Report) -> None:
    """One readable block per message: what it is, who decided, what came back."""
    kind = str(report.kind)
    if report.shape:
        kind += f" ({report.shape} – {_SHAPE_WORDS[str(report.shape)]})"
    lines = [name, f"  kind:        {kind}", f"  decided by:  {report.recognised_by}: {report.reason}"]
    if report.reporting_mta:
        lines.append(f"  reported by: {report.reporting_mta}")
    for r in report.recipients:
        bits = [r.address]
        if r.action:
            bits.append(r.action)
        if r.status:
            bits.append(r.status)
        line = "  recipient:   " + " ".join(bits)
        if r.diagnostic:
            line += f"\n               {_cut(r.diagnostic, 160)}"
        lines.append(line)
    o = report.original
    if o is not None:
        lines.append(f"  original:    {o.message_id or '(no Message-ID)'}")
        if o.from_ or o.subject:
            lines.append(f"               from {o.from_ or '?'}, subject {_cut(o.subject or '', 80)!r}")
        lines.append(
            f"               {len(o.received)} Received header(s)"
            + (", DKIM-signed" if o.dkim_signatures else "")
            + (", body returned" if o.body_returned else ", headers only")
        )
    for d in report.defects:
        lines.append(f"  defect:      {d}")
    out.write("\n".join(lines) + "\n\n")


_SHAPE_WORDS = {
    "full": "the original came back whole",
    "partial": "only the original's headers came back",
    "empty": "nothing of the original came back",
}


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
