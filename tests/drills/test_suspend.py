"""Suspend and resume with a real clock jump (issue 12 item 3), not an injected clock.

`ndrguard run` runs under libfaketime with an offset file it rereads on every clock call
(FAKETIME_TIMESTAMP_FILE, FAKETIME_NO_CACHE=1). The drill stops the whole process (SIGSTOP)
for longer than the keepalive bound, delivers mail meanwhile, moves the process's clocks an
hour ahead (as a resume from a night's sleep does to the wall clock) and continues it
(SIGCONT). The service must notice the gap at once, drop the session it had (its NAT entry
and server session may be gone), reconnect, and catch up with what arrived.

Loopback only: the clock jump and the stop are the fault here, not the network.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.drills.harness import (
    Count,
    Timeline,
    add_account,
    count,
    hold,
    report,
    wait_quarantined,
)
from tests.service.imap_util import NDRGUARD, ROOT, append_pipelined, drill_bounces, drill_ordinary
from tests.support.procs import wait_until

pytestmark = [pytest.mark.drill, pytest.mark.imap]

LIBFAKETIME = (
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
    "/usr/lib/faketime/libfaketimeMT.so.1",
)


def libfaketime() -> str:
    for path in LIBFAKETIME:
        if Path(path).exists():
            return path
    pytest.skip("libfaketime is not installed (scripts/setup --test installs faketime)")


def test_stopped_for_longer_than_the_keepalive_bound_and_the_clock_jumps(
    dovecot_factory, tmp_path: Path
) -> None:
    server = dovecot_factory()
    login = server.accounts[0]
    home = tmp_path / "home"
    env = add_account(home, server, login, server.host, server.imaps_port)
    offset = tmp_path / "faketime-offset"
    offset.write_text("+0\n")
    env |= {
        "LD_PRELOAD": libfaketime(),
        "FAKETIME_TIMESTAMP_FILE": str(offset),
        "FAKETIME_NO_CACHE": "1",
    }
    ordinary, mail = drill_ordinary(5, tag="suspend-o"), drill_bounces(4, tag="suspend")
    append_pipelined(server, login, ordinary)
    log = (home / "run.out").open("wb")
    proc = subprocess.Popen([*NDRGUARD, "run"], env=env, cwd=ROOT, stdout=log, stderr=log)
    timeline = Timeline(home)
    try:
        timeline.start()
        wait_until(lambda: timeline.state() == "watching", timeout=60,
                   what=f"the service to be watching: {timeline.seen}")  # fmt: skip
        server.deliver(login.user, mail[0])
        wait_quarantined(server, login, mail[:1], timeout=30)
        os.kill(proc.pid, signal.SIGSTOP)
        stopped = time.monotonic()
        try:
            server.deliver(login.user, mail[1])
            server.deliver(login.user, mail[2])
            time.sleep(max(0.0, stopped + hold(15, 120) - time.monotonic()))
            offset.write_text("+3600\n")  # the clocks of the process, one hour on
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        resumed = time.monotonic()
        noticed_at, _ = timeline.left_watching(resumed, timeout=30)
        back = timeline.watching_again(resumed, timeout=30)
        wait_quarantined(server, login, mail[:3], timeout=30)
        caught_up = time.monotonic()
        server.deliver(login.user, mail[3])
        wait_quarantined(server, login, mail, timeout=30)
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
    tally = count(server, login, ordinary, mail)
    # The reconnect after a gap is immediate: the fault's words may show for less than the
    # timeline's 50 ms, so they are read from the service's log as well.
    logged = [ln for ln in (home / "run.out").read_text(errors="replace").splitlines()
              if "did not run for" in ln or "slept for" in ln]  # fmt: skip
    cause = timeline.first_failure(resumed) or (logged[0].split(": ", 2)[-1] if logged else "")
    report("suspend-resume", noticed_at - resumed, cause, back - resumed, tally)
    print(f"DRILL suspend-resume: the mail of the stop quarantined {caught_up - resumed:.1f} s "
          "after SIGCONT")  # fmt: skip
    assert tally == Count(0, 0, 0)
    assert "did not run for" in cause or "slept for" in cause, cause
    assert noticed_at - resumed < 3, "the gap must be noticed at once"
    assert back - resumed < 5
