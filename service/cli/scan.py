"""`ndrguard scan`: one full pass over the accounts (catch-up, verdicts, moves), then exit.

When the service runs, it is asked to scan (its workers do it, on their own connections);
otherwise this process takes the state's writer lock (store/writer_lock.py), so that a `scan`
and a `run` never judge or move the same message twice. With --dry-run nothing is written and
nothing moved, but the same evidence is read (the Sent folder too) and the same core judges:
what it prints, message by message, is what the real scan will do. Both print each decision
(subject, sender, verdict, reason, action) and a tally; --json gives the same as one JSON
document (docs/service.md has its fields).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from ndrguard.identity import IdentityError
from ndrguard.service.api.channel import ChannelError
from ndrguard.service.api.client import running_client
from ndrguard.service.api.protocol import ApiError
from ndrguard.service.cli import common as cli_common
from ndrguard.service.cli.progress import ProgressOutput
from ndrguard.service.engine.accounts import decider, open_mailbox
from ndrguard.service.engine.scanner import PassResult, Planned, Scanner
from ndrguard.service.mailboxes.base import MailboxError
from ndrguard.service.settings.config import Account, ConfigError
from ndrguard.service.store.state import State, StateError
from ndrguard.service.store.writer_lock import WriterLock


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scan",
        help="one pass over the accounts: judge new mail, quarantine backscatter, exit",
        description="Catch up with each account (or the one named), judge every new bounce "
        "and move backscatter to the quarantine folder, then exit.",
    )
    p.add_argument("--account", metavar="NAME", help="only this account")
    p.add_argument("--dry-run", action="store_true", help="say what would be done; change nothing")
    p.add_argument("--json", action="store_true", help="one JSON document instead of text")
    cli_common.add_config_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    writer = None
    try:
        config = cli_common.open_config(args)
        accounts = [config.account(args.account)] if args.account else list(config.accounts)
        if not args.dry_run:
            # One writer per state: the running service scans for us, or we hold the lock.
            if (handed := _by_the_service(args, [a.name for a in accounts])) is not None:
                return handed
            writer = WriterLock(cli_common.paths(args).state_file, "scan").acquire()
        state = cli_common.open_state(args)
    except (ConfigError, StateError, ApiError, ChannelError) as err:
        if writer is not None:
            writer.release()
        return cli_common.fail(err)
    if not accounts:
        if writer is not None:
            writer.release()
        return cli_common.fail(ConfigError(f"{config.path}: no accounts configured"))
    failed = 0
    report: list[dict[str, Any]] = []
    try:
        for account in accounts:
            try:
                result = _scan(account, state, config.path.parent, args.dry_run)
            except (MailboxError, ConfigError, IdentityError) as err:
                failed += 1
                cli_common.fail(err, account.name)
                report.append({"account": account.name, "error": str(err)})
                continue
            if result.unreadable:
                failed += 1
            if args.json:
                report.append(_json(account.name, result, args.dry_run))
            else:
                _print(account.name, result, args.dry_run)
    finally:
        state.close()
        if writer is not None:
            writer.release()
    if args.json:
        print(json.dumps({"version": 1, "dry_run": args.dry_run, "accounts": report},
                         ensure_ascii=False))  # fmt: skip
    return 1 if failed else 0


def _by_the_service(args: argparse.Namespace, names: list[str]) -> int | None:
    """Ask the running service to scan `names` now (its workers do it, on their own
    connections); the exit code, or None when no service runs."""
    client = running_client(cli_common.paths(args))
    if client is None:
        return None
    try:
        answer = client.call("hello")
        poked = client.call("scan", accounts=names)["scanning"]
    finally:
        client.close()
    paused = sorted(set(names) - set(poked))
    if poked:
        print(f"The running service (pid {answer['pid']}) is scanning now: {', '.join(poked)}; "
              "`ndrguard status` and `ndrguard summary` show what it does.")  # fmt: skip
    if paused:
        print(f"Not scanned, paused in the running service: {', '.join(paused)} "
              "(`ndrguard resume` first).")  # fmt: skip
    return 0


def _scan(account: Account, state: State, config_dir: Path, dry_run: bool) -> PassResult:
    decide = decider(account, state, config_dir)
    mailbox = open_mailbox(account, state)
    shown = ProgressOutput(f"{account.name}: ")
    try:
        return Scanner(
            account, mailbox, state, decide, dry_run=dry_run, on_progress=shown
        ).run_pass()
    finally:
        shown.close()
        mailbox.close()


_WOULD = {"quarantine": "would quarantine", "keep": "would keep", "hold": "would hold"}
_DID = {"quarantine": "quarantine", "keep": "keep", "hold": "hold"}


def _print(name: str, result: PassResult, dry_run: bool) -> None:
    words = _WOULD if dry_run else _DID
    for p in result.planned:
        d = p.decision
        print(f"{name}/{p.folder} UID {p.uid}: {words[p.action]}: {d.kind}, {d.verdict}")
        print(f"    subject: {p.subject or '(no subject)'}")
        print(f"    from:    {p.sender or '(no sender)'}")
        print(f"    {d.reason}")
    for problem in result.unreadable:
        print(f"{name}: could not read evidence: {problem}")
    tally = _tally(result.planned)
    settled = sum(result.recovered.values())
    if dry_run:
        counts = (f"would quarantine {tally['quarantine']}, would keep {tally['keep']}, "
                  f"would hold {tally['hold']}")  # fmt: skip
    else:
        counts = (f"{result.quarantined} quarantined, {result.kept} kept, "
                  f"{result.held} held")  # fmt: skip
    print(
        f"{name}: {result.candidates} candidate(s), {result.judged} judged, {counts}"
        + (f", {result.gone} gone" if result.gone else "")
        + (f", {settled} unfinished move(s) settled" if settled else "")
    )


def _tally(planned: list[Planned]) -> Counter[str]:
    tally: Counter[str] = Counter({"quarantine": 0, "keep": 0, "hold": 0})
    tally.update(p.action for p in planned)
    return tally


def _json(name: str, result: PassResult, dry_run: bool) -> dict[str, Any]:
    messages = [
        {
            "folder": p.folder, "uid": p.uid, "subject": p.subject, "from": p.sender,
            "kind": p.decision.kind, "verdict": p.decision.verdict,
            "reason": p.decision.reason, "action": p.action,
        }
        for p in result.planned
    ]  # fmt: skip
    done = {} if dry_run else {"quarantined": result.quarantined, "kept": result.kept,
                               "held": result.held, "gone": result.gone}  # fmt: skip
    return {
        "account": name,
        "candidates": result.candidates,
        "judged": result.judged,
        "messages": messages,
        "tally": dict(_tally(result.planned)),
        "done": done,
        "unreadable": result.unreadable,
    }
