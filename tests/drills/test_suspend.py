"""Suspend and resume with a real clock jump and a real stop (issue 12 item 3), not an injected
clock.

`ndrguard run` runs as its own process, some drills under libfaketime with an offset file it
rereads on every clock call (FAKETIME_TIMESTAMP_FILE, FAKETIME_NO_CACHE=1):

- stopped (SIGSTOP) for longer than SUSPEND_GAP while mail arrives, then continued (SIGCONT);
- the same, with all of the process's clocks moved an hour on while it is stopped (libfaketime's
  default: CLOCK_MONOTONIC jumps with the wall clock);
- the wall clock alone moved an hour on while the process runs (FAKETIME_DONT_FAKE_MONOTONIC=1),
  as a resume from a night's sleep does to CLOCK_REALTIME while CLOCK_MONOTONIC stood still;
- stopped in the middle of its catch-up pass, where no wait of the worker spans the gap (the
  cause of an earlier flake of this drill: a stop that landed outside IDLE went unnoticed).

Each time the service must notice the gap at once, drop the session it had (its NAT entry and
server session may be gone), reconnect, and catch up with what arrived. The fault is read from
`status` (its fault count and last fault's words), which a reconnect that is over between two
samples of the timeline cannot hide. Loopback only: the clock and the stop are the fault here,
not the network.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ndrguard.service.engine.scanner import BATCH
from tests.drills.common import size
from tests.drills.harness import (
    QUARANTINE,
    Count,
    Timeline,
    add_account,
    count,
    hold,
    report,
    wait_quarantined,
)
from tests.service.imap_util import (
    NDRGUARD,
    ROOT,
    append_pipelined,
    client,
    drill_bounces,
    drill_ordinary,
    message_ids_in,
)
from tests.support.dovecot import Account, Dovecot
from tests.support.procs import wait_until

pytestmark = [pytest.mark.drill, pytest.mark.imap]

LIBFAKETIME = (
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
    "/usr/lib/faketime/libfaketimeMT.so.1",
)
STOPPED = ("did not run for",)
SLEPT = ("slept for",)
# CI deadlines, generous for a loaded shared machine; the figures measured are printed and
# written in docs/service.md. The service itself notices within a second of running again.
NOTICE_BOUND = 5.0
RECOVER_BOUND = 5.0


def libfaketime() -> str:
    for path in LIBFAKETIME:
        if Path(path).exists():
            return path
    pytest.skip("libfaketime is not installed (scripts/setup --test installs faketime)")


@dataclass
class Run:
    server: Dovecot
    login: Account
    home: Path
    proc: subprocess.Popen[bytes]
    timeline: Timeline
    offset: Path  # the faketime offset file ("+0" until a drill moves the clocks)

    def jump(self, seconds: int) -> None:
        self.offset.write_text(f"+{seconds}\n")

    def logged(self, *words: str) -> list[str]:
        text = (self.home / "run.out").read_text(errors="replace")
        return [ln for ln in text.splitlines() if any(w in ln for w in words)]


@contextlib.contextmanager
def service(dovecot_factory, tmp_path: Path, faketime: dict[str, str] | None,
            before: list[bytes]) -> Iterator[Run]:  # fmt: skip
    """`ndrguard run` as a process of its own (so that it can be stopped), `before` in the
    INBOX when it starts."""
    server = dovecot_factory()
    login = server.accounts[0]
    home = tmp_path / "home"
    env = add_account(home, server, login, server.host, server.imaps_port)
    offset = tmp_path / "faketime-offset"
    offset.write_text("+0\n")
    if faketime is not None:
        env |= {"LD_PRELOAD": libfaketime(), "FAKETIME_TIMESTAMP_FILE": str(offset),
                "FAKETIME_NO_CACHE": "1", **faketime}  # fmt: skip
    append_pipelined(server, login, before)
    log = (home / "run.out").open("wb")
    proc = subprocess.Popen([*NDRGUARD, "run"], env=env, cwd=ROOT, stdout=log, stderr=log)
    timeline = Timeline(home)
    try:
        timeline.start()
        yield Run(server, login, home, proc, timeline, offset)
    finally:
        timeline.stop()
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGCONT)
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def watching(run: Run) -> None:
    wait_until(lambda: run.timeline.state() == "watching", timeout=60,
               what=f"the service to be watching: {run.timeline.shown()}")  # fmt: skip


@contextlib.contextmanager
def stopped(run: Run, seconds: float) -> Iterator[None]:
    """The service stopped for `seconds` (whatever the block does meanwhile), then continued."""
    os.kill(run.proc.pid, signal.SIGSTOP)
    began = time.monotonic()
    try:
        yield
        time.sleep(max(0.0, began + seconds - time.monotonic()))
    finally:
        os.kill(run.proc.pid, signal.SIGCONT)


Fault = Callable[[Run, list[bytes]], None]


def gap_drill(dovecot_factory, tmp_path: Path, name: str, faketime: dict[str, str] | None,
              fault: Fault, causes: tuple[str, ...]) -> None:  # fmt: skip
    """Watching, a bounce quarantined; `fault(run, meanwhile)` (delivering `meanwhile`); then
    the gap noticed, the watch back, the meanwhile mail caught up and one more bounce after."""
    ordinary, mail = drill_ordinary(5, tag=f"{name}-o"), drill_bounces(4, tag=name)
    with service(dovecot_factory, tmp_path, faketime, ordinary) as run:
        watching(run)
        run.server.deliver(run.login.user, mail[0])
        wait_quarantined(run.server, run.login, mail[:1], timeout=30)
        fault(run, mail[1:3])
        resumed = time.monotonic()
        noticed_at, _ = run.timeline.left_watching(resumed, timeout=30)
        back = run.timeline.watching_again(resumed, timeout=30)
        wait_quarantined(run.server, run.login, mail[:3], timeout=30)
        caught_up = time.monotonic()
        run.server.deliver(run.login.user, mail[3])
        wait_quarantined(run.server, run.login, mail, timeout=30)
        faults = run.timeline.faults()
        cause = run.timeline.first_failure(resumed)
    finish(run, name, ordinary, mail, resumed, noticed_at, back, caught_up, cause, causes,
           faults)  # fmt: skip


def finish(run: Run, name: str, ordinary: list[bytes], mail: list[bytes], resumed: float,
           noticed_at: float, back: float, caught_up: float, cause: str,
           causes: tuple[str, ...], faults: int) -> None:  # fmt: skip
    tally = count(run.server, run.login, ordinary, mail)
    report(name, noticed_at - resumed, cause, back - resumed, tally)
    print(f"DRILL {name}: the mail of the gap quarantined {caught_up - resumed:.1f} s after "
          f"the service ran again; {faults} fault(s) counted")  # fmt: skip
    assert tally == Count(0, 0, 0), f"{name}: {tally}"
    assert any(c in cause for c in causes), (
        f"{name}: told the user {cause!r}, not {causes}; log: {run.logged(*causes)}"
    )
    # One gap, one reconnect: the gap is counted once however many waits saw it.
    assert faults == 1, f"{name}: {faults} faults counted: {run.timeline.shown()}"
    assert noticed_at - resumed < NOTICE_BOUND, f"{name}: noticed {noticed_at - resumed:.1f} s"
    assert back - resumed < RECOVER_BOUND, f"{name}: watching again {back - resumed:.1f} s"


def stop_for(seconds: float, jump: int = 0) -> Fault:
    def fault(run: Run, meanwhile: list[bytes]) -> None:
        with stopped(run, seconds):
            for raw in meanwhile:
                run.server.deliver(run.login.user, raw)
            if jump:
                run.jump(jump)  # the clocks of the process, `jump` seconds on
    return fault


def test_stopped_and_continued(dovecot_factory, tmp_path: Path) -> None:
    gap_drill(dovecot_factory, tmp_path, "stopped", None, stop_for(hold(10, 120)), STOPPED)


def test_stopped_while_the_clocks_jump_an_hour(dovecot_factory, tmp_path: Path) -> None:
    gap_drill(dovecot_factory, tmp_path, "suspend-resume", {}, stop_for(hold(10, 120), 3600),
              STOPPED)  # fmt: skip


def test_the_wall_clock_jumps_an_hour_while_it_runs(dovecot_factory, tmp_path: Path) -> None:
    # CLOCK_MONOTONIC real, CLOCK_REALTIME moved: what a resume leaves behind. (libfaketime
    # 0.9.10 in this mode fails clock_nanosleep, so time.sleep; the service waits on events
    # and select only.)
    def fault(run: Run, meanwhile: list[bytes]) -> None:
        for raw in meanwhile:
            run.server.deliver(run.login.user, raw)
        run.jump(3600)

    gap_drill(dovecot_factory, tmp_path, "wall-clock-jump",
              {"FAKETIME_DONT_FAKE_MONOTONIC": "1"}, fault, SLEPT)  # fmt: skip


def test_stopped_in_the_middle_of_the_catch_up_pass(dovecot_factory, tmp_path: Path) -> None:
    """The stop lands while the first pass moves a flood, not in IDLE: the pass goes on when
    continued (its connection still works), and the gap is seen before the IDLE that follows."""
    name = "stopped-mid-pass"
    # Six MOVE batches: the stop, taken once the first has landed, finds most of the pass
    # still to do, however fast the machine.
    flood = drill_bounces(size(6 * BATCH, 12 * BATCH), tag=name)
    ordinary = drill_ordinary(5, tag=f"{name}-o")
    meanwhile = drill_bounces(2, tag=f"{name}-m")
    with service(dovecot_factory, tmp_path, None, ordinary + flood) as run:
        watcher = client(run.server, run.login)
        try:
            wait_until(lambda: run.timeline.state() == "catching-up"
                       and watcher.folder_exists(QUARANTINE)
                       and watcher.folder_status(QUARANTINE, [b"MESSAGES"])[b"MESSAGES"] > 0,
                       timeout=120, interval=0.02,
                       what=f"the first moves of the pass: {run.timeline.shown()}")  # fmt: skip
        finally:
            watcher.logout()
        with stopped(run, hold(8, 60)):
            for raw in meanwhile:
                run.server.deliver(run.login.user, raw)
            # Counted while the service is stopped, once a MOVE in flight at the stop has had
            # time to complete on the server: fewer than the flood means the stop was in the
            # pass (the API cannot be asked: a stopped process does not answer).
            time.sleep(1.0)
            at_stop = sum(message_ids_in(run.server, run.login, QUARANTINE).values())
        resumed = time.monotonic()
        assert 0 < at_stop < len(flood), f"{name}: {at_stop} of {len(flood)} moved at the stop"
        mail = flood + meanwhile
        noticed_at, _ = run.timeline.left_watching(resumed, timeout=120)
        back = run.timeline.watching_again(resumed, timeout=120)
        wait_quarantined(run.server, run.login, mail, timeout=120)
        caught_up = time.monotonic()
        faults = run.timeline.faults()
        cause = run.timeline.first_failure(resumed)
    # Noticed when the pass ended (its length is the flood's, not the service's reaction):
    # the bound is the pass's, the count and the cause are what this drill holds.
    tally = count(run.server, run.login, ordinary, mail)
    report(name, noticed_at - resumed, cause, back - resumed, tally)
    print(f"DRILL {name}: {at_stop} of {len(flood)} moved at the stop; every bounce "
          f"quarantined {caught_up - resumed:.1f} s after SIGCONT; "
          f"{faults} fault(s) counted")  # fmt: skip
    assert tally == Count(0, 0, 0), f"{name}: {tally}"
    assert any(c in cause for c in STOPPED), f"{name}: told the user {cause!r}"
    assert faults == 1, run.timeline.shown()


def test_a_stop_ends_a_grown_backoff(dovecot_factory, tmp_path: Path) -> None:
    """The server down long enough for the backoff to grow (refused: 1, 2, 4, 8, 16 s ...),
    back up, and the service stopped for longer than SUSPEND_GAP early in a long backoff: once
    continued it tries again at once (a resume resets the backoff), not when the wait is up."""
    name = "stop-ends-backoff"
    ordinary, mail = drill_ordinary(5, tag=f"{name}-o"), drill_bounces(3, tag=name)
    with service(dovecot_factory, tmp_path, None, ordinary) as run:
        watching(run)
        run.server.deliver(run.login.user, mail[0])
        wait_quarantined(run.server, run.login, mail[:1], timeout=30)
        run.server.kill()

        def long_backoff() -> float | None:
            accounts = run.timeline.call("status").get("accounts", [])
            until = next((a.get("until") for a in accounts if a.get("state") == "backing-off"),
                         None)  # fmt: skip
            left = until - time.time() if until else 0.0
            return left if left > 12 else None

        left = wait_until(long_backoff, timeout=120, interval=0.1,
                          what=f"a backoff of over 12 s: {run.timeline.shown()}")  # fmt: skip
        run.server.start()
        run.server.deliver(run.login.user, mail[1])
        with stopped(run, 6.0):
            pass
        resumed = time.monotonic()
        back = run.timeline.watching_again(resumed, timeout=60)
        wait_quarantined(run.server, run.login, mail[:2], timeout=30)
        run.server.deliver(run.login.user, mail[2])
        wait_quarantined(run.server, run.login, mail, timeout=30)
    tally = count(run.server, run.login, ordinary, mail)
    report(name, None, f"backoff {left:.0f} s left when stopped", back - resumed, tally)
    assert tally == Count(0, 0, 0), f"{name}: {tally}"
    # Without the reset it would have waited out the rest: over 12 - 6 s after SIGCONT.
    assert back - resumed < min(RECOVER_BOUND, left - 6.0), (
        f"{name}: watching {back - resumed:.1f} s after SIGCONT: {run.timeline.shown()}"
    )
    assert any("resumed; trying again at once" in ln for ln in run.logged("resumed")), run.logged(
        "next attempt"
    )
