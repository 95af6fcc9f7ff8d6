"""`ndrguard scan`: one full pass over the accounts (catch-up, verdicts, moves), then exit.

When the service runs, it is asked to scan (its workers do it, on their own connections);
otherwise this process takes the state's writer lock (store/writer_lock.py), so that a `scan`
and a `run` never judge or move the same message twice. With --dry-run nothing is written
and nothing moved: the verdicts are printed instead, so a
user can see what a policy would do to their mailbox before trusting it with it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ndrguard.identity import IdentityError
from ndrguard.service.api.channel import ChannelError
from ndrguard.service.api.client import running_client
from ndrguard.service.api.protocol import ApiError
from ndrguard.service.cli import common as cli_common
from ndrguard.service.engine.accounts import decider, open_mailbox
from ndrguard.service.engine.scanner import Scanner
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
    try:
        for account in accounts:
            try:
                _scan(account, state, config.path.parent, args.dry_run)
            except (MailboxError, ConfigError, IdentityError) as err:
                failed += 1
                cli_common.fail(err, account.name)
    finally:
        state.close()
        if writer is not None:
            writer.release()
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


def _scan(account: Account, state: State, config_dir: Path, dry_run: bool) -> None:
    decide = decider(account, state, config_dir)
    mailbox = open_mailbox(account, state)
    try:
        result = Scanner(account, mailbox, state, decide, dry_run=dry_run).run_pass()
    finally:
        mailbox.close()
    if dry_run:
        for folder, uid, d in result.planned:
            action = "would quarantine" if d.quarantine else "would keep"
            print(f"{account.name}/{folder} UID {uid}: {d.kind}, {d.verdict}: {action}")
            print(f"    {d.reason}")
    settled = sum(result.recovered.values())
    print(
        f"{account.name}: {result.candidates} candidate(s), {result.judged} judged, "
        f"{result.quarantined} quarantined, {result.kept} kept"
        + (f", {result.gone} gone" if result.gone else "")
        + (f", {settled} unfinished move(s) settled" if settled else "")
    )
