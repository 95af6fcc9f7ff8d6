"""Progress of long scans: the bar of `ndrguard scan` on a terminal, plain lines when piped,
and the `progress` field of an account's status that `ndrguard status` and the tray show.

The mailbox is the demo's, with 600 forged bounces waiting (more than one batch of 500), so
that the scans below are long enough to have something to report.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ndrguard.service.cli.demo import lay_out
from ndrguard.service.cli.status import progress_line
from ndrguard.service.demo import mailbox as demo_mailbox
from ndrguard.service.engine import scanner
from ndrguard.service.engine.worker import AccountStatus, Worker
from ndrguard.service.settings.config import load
from ndrguard.service.store.state import State

NDRGUARD = Path(sys.executable).parent / "ndrguard"
FORGED = 600


def _home(tmp_path: Path) -> Path:
    box = demo_mailbox.build(burst=FORGED)
    lay_out(tmp_path, demo_mailbox.DemoMailbox(box.inbox + box.burst, [], box.sent))
    return tmp_path


def _scan(home: Path, stderr: int) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "NDRGUARD_HOME": str(home)}
    return subprocess.run([str(NDRGUARD), "scan"], stdout=subprocess.PIPE, stderr=stderr,
                          env=env, timeout=300)  # fmt: skip


def test_piped_scan_prints_plain_progress_lines(tmp_path: Path) -> None:
    done = _scan(_home(tmp_path), subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.decode().splitlines()
    assert "\r" not in done.stderr.decode()
    counts = [re.fullmatch(r"demo: judging new mail in INBOX: (\d+) of (\d+) \(\d+%\)", line)
              for line in lines]  # fmt: skip
    assert counts and all(counts), lines
    done_counts = [int(m.group(1)) for m in counts if m]
    total = int(counts[0].group(2))  # type: ignore[union-attr]
    assert total > FORGED and done_counts[0] == 0 and done_counts[-1] == total
    assert done_counts == sorted(done_counts)
    assert b"demo: " in done.stdout and b"judging" not in done.stdout, "progress on stdout"


def test_scan_on_a_terminal_draws_a_bar_in_place(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    try:
        done = _scan(_home(tmp_path), slave)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end closed: all read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    assert done.returncode == 0, seen
    text = seen.decode()
    frames = text.split("\r")
    bars = [f for f in frames if re.match(r"demo: judging new mail in INBOX: \[[#-]{30}\] ", f)]
    assert len(bars) >= 3, text
    assert bars[0].count("#") == 0 and bars[-1].startswith(
        "demo: judging new mail in INBOX: [" + "#" * 30 + "]"
    ) and bars[-1].rstrip().endswith("100%"), bars[-1]
    assert text.count("\n") == 1, "the bar is redrawn on one line, ended once"


def test_the_service_status_carries_the_progress_of_a_catch_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scanner, "BATCH", 100)
    home = _home(tmp_path)
    config = load(home / "config.toml")
    state = State(home / "state.sqlite")
    seen: list[AccountStatus] = []
    watching = threading.Event()

    def on_status(status: AccountStatus) -> None:
        seen.append(status)
        if status.state == "watching":
            watching.set()

    worker = Worker(config.accounts[0], state, home, on_status)
    worker.start()
    try:
        assert watching.wait(120), [s.state for s in seen]
    finally:
        worker.stop.set()
        worker.poke()
        worker.join(30)
        state.close()
    told = [s for s in seen if s.progress is not None]
    assert told and all(s.state == "catching-up" for s in told)
    done = [s.progress.done for s in told if s.progress and "new mail" in s.progress.what]
    total = told[-1].progress.total  # type: ignore[union-attr]
    assert done[0] == 0 and done[-1] == total > FORGED and done == sorted(done)
    watched = next(s for s in seen if s.state == "watching")
    assert watched.to_json()["progress"] is None, "the progress line outlived the catch-up"
    shown = told[len(told) // 2].to_json()["progress"]
    assert isinstance(shown, dict)
    assert re.fullmatch(r"judging new mail in INBOX: \d+ of \d+ \(\d+ %\)", progress_line(shown))
