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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ndrguard.identity import IdentityError
from ndrguard.service.api.channel import ChannelError
from ndrguard.service.api.client import running_client
from ndrguard.service.api.protocol import ApiError
from ndrguard.service.cli import common as cli_common
from ndrguard.service.cli.progress import ProgressOutput
from ndrguard.service.engine.accounts import decider, open_mailbox
from ndrguard.service.engine.scanner import PassResult, Scanner, Step
from ndrguard.service.mailboxes.base import MailboxError
from ndrguard.service.settings.config import Account, Config, ConfigError
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

    r = sub.add_parser(
        "rejudge",
        help="judge again what was judged before, under the current policy",
        description="Apply each account's current policy and identity to the messages judged "
        "before that are still in their folders, and move what the new verdicts say (each "
        "move journalled: `ndrguard restore ID` undoes it). Run it after changing a policy.",
    )
    r.add_argument("--account", metavar="NAME", help="only this account")
    r.add_argument("--since", type=_since, metavar="DATE",
                   help="only messages judged since DATE (YYYY-MM-DD or ISO 8601)")  # fmt: skip
    r.add_argument("--dry-run", action="store_true", help="say what would be done; change nothing")
    r.add_argument("--json", action="store_true", help="one JSON document instead of text")
    cli_common.add_config_option(r)
    r.set_defaults(func=run_rejudge)


def _since(text: str) -> float:
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from exc
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()


def run_rejudge(args: argparse.Namespace) -> int:
    """`ndrguard rejudge`: through the running service when there is one, else here."""
    try:
        config = cli_common.open_config(args)
        names = [config.account(args.account).name] if args.account else None
        client = None if args.dry_run else running_client(cli_common.paths(args))
    except (ConfigError, ChannelError) as err:
        return cli_common.fail(err)
    if client is not None:
        try:
            answer = client.call("rejudge", accounts=names, since=args.since)
        except ApiError as err:
            return cli_common.fail(err)
        finally:
            client.close()
        reports = answer["accounts"]
    else:
        try:
            reports = _rejudge_here(args, config, names)
        except (ConfigError, StateError, MailboxError, IdentityError) as err:
            return cli_common.fail(err)
    if args.json:
        print(json.dumps({"version": 1, "dry_run": args.dry_run, "accounts": reports},
                         ensure_ascii=False))  # fmt: skip
    else:
        for report in reports:
            _print_json(report, args.dry_run)
    return 1 if any(r["unreadable"] for r in reports) else 0


def _rejudge_here(
    args: argparse.Namespace, config: Config, names: list[str] | None
) -> list[dict[str, Any]]:
    writer = None if args.dry_run else WriterLock(
        cli_common.paths(args).state_file, "rejudge").acquire()  # fmt: skip
    try:
        state = cli_common.open_state(args)
        try:
            out = []
            for account in config.accounts:
                if names is not None and account.name not in names:
                    continue
                mailbox = open_mailbox(account, state)
                try:
                    judge = decider(account, state, config.path.parent)
                    scanner = Scanner(account, mailbox, state, judge, dry_run=args.dry_run)
                    out.append(scanner.rejudge(args.since).to_json(account.name, args.dry_run))
                finally:
                    mailbox.close()
            return out
        finally:
            state.close()
    finally:
        if writer is not None:
            writer.release()


def _print_json(report: dict[str, Any], dry_run: bool) -> None:
    words = _WOULD if dry_run else _DID
    name = report["account"]
    for m in report["messages"]:
        print(f"{name}/{m['folder']} UID {m['uid']}: {words[m['action']]}: {m['kind']}, "
              f"{m['verdict']}")  # fmt: skip
        print(f"    subject: {m['subject'] or '(no subject)'}")
        print(f"    {m['reason']}")
    for problem in report["unreadable"]:
        print(f"{name}: could not read evidence: {problem}")
    t = report["tally"]
    if dry_run:
        print(f"{name}: {report['judged']} judged again; would quarantine {t['quarantine']}, "
              f"would keep {t['keep']}, would hold {t['hold']}")  # fmt: skip
    else:
        d = report["done"]
        print(f"{name}: {report['judged']} judged again; {d['quarantined']} quarantined, "
              f"{d['kept']} kept, {d['held']} held; `ndrguard restore ID` undoes a move")


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
                report.append(result.to_json(account.name, args.dry_run))
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


_WOULD = {step: f"would {step}" for step in Step}
_DID = {step: str(step) for step in Step}


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
    tally = result.tally()
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


