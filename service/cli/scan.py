"""`ndrguard scan`: one full pass over the accounts (catch-up, verdicts, moves), then exit.

With --dry-run nothing is written and nothing moved: the verdicts are printed instead, so a
user can see what a policy would do to their mailbox before trusting it with it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ndrguard.identity import IdentityError
from ndrguard.service.cli import common as cli_common
from ndrguard.service.engine.accounts import decider, open_mailbox
from ndrguard.service.engine.scanner import Scanner
from ndrguard.service.mailboxes.base import MailboxError
from ndrguard.service.settings.config import Account, ConfigError
from ndrguard.service.store.state import State, StateError


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
    try:
        config = cli_common.open_config(args)
        accounts = [config.account(args.account)] if args.account else list(config.accounts)
        state = cli_common.open_state(args)
    except (ConfigError, StateError) as err:
        return cli_common.fail(err)
    if not accounts:
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
    return 1 if failed else 0


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
