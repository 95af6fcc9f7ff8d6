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
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from ndrguard.service.api.channel import ChannelError
from ndrguard.service.api.client import HELLO_WAIT, running_client
from ndrguard.service.api.ops import ServiceOperations
from ndrguard.service.api.protocol import ActionFailed, ApiError, WorkerState
from ndrguard.service.api.queries import Queries
from ndrguard.service.cli import common as cli_common
from ndrguard.service.engine.daemon import Service
from ndrguard.service.settings.config import ConfigError
from ndrguard.service.store.state import State, StateError, VerdictState
from ndrguard.service.store.writer_lock import WriterLock
from ndrguard.vocabulary import Outcome

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

    rs = sub.add_parser(
        "restore",
        help="move a quarantined message back to where it came from",
        description="Move quarantined messages back to the folder each came from; every move is "
        "journalled first. Name them by ID, or a whole campaign by one of its messages' IDs or "
        "by its forged subject, as `ndrguard summary` shows them.",
    )
    rs.add_argument("ids", metavar="ID", type=int, nargs="*",
                    help="the messages' IDs, as `ndrguard summary` shows them")  # fmt: skip
    rs.add_argument("--campaign", metavar="NAME|ID",
                    help="every quarantined message of the campaign that holds message ID, or "
                    "whose forged subject contains NAME")  # fmt: skip
    rs.add_argument("--days", type=float, default=30.0,
                    help="with --campaign: how far back its messages are looked for (30)")
    rs.add_argument("--json", action="store_true", help="what moved and what did not, as JSON")
    cli_common.add_config_option(rs)
    rs.set_defaults(func=run_restore)

    ml = sub.add_parser(
        "mark-legitimate",
        help="say a bounce is real: move it back if quarantined, and never quarantine it again",
    )
    ml.add_argument("id", type=int, help="the message's ID, as `ndrguard summary` shows it")
    ml.add_argument("--json", action="store_true", help="the answer as JSON")
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
    except (ChannelError, ApiError) as err:
        return cli_common.fail(err)
    live = None
    if client is not None:
        try:
            live = client.request("status", {}, HELLO_WAIT)
        except ApiError as err:
            return cli_common.fail(err)
        finally:
            client.close()
    try:
        config = cli_common.open_config(args)
        folders = {a.name: a.folders for a in config.accounts}
        policies = {a.name: a.policy for a in config.accounts}
    except ConfigError as err:
        if live is None:
            return cli_common.fail(err)
        # Saved broken while the service runs: its running config's accounts, which it
        # names in the status along with the error.
        folders = {a["account"]: () for a in live["accounts"]}
        policies = {}
    try:
        state = cli_common.open_state(args)
    except StateError as err:
        return cli_common.fail(err)
    try:
        report = {name: _account_status(state, name, f, policies.get(name))
                  for name, f in folders.items()}  # fmt: skip
    finally:
        state.close()
    live_accounts = {a["account"]: a for a in live["accounts"]} if live else {}
    for name, info in report.items():
        info["service"] = live_accounts.get(name)
    failing = {name: info["service"] for name, info in report.items()
               if (info["service"] or {}).get("state") in FAILING}  # fmt: skip
    # Bounces held because evidence could not be read are a fault too, service or not.
    held = {name: info["held"] for name, info in report.items() if info["held"]["count"]}
    failing.update({name: None for name in held if name not in failing})
    # A config saved broken is a fault too: the service runs on the last good one, but
    # what the user last wrote is not in force, and a script checking `status` must hear it.
    broken = bool(live and live.get("config_error"))
    code = 1 if live is None or failing or broken else 0
    if args.json:
        print(json.dumps({"version": 1, "running": live is not None,
                          "config_error": live and live.get("config_error"),
                          "failing": sorted(failing), "accounts": report}))  # fmt: skip
        return code
    _print_status(live, report)
    if live is None:
        print("ndrguard: the service is not running", file=sys.stderr)
    elif broken:
        print("ndrguard: the config file has an error; the service runs on the last good one",
              file=sys.stderr)
    for name, service in failing.items():
        if service is not None:
            print(f"ndrguard: account {name} is failing: {_state_line(service)}", file=sys.stderr)
        if name in held:
            print(f"ndrguard: account {name}: {_held_line(held[name])}", file=sys.stderr)
    return code


FAILING = frozenset({str(s) for s in WorkerState if s.is_trouble} | {str(WorkerState.STOPPED)})
"""Account states that make `status` exit 1: faults, not work in progress or a pause."""


def _print_status(live: dict[str, Any] | None, report: dict[str, dict[str, Any]]) -> None:
    if live is None:
        print("The service is not running (start it with `ndrguard run`).")
    elif live.get("config_error"):
        print(f"The config file has an error; the running config stays: {live['config_error']}")
    for name, info in report.items():
        print(f"{name}: {_state_line(info['service'])}")
        live_account = info["service"] or {}
        if live_account.get("faults"):
            # A reconnect after a resume is over in a second: "watching" alone would hide it.
            print(f"  faults since the service started: {live_account['faults']}, the latest: "
                  f"{live_account.get('last_fault') or '(not told)'}")
        watch = live_account.get("watch") or {}
        for folder, mark in info["folders"].items():
            how = f", {watch[folder]}" if folder in watch else ""
            print(f"  {folder}: read up to UID {mark['last_uid']} "
                  f"(UIDVALIDITY {mark['uidvalidity']}){how}")  # fmt: skip
        print(f"  open moves: {info['open_moves']}, Sent index: {info['sent_index']} IDs")
        if info["held"]["count"]:
            print(f"  {_held_line(info['held'])}")
        if info["rejudge"]:
            print(f"  {info['rejudge']} message(s) were judged under another policy than the "
                  f"account's now: `ndrguard rejudge --account {name}` applies it to them")
        for key, n in sorted(info["counters"].items()):
            print(f"  {key}: {n}")
        progress = (info["service"] or {}).get("progress")
        if progress:
            print(f"  {progress_line(progress)}")


def _state_line(live: dict[str, Any] | None) -> str:
    if live is None:
        return "not watched"
    line = str(live.get("state", "?")).replace("-", " ")
    if live.get("until"):
        line += f" until {time.strftime('%H:%M:%S', time.localtime(float(live['until'])))}"
    if live.get("detail") and live.get("state") != WorkerState.WATCHING:
        line += f" ({live['detail']})"
    return line


def _held_line(held: dict[str, Any]) -> str:
    return (f"{held['count']} bounce(s) held in place, evidence could not be read: "
            f"{held['reason']}")  # fmt: skip


def _account_status(
    state: State, name: str, folders: tuple[str, ...], policy: str | None = None
) -> dict[str, Any]:
    marks = {f: state.folder_mark(name, f) for f in folders}
    held = state.verdicts(name, [VerdictState.HELD], limit=1_000_000)
    return {
        "folders": {
            f: {"uidvalidity": m.uidvalidity, "last_uid": m.last_uid} if m else
               {"uidvalidity": None, "last_uid": 0}
            for f, m in marks.items()
        },
        "open_moves": len(state.open_intents(name)),
        "sent_index": state.sent_count(name),
        "counters": state.counters(name),
        "held": {"count": len(held), "reason": held[0].reason if held else None},
        # Judged under another policy than the account's now: what `rejudge` offers to redo.
        "rejudge": state.judged_under_other_policy(name, policy) if policy else 0,
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
    for title, wanted in (("Quarantined", VerdictState.QUARANTINED),
                          ("Kept as real bounces", VerdictState.KEPT)):
        chosen = [r for r in rows if r["state"] == wanted and r["verdict"] != Outcome.NOT_A_BOUNCE]
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
    if not args.ids and args.campaign is None:
        return cli_common.fail(ActionFailed("name the messages: restore ID... or --campaign"))
    try:
        with operations(args, "restore") as (call, _):
            ids = list(dict.fromkeys(args.ids))
            if args.campaign is not None:
                ids += [i for i in _campaign_ids(call, args.campaign, args.days) if i not in ids]
            answer = call("restore", ids=ids)
    except (ApiError, ChannelError, ConfigError, StateError) as err:
        return cli_common.fail(err)
    failed = {int(k): v for k, v in answer["failed"].items()}
    if args.json:
        print(json.dumps({"version": 1, "restored": answer["restored"], "failed": answer["failed"],
                          "items": answer["items"]}))  # fmt: skip
        return 1 if failed else 0
    rows = {r["id"]: r for r in answer["items"]}
    where = Counter(f"{rows[i]['account']}/{rows[i]['folder']}" for i in answer["restored"])
    for i in answer["restored"]:
        print(f"restored message {i} to {rows[i]['account']}/{rows[i]['folder']}")
    for i, why in failed.items():
        print(f"ndrguard: message {i} was not restored: {why}", file=sys.stderr)
    if len(ids) > 1:
        moved = ", ".join(f"{n} to {w}" for w, n in sorted(where.items())) or "none"
        print(f"{len(answer['restored'])} of {len(ids)} message(s) restored ({moved})"
              + (f"; {len(failed)} not restored" if failed else ""))  # fmt: skip
    return 1 if failed else 0


def _campaign_ids(call: Call, wanted: str, days: float) -> list[int]:
    """The quarantined messages of the campaign (as the summary window groups them) that holds
    message `wanted`, or whose title contains `wanted`; ActionFailed unless exactly one."""
    from ndrguard.ui.campaigns import group  # Qt-free; the same grouping as the window's

    rows: list[dict[str, Any]] = []
    before = None
    while True:
        page = call("verdicts", since=time.time() - days * 86400, states=["quarantined"],
                    limit=PAGE, before=before, details=True)  # fmt: skip
        rows += page["items"]
        if (before := page["next_before"]) is None:
            break
    campaigns = group(rows)
    if wanted.isdigit():
        chosen = [c for c in campaigns if any(i["id"] == int(wanted) for i in c.items)]
        if not chosen:
            raise ActionFailed(f"message {wanted} is in no quarantined campaign of the last "
                               f"{days:g} day(s)")  # fmt: skip
    else:
        chosen = [c for c in campaigns if wanted.casefold() in c.title.casefold()]
        if len(chosen) != 1:
            names = "; ".join(f"{c.title} ({len(c.items)})" for c in chosen[:5])
            raise ActionFailed(
                f"{len(chosen)} campaigns match {wanted!r}"
                + (f": {names}; name one by a message ID" if chosen else "")
            )
    return [int(i["id"]) for i in chosen[0].items]


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
    if args.json:
        print(json.dumps({"version": 1, **answer}))
        return 0 if str(args.id) not in answer["failed"] else 1
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


def progress_line(progress: dict[str, Any]) -> str:
    """`catching up INBOX: 1200 of 12540 (9 %)`, from the status's `progress` field."""
    done, total = int(progress["done"]), int(progress["total"])
    share = f" ({100 * done // total} %)" if total else ""
    return f"{progress['what']}: {done} of {total}{share}"
