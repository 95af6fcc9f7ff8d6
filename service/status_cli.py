"""`ndrguard status`, `summary` and `restore ID`: what the service did, and undoing it.

All three read the state database (WAL: safe while `ndrguard run` writes); `restore` moves a
quarantined message back through the same journal as every other move.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter

from ndrguard.service import cli_common, journal
from ndrguard.service.accounts import open_mailbox
from ndrguard.service.config import ConfigError
from ndrguard.service.mailbox import MailboxError
from ndrguard.service.state import State, StateError, VerdictState


def add_parser(sub: argparse._SubParsersAction) -> None:
    st = sub.add_parser("status", help="each account's folders, open moves and counters")
    st.add_argument("--json", action="store_true")
    cli_common.add_config_option(st)
    st.set_defaults(func=run_status)

    sm = sub.add_parser("summary", help="what was quarantined and why, and what was kept")
    sm.add_argument("--days", type=float, default=7.0, help="how far back (default 7)")
    sm.add_argument("--json", action="store_true")
    cli_common.add_config_option(sm)
    sm.set_defaults(func=run_summary)

    rs = sub.add_parser("restore", help="move a quarantined message back to where it came from")
    rs.add_argument("id", type=int, help="the message's ID, as `ndrguard summary` shows it")
    cli_common.add_config_option(rs)
    rs.set_defaults(func=run_restore)


def run_status(args: argparse.Namespace) -> int:
    try:
        config = cli_common.open_config(args)
        state = cli_common.open_state(args)
    except (ConfigError, StateError) as err:
        return cli_common.fail(err)
    try:
        report = {a.name: _account_status(state, a.name, a.folders) for a in config.accounts}
    finally:
        state.close()
    if args.json:
        print(json.dumps({"version": 1, "accounts": report}))
        return 0
    for name, info in report.items():
        print(f"{name}:")
        for folder, mark in info["folders"].items():
            print(f"  {folder}: read up to UID {mark['last_uid']} "
                  f"(UIDVALIDITY {mark['uidvalidity']})")  # fmt: skip
        print(f"  open moves: {info['open_moves']}, Sent index: {info['sent_index']} IDs")
        for key, n in sorted(info["counters"].items()):
            print(f"  {key}: {n}")
    return 0


def _account_status(state: State, name: str, folders: tuple[str, ...]) -> dict[str, object]:
    marks = {f: state.folder_mark(name, f) for f in folders}
    return {
        "folders": {
            f: {"uidvalidity": m.uidvalidity, "last_uid": m.last_uid} if m else
               {"uidvalidity": None, "last_uid": 0}
            for f, m in marks.items()
        },
        "open_moves": len(state.open_intents(name)),
        "sent_index": state.sent_count(name),
        "counters": state.counters(name),
    }  # fmt: skip


def run_summary(args: argparse.Namespace) -> int:
    try:
        state = cli_common.open_state(args)
    except StateError as err:
        return cli_common.fail(err)
    try:
        rows = state.verdicts(since=time.time() - args.days * 86400, limit=100_000)
    finally:
        state.close()
    if args.json:
        print(json.dumps({"version": 1, "verdicts": [r.to_json() for r in rows]}))
        return 0
    groups = Counter((r.state, r.verdict) for r in rows)
    print(f"In the last {args.days:g} day(s):")
    for (st, verdict), n in sorted(groups.items()):
        print(f"  {n:6d}  {verdict:<13} {st}")
    shown = [r for r in rows if r.state in _LISTED]
    for title, wanted in (("Quarantined", (VerdictState.QUARANTINED,)),
                          ("Kept as real bounces", (VerdictState.KEPT,))):  # fmt: skip
        chosen = [r for r in shown if r.state in wanted and r.verdict != "not-a-bounce"]
        if chosen:
            print(f"\n{title}:")
            for r in chosen[:50]:
                print(f"  [{r.id}] {r.account}: {r.subject or '(no subject)'}")
                print(f"        {r.reason}")
    return 0


_LISTED = (VerdictState.QUARANTINED, VerdictState.KEPT)


def run_restore(args: argparse.Namespace) -> int:
    try:
        config = cli_common.open_config(args)
        state = cli_common.open_state(args)
    except (ConfigError, StateError) as err:
        return cli_common.fail(err)
    try:
        row = state.verdict(args.id)
        if row is None:
            raise ConfigError(f"there is no message with ID {args.id}")
        if row.state is not VerdictState.QUARANTINED:
            raise ConfigError(f"message {args.id} is not in quarantine (it is {row.state})")
        account = config.account(row.account)
        mailbox = open_mailbox(account, state)
        try:
            done = journal.move_journalled(state, mailbox, [row], row.folder, journal.RESTORE)
        finally:
            mailbox.close()
    except (ConfigError, MailboxError, StateError) as err:
        return cli_common.fail(err)
    finally:
        state.close()
    if not done.moved:
        return cli_common.fail(MailboxError(f"message {args.id} was not in quarantine any more"))
    print(f"restored message {args.id} to {row.account}/{row.folder}")
    return 0
