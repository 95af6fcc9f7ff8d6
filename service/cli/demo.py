"""`ndrguard demo`: the main job on an embedded default, with no mail account.

It makes a Maildir for a demo user whose address spammers forge (a few hundred messages the
project generates: ordinary mail, backscatter, real bounces carrying the demo relay's BATV tag,
a bounce written by the demo relay, look-alikes), starts the service on it with the demo
identity, drops a burst of forged bounces in while the service watches, and prints what it
quarantined and why. Everything lives in one folder (NDRGUARD_HOME layout) that is kept, so
the other commands can be tried on it afterwards.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import tempfile
import time
from collections import Counter
from pathlib import Path

from ndrguard.service.api.protocol import WorkerState
from ndrguard.service.cli.common import ndrguard_command
from ndrguard.service.demo import mailbox as demo_mailbox
from ndrguard.service.engine.daemon import Service
from ndrguard.service.mailboxes.base import fingerprint
from ndrguard.service.settings import config as config_mod
from ndrguard.service.store.state import State, VerdictState
from ndrguard.vocabulary import Outcome

ACCOUNT = "demo"
WAIT = 120.0  # seconds the demo gives the service to catch up, and again for the burst


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run the service on a demo mailbox it makes itself (no account needed)",
        description="Make a demo Maildir with ordinary mail, backscatter and real bounces, run "
        "the service on it with a demo identity, and show what it quarantined and why.",
    )
    p.add_argument("--home", type=Path, help="folder for the demo (default: a new temp dir)")
    p.add_argument("--burst", type=int, default=60, help="forged bounces in the burst (60)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    home: Path = args.home or Path(tempfile.mkdtemp(prefix="ndrguard-demo-"))
    # watchdog logs an error when an event races the observer's stop: harmless, not news here.
    logging.getLogger("watchdog").setLevel(logging.CRITICAL)
    box = demo_mailbox.build(burst=args.burst)
    config_file = lay_out(home, box)
    config = config_mod.load(config_file)
    state = State(home / "state.sqlite")
    service = Service(config, state)
    print(f"Demo mailbox: {home / 'Mail'} ({len(box.inbox)} messages, "
          f"{len(box.sent)} in Sent); identity: {home / 'identity.toml'}")  # fmt: skip
    try:
        service.apply(config)
        _wait_for(lambda: _watching(service), "the service to start watching")
        print("The service caught up and is watching; a burst of "
              f"{len(box.burst)} bounces arrives now...")  # fmt: skip
        before = len(state.verdicts(ACCOUNT, limit=1_000_000))
        started = time.monotonic()
        for msg in box.burst:
            deliver(home / "Mail", msg)
        wanted = before + len(box.burst)
        _wait_for(lambda: _settled(state, wanted), "the burst to be judged and moved")
        took = time.monotonic() - started
    finally:
        service.stop()
    try:
        wrong, example = _report(state, box, took)
    finally:
        state.close()
    run = f"NDRGUARD_HOME={shlex.quote(str(home.absolute()))} {shlex.join(ndrguard_command())}"
    print(f"\nTry: {run} summary")
    print(f"  or: {run} restore {example or 'ID'}   (moves it back to the inbox)")
    print(f"  or: {run} run   (the service again, on this mailbox, until Ctrl-C)")
    return 1 if wrong else 0


def _settled(state: State, wanted: int) -> bool:
    """Every message judged, and every move the verdicts asked for made."""
    rows = state.verdicts(ACCOUNT, limit=1_000_000)
    return len(rows) >= wanted and all(
        r.state is not VerdictState.QUARANTINE_PENDING for r in rows
    )


def lay_out(home: Path, box: demo_mailbox.DemoMailbox) -> Path:
    """The demo's NDRGUARD_HOME: config, identity, key, and the Maildir with its Sent folder."""
    (home / "keys").mkdir(parents=True, exist_ok=True)
    key = home / "keys" / f"batv-{demo_mailbox.DEMO_KEY}"
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(demo_mailbox.DEMO_SECRET)
    (home / "identity.toml").write_text(demo_mailbox.IDENTITY)
    config_file = home / "config.toml"
    config_file.write_text(
        "# The demo account: a local Maildir, the demo identity, the batv policy.\n"
        f'[[accounts]]\nname = "{ACCOUNT}"\nmaildir = "Mail"\nquarantine = "Backscatter"\n'
        'policy = "batv"\nidentity = "identity.toml"\n'
    )
    mail = home / "Mail"
    for folder in (mail, mail / ".Sent"):
        for sub in ("tmp", "new", "cur"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
    for i, raw in enumerate(box.sent):
        (mail / ".Sent" / "cur" / f"{1700000000 + i}.sent{i}.demo:2,S").write_bytes(raw)
    for msg in box.inbox:
        deliver(mail, msg)
    return config_file


def deliver(maildir: Path, msg: demo_mailbox.Message) -> None:
    """Maildir delivery: write in tmp/, then rename into new/ (readers never see half a file)."""
    name = f"{time.time_ns()}.{msg.name}.demo"
    tmp = maildir / "tmp" / name
    tmp.write_bytes(msg.data)
    tmp.rename(maildir / "new" / name)


def _watching(service: Service) -> bool:
    status = service.statuses.get(ACCOUNT)
    if status is not None and status.state in (
        WorkerState.AUTH_FAILED, WorkerState.CERT_REJECTED, WorkerState.STOPPED
    ):
        raise RuntimeError(f"the demo account stopped: {status.state} {status.detail}")
    return status is not None and status.state is WorkerState.WATCHING


def _wait_for(done: object, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not done():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"ndrguard demo: gave up waiting for {what} after {WAIT:.0f} s")
        time.sleep(0.1)


SHOWN = 8  # quarantined messages listed by ID; `ndrguard summary` lists them all


def _report(state: State, box: demo_mailbox.DemoMailbox, took: float) -> tuple[int, int | None]:
    """Print what the service did, and how it compares with what each message was generated
    as; the number of messages judged otherwise, and a quarantined ID to try `restore` on."""
    rows = {r.fingerprint: r for r in state.verdicts(ACCOUNT, limit=1_000_000)}
    tally: Counter[tuple[str, str, str]] = Counter()
    wrong = []
    for msg in [*box.inbox, *box.burst]:
        row = rows.get(fingerprint(msg.data))
        got = row.verdict if row else Outcome.NOT_A_BOUNCE
        where = "quarantined" if row and row.state is VerdictState.QUARANTINED else "inbox"
        tally[(msg.expected, got, where)] += 1
        if got != msg.expected:
            wrong.append(f"  {msg.name}: generated as {msg.expected}, judged {got}")
    print(f"\nThe burst was judged and moved in {took:.1f} s.\n")
    print(f"{'generated as':<14} {'judged':<14} {'now in':<12} {'messages':>8}")
    for (expected, got, where), n in sorted(tally.items()):
        print(f"{expected:<14} {got:<14} {where:<12} {n:>8}")
    waiting = sum(m.expected == Outcome.BACKSCATTER for m in box.inbox)
    in_burst = sum(m.expected == Outcome.BACKSCATTER for m in box.burst)
    print(f"(generated as: what the demo made each message to be. Backscatter: {in_burst} in "
          f"the burst of {len(box.burst)}, plus {waiting} already in the inbox and caught in "
          f"the catch-up when the service started = {in_burst + waiting}.)")  # fmt: skip
    by_id = sorted(rows.values(), key=lambda r: r.id)
    for title, verdict in (
        ("Kept in the inbox, with the proof:", Outcome.LEGIT),
        ("Kept in the inbox, undecided (nothing proves or disproves it; yours to look at):",
         Outcome.UNDECIDED),
    ):  # fmt: skip
        chosen = [r for r in by_id if r.state is VerdictState.KEPT and r.verdict == verdict]
        if chosen:
            print(f"\n{title}")
            for r in chosen:
                print(f"  [{r.id}] {r.kind}: {r.subject or '(no subject)'}\n      {r.reason}")
    quarantined = [r for r in by_id if r.state is VerdictState.QUARANTINED]
    if quarantined:
        print(f"\nQuarantined in Backscatter: {len(quarantined)} messages, for example "
              "(the ID is what `restore` takes):")  # fmt: skip
        for r in quarantined[:SHOWN]:
            print(f"  [{r.id}] {r.kind}: {r.subject or '(no subject)'}")
        if len(quarantined) > SHOWN:
            print(f"  ... and {len(quarantined) - SHOWN} more (`summary` lists them all)")
        print("The reasons given:")
        for reason, n in Counter(r.reason for r in quarantined).most_common(4):
            print(f"  {n:4d} x {reason}")
    if wrong:
        print("\nJudged differently from how they were generated:")
        print("\n".join(wrong))
    return len(wrong), quarantined[0].id if quarantined else None
