"""`ndrguard classify`: what each message is, for people (blocks) or programs (JSON lines).

With `--identity` it also decides, for each message, whether it answers mail the user sent
(the verdict, the policy and the evidence). The JSON schema is documented in
docs/classify-json.md; keep the two in step.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeAlias

from ndrguard import Report
from ndrguard.errors import NdrguardError
from ndrguard.judge import JudgeContext, judge
from ndrguard.service.cli.sent_file import SentFileError, load_sent
from ndrguard.service.cli.sources import read_all
from ndrguard.vocabulary import Action, Policy

if TYPE_CHECKING:
    from ndrguard.verdict import Verdict

# The core's policies, from ndrguard.vocabulary (which imports nothing), so that classify
# without --identity never imports the verdict, identity and evidence modules: start-up is
# most of what classifying a small folder costs.
POLICIES = tuple(p.value for p in Policy)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "classify",
        help="say what each message is (bounce, delay warning, auto-reply, ...) and why",
        description="Read messages from files, folders (recursively, e.g. Maildirs), mbox "
        "files or standard input (-) and say what each one is.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="file, folder, mbox file, or -")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument(
        "--identity",
        type=Path,
        metavar="FILE",
        help="your identity file (docs/identity.md): adds a verdict to each message",
    )
    p.add_argument(
        "--sent",
        type=Path,
        metavar="FILE",
        help="your sent mail: a file of Message-IDs (one per line), a Maildir or an mbox",
    )
    p.add_argument(
        "--policy",
        choices=POLICIES,
        default=Policy.EVIDENCE.value,
        help="how to decide (default: evidence; see docs/verdicts.md)",
    )
    p.add_argument(
        "--arrived",
        type=_date,
        metavar="DATE",
        help="when the messages arrived (YYYY-MM-DD or ISO 8601); default: each message's "
        "topmost Received: date",
    )
    p.set_defaults(func=run)


def _date(text: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from exc
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


Judge: TypeAlias = "Callable[[bytes], tuple[Report, Verdict | None]]"


def run(args: argparse.Namespace) -> int:
    try:
        judge = _judge(args)
    except NdrguardError as exc:  # a --sent or --identity file that cannot be used
        print(f"ndrguard: {exc.shown()}", file=sys.stderr)
        return 2
    failed = 0
    out = sys.stdout
    for item in read_all(args.paths):
        if item.data is None:
            failed += 1
            print(f"ndrguard: {item.name}: {item.error}", file=sys.stderr)
            continue
        try:
            report, verdict = judge(item.data)
        except Exception as exc:  # one message must never end a run over many
            error = f"{type(exc).__name__}: {exc}"[:500]
            print(f"ndrguard: {item.name}: could not be read as mail: {error}", file=sys.stderr)
            if args.json:
                row = unreadable_json(item.name, error, args.policy if args.identity else None)
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                out.write(f"{item.name}\n  kind:        unreadable\n  error:       {error}\n\n")
            continue
        if args.json:
            row = to_json(item.name, report, verdict)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            write_block(out, item.name, report, verdict)
    if failed:
        print(f"ndrguard: {failed} file(s) could not be read", file=sys.stderr)
    return 1 if failed else 0


def _judge(args: argparse.Namespace) -> Judge:
    """The core's one entry point with what the command line says: recognition alone, or
    recognition plus a verdict when an identity is given (DKIM keys from DNS, as the service
    reads them)."""
    if args.identity is None:
        if args.sent is not None:
            raise SentFileError("--sent needs --identity (whose sent mail is it?)")
        context = JudgeContext()
    else:
        # The keyring (for BATV keys the identity file names) and DNS only with an identity.
        from ndrguard.service.engine.dkim_keys import service_key_lookup
        from ndrguard.service.settings.identity_file import load_identity

        identity = load_identity(args.identity)
        sent = load_sent(args.sent) if args.sent else None
        context = JudgeContext(
            identity=identity,
            policy=args.policy,
            sent=sent,
            dkim_lookup=service_key_lookup(),
            arrived=args.arrived,
        )

    def run(data: bytes) -> tuple[Report, Verdict | None]:
        judged = judge(data, context)
        return judged.report, judged.verdict

    return run


def to_json(name: str, report: Report, verdict: Verdict | None = None) -> dict[str, object]:
    row: dict[str, object] = {"file": name, **report.to_json(), "error": None}
    if verdict is not None:
        v = verdict.to_json()
        row.update(
            verdict=v["verdict"],
            action=v["action"],
            policy=v["policy"],
            evidence=v["evidence"],
            verdict_reason=v["reason"],
        )
    return row


def unreadable_json(name: str, error: str, policy: str | None = None) -> dict[str, object]:
    """The row of a message the core tripped over: every documented field, kind `unreadable`.

    With an identity (`policy` given) it carries the verdict fields too: `unreadable`, kept.
    """
    row: dict[str, object] = {
        "file": name,
        "kind": "unreadable",
        "shape": None,
        "recipients": [],
        "reporting_mta": None,
        "original": None,
        "recognised_by": "none",
        "reason": "the message could not be read; see error",
        "defects": [],
        "error": error,
    }
    if policy is not None:
        row.update(
            verdict="unreadable",
            action=Action.KEEP.value,
            policy=policy,
            evidence=[],
            verdict_reason="Kept: the message could not be read, so nothing can be decided.",
        )
    return row


def write_block(out: TextIO, name: str, report: Report, verdict: Verdict | None = None) -> None:
    """One readable block per message: what it is, who decided, what came back."""
    kind = str(report.kind)
    if report.shape:
        kind += f" ({report.shape} – {_SHAPE_WORDS[str(report.shape)]})"
    lines = [
        name,
        f"  kind:        {kind}",
        f"  decided by:  {report.recognised_by}: {report.reason}",
    ]
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
            subject = _cut(o.subject or "", 80)
            lines.append(f"               from {o.from_ or '?'}, subject {subject!r}")
        lines.append(
            f"               {len(o.received)} Received header(s)"
            + (", DKIM-signed" if o.dkim_signatures else "")
            + (", body returned" if o.body_returned else ", headers only")
        )
    if verdict is not None:
        what = f"{verdict.verdict} ({verdict.action}, policy {verdict.policy})"
        lines.append(f"  verdict:     {what}")
        lines.append(f"               {verdict.reason}")
        for e in verdict.evidence:
            if str(e.strength) != "none":
                lines.append(f"  evidence:    [{e.strength}] {e.detail}")
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
