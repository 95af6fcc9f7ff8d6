"""`ndrguard status`, `summary`, `restore ID` and `mark-legitimate ID`: what the service did,
and undoing it.

When a service runs, these ask it through the local API: `status` then shows what each
account's worker is doing, and a restore is made by the account's own worker on its own
connection, never by a second connection beside it (worker.py says why). When none runs, the
same operations (api/ops.py) run in this process, on the state database (WAL: safe to read
beside a writer) and on a mailbox opened for the purpose. `status` adds to either what the
state database holds per account: how far each folder was read, open moves, counters.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from ndrguard.service.api.channel import ChannelError
from ndrguard.service.api.client import running_client
from ndrguard.service.api.ops import ServiceOperations
from ndrguard.service.api.protocol import ActionFailed, ApiError
from ndrguard.service.api.queries import Queries
from ndrguard.service.cli import common as cli_common
from ndrguard.service.engine.daemon import Service
from ndrguard.service.settings.config import ConfigError
from ndrguard.service.store.state import State, StateError
from ndrguard.service.store.writer_lock import WriterLock

# `call(op, **args)`: one operation of docs/api.md, by the running service or in this process.
Call = Callable[..., Any]

PAGE = 500  # verdicts per API call; the API's own maximum


def add_parser(sub: argparse._SubParsersAction) -> None:
    st = sub.add_parser("status", help="each account's state, folders, open moves and counters")
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


@contextlib.contextmanager
def operations(
    args: argparse.Namespace, writes: str | None = None
) -> Iterator[tuple[Call, bool]]:
    """`call` answered by the running service, or by the same operations in this process
    when none runs; and whether one runs. ApiError, ConfigError or StateError when neither
    can be had. `writes` names a command that changes mail or state: in this process it
    then holds the state's writer lock (WriterBusy when another process holds it)."""
    paths = cli_common.paths(args)
    client = running_client(paths)
    if client is not None:
        try:
            yield client.call, True
        finally:
            client.close()
        return
    config = cli_common.open_config(args)
    writer = WriterLock(paths.state_file, writes).acquire() if writes else None
    try:
        state = State(paths.state_file)
    except BaseException:
        if writer is not None:
            writer.release()
        raise
    try:
        queries = Queries(paths.state_file)
        ops = ServiceOperations(Service(config, state), queries, changed=lambda _ids: None)
        try:
            yield (lambda op, **kw: ops.call(op, kw)), False
        finally:
            queries.close()
    finally:
        state.close()
        if writer is not None:
            writer.release()


def run_status(args: argparse.Namespace) -> int:
    try:
        client = running_client(cli_common.paths(args))
    except ChannelError as err:
        return cli_common.fail(err)
    live = None
    if client is not None:
        try:
            live = client.call("status")
        except ApiError as err:
            return cli_common.fail(err)
        finally:
            client.close()
    try:
        config = cli_common.open_config(args)
        folders = {a.name: a.folders for a in config.accounts}
    except ConfigError as err:
        if live is None:
            return cli_common.fail(err)
        # Saved broken while the service runs: its running config's accounts, which it
        # names in the status along with the error.
        folders = {a["account"]: () for a in live["accounts"]}
    try:
        state = cli_common.open_state(args)
    except StateError as err:
        return cli_common.fail(err)
    try:
        report = {name: _account_status(state, name, f) for name, f in folders.items()}
    finally:
        state.close()
    live_accounts = {a["account"]: a for a in live["accounts"]} if live else {}
    for name, info in report.items():
        info["service"] = live_accounts.get(name)
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
    since = time.time() - args.days * 86400
    try:
        with operations(args) as (call, _):
            rows = _all_verdicts(call, since)
    except (ApiError, ChannelError, ConfigError, StateError) as err:
        return cli_common.fail(err)
    if args.json:
        print(json.dumps({"version": 1, "verdicts": rows}))
        return 0
    groups = Counter((r["state"], r["verdict"]) for r in rows)
    print(f"In the last {args.days:g} day(s):")
    for (st, verdict), n in sorted(groups.items()):
        print(f"  {n:6d}  {verdict:<13} {st}")
    for title, wanted in (("Quarantined", "quarantined"), ("Kept as real bounces", "kept")):
        chosen = [r for r in rows if r["state"] == wanted and r["verdict"] != "not-a-bounce"]
        if chosen:
            print(f"\n{title}:")
            for r in chosen[:50]:
                print(f"  [{r['id']}] {r['account']}: {r['subject'] or '(no subject)'}")
                print(f"        {r['reason']}")
    return 0


def _all_verdicts(call: Call, since: float) -> list[dict[str, Any]]:
    """Every verdict since `since`, newest first, a page at a time."""
    rows: list[dict[str, Any]] = []
    before = None
    while True:
        page = call("verdicts", since=since, limit=PAGE, before=before)
        rows += page["items"]
        before = page["next_before"]
        if before is None:
            return rows


def run_restore(args: argparse.Namespace) -> int:
    try:
        with operations(args, "restore") as (call, _):
            answer = call("restore", ids=[args.id])
    except (ApiError, ChannelError, ConfigError, StateError) as err:
        return cli_common.fail(err)
    if args.id not in answer["restored"]:
        why = answer["failed"].get(str(args.id), "?")
        return cli_common.fail(ActionFailed(f"message {args.id} was not restored: {why}"))
    (row,) = answer["items"]
    print(f"restored message {args.id} to {row['account']}/{row['folder']}")
    return 0


def run_mark_legitimate(args: argparse.Namespace) -> int:
    """The user's word is recorded first, then the message moved back if it is in quarantine.

    The word is kept even if the move fails (the server is down): the message is then never
    moved again, and `restore` or another `mark-legitimate` brings it back later.
    """
    try:
        with operations(args, "mark-legitimate") as (call, _):
            answer = call("mark_legit", ids=[args.id])
    except (ApiError, ChannelError, ConfigError, StateError) as err:
        return cli_common.fail(err)
    (row,) = answer["items"]
    where = f"{row['account']}/{row['folder']}"
    if args.id in answer["restored"]:
        done = f"; moved back to {where}"
    elif str(args.id) in answer["failed"]:
        why = answer["failed"][str(args.id)]
        done = f"; it is still in quarantine ({why}): try `ndrguard restore {args.id}` later"
    else:
        done = f"; it stays in {where}" if row["state"] in _IN_PLACE else ""
    print(f"message {args.id} marked legitimate: it will not be quarantined again{done}")
    return 0 if str(args.id) not in answer["failed"] else 1


_IN_PLACE = ("kept", "monitored", "quarantine-pending", "restored")
