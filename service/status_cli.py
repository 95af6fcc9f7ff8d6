"""`ndrguard status`, `summary`, `restore ID` and `mark-legitimate ID`: what the service did,
and undoing it.

All read the state database (WAL: safe while `ndrguard run` writes); `status` adds what the
running service says of each account (status.json, written by `ndrguard run`). `restore` and
`mark-legitimate` move a quarantined message back through the same journal as every other move.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ndrguard.service import cli_common, journal
from ndrguard.service.accounts import open_mailbox
from ndrguard.service.config import Config, ConfigError
from ndrguard.service.mailbox import MailboxError
from ndrguard.service.state import State, StateError, VerdictRow, VerdictState


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

    ml = sub.add_parser(
        "mark-legitimate",
        help="say a bounce is real: move it back if quarantined, and never quarantine it again",
    )
    ml.add_argument("id", type=int, help="the message's ID, as `ndrguard summary` shows it")
    cli_common.add_config_option(ml)
    ml.set_defaults(func=run_mark_legitimate)


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
    live = running_service(cli_common.paths(args).state_file.with_name("status.json"))
    for name, info in report.items():
        info["service"] = live["accounts"].get(name) if live else None
    if args.json:
        print(json.dumps({"version": 1, "running": live is not None,
                          "config_error": live and live.get("config_error"),
                          "accounts": report}))  # fmt: skip
        return 0
    if live is None:
        print("The service is not running (start it with `ndrguard run`).")
    elif live.get("config_error"):
        print(f"The config file has an error; the running config stays: {live['config_error']}")
    for name, info in report.items():
        print(f"{name}: {_state_line(info['service'])}")
        watch = (info["service"] or {}).get("watch") or {}
        for folder, mark in info["folders"].items():
            how = f", {watch[folder]}" if folder in watch else ""
            print(f"  {folder}: read up to UID {mark['last_uid']} "
                  f"(UIDVALIDITY {mark['uidvalidity']}){how}")  # fmt: skip
        print(f"  open moves: {info['open_moves']}, Sent index: {info['sent_index']} IDs")
        for key, n in sorted(info["counters"].items()):
            print(f"  {key}: {n}")
    return 0


def running_service(status_file: Path) -> dict[str, Any] | None:
    """What `ndrguard run` last wrote, if the process that wrote it is still alive."""
    try:
        data = json.loads(status_file.read_text())
        os.kill(int(data["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no file, a torn or foreign one, or its writer is gone
    return data if isinstance(data.get("accounts"), dict) else None


def _state_line(live: dict[str, Any] | None) -> str:
    if live is None:
        return "not watched"
    line = str(live.get("state", "?")).replace("-", " ")
    if live.get("until"):
        line += f" until {time.strftime('%H:%M:%S', time.localtime(float(live['until'])))}"
    if live.get("detail") and live.get("state") != "watching":
        line += f" ({live['detail']})"
    return line


def _account_status(state: State, name: str, folders: tuple[str, ...]) -> dict[str, Any]:
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
        row = _row(state, args.id)
        if row.state is not VerdictState.QUARANTINED:
            raise ConfigError(f"message {args.id} is not in quarantine (it is {row.state})")
        _move_back(config, state, row)
    except (ConfigError, MailboxError, StateError) as err:
        return cli_common.fail(err)
    finally:
        state.close()
    print(f"restored message {args.id} to {row.account}/{row.folder}")
    return 0


def run_mark_legitimate(args: argparse.Namespace) -> int:
    """Record the user's word first, then move the message back if it is in quarantine.

    The word is kept even if the move fails (the server is down): the message is then never
    moved again, and `restore` or another `mark-legitimate` brings it back later.
    """
    try:
        config = cli_common.open_config(args)
        state = cli_common.open_state(args)
    except (ConfigError, StateError) as err:
        return cli_common.fail(err)
    try:
        row = _row(state, args.id)
        state.mark_legit(row.id)
        if row.state is VerdictState.QUARANTINED:
            _move_back(config, state, row)
            where = f"; moved back to {row.account}/{row.folder}"
        else:
            where = f"; it stays in {row.account}/{row.folder}" if row.state in _IN_PLACE else ""
    except (ConfigError, MailboxError, StateError) as err:
        return cli_common.fail(err)
    finally:
        state.close()
    print(f"message {args.id} marked legitimate: it will not be quarantined again{where}")
    return 0


_IN_PLACE = (VerdictState.KEPT, VerdictState.MONITORED, VerdictState.QUARANTINE_PENDING,
             VerdictState.RESTORED)  # fmt: skip


def _row(state: State, verdict_id: int) -> VerdictRow:
    row = state.verdict(verdict_id)
    if row is None:
        raise ConfigError(f"there is no message with ID {verdict_id}")
    return row


def _move_back(config: Config, state: State, row: VerdictRow) -> None:
    """Move a quarantined message back to its folder, journalled like every move."""
    account = config.account(row.account)
    mailbox = open_mailbox(account, state)
    try:
        done = journal.move_journalled(state, mailbox, [row], row.folder, journal.RESTORE)
    finally:
        mailbox.close()
    if not done.moved:
        raise MailboxError(f"message {row.id} was not in quarantine any more")
