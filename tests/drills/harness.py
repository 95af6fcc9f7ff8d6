"""What every drill shares: the service as a child process, its state over time, the count.

A drill runs the real `ndrguard run` (black box: it is watched only through the local API and
the IMAP folders), breaks something, and reports on one line:

    DRILL black-hole-idle: noticed 11.2 s (no answer from the server ...), recovered 1.9 s,
          lost 0, duplicated 0, misplaced 0

"noticed" is from the fault to the account leaving "watching"; "recovered" from the network
(or server) coming back to "watching" again after a catch-up. The long versions (bench/drills.py,
NDRGUARD_DRILLS=long, as tests/drills/common.py) hold each fault as long as the issue asks
(3 minutes of black hole); CI holds it for seconds, long enough to pass every detection bound.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ndrguard.service.api.client import ApiClient
from ndrguard.service.api.protocol import ApiError
from tests.drills.common import LONG
from tests.service.imap_util import ids, message_ids_in, ndrguard, running, service_env
from tests.support.dovecot import Account, Dovecot
from tests.support.procs import wait_until
from tests.ui.service_process import endpoint_for

QUARANTINE = "Backscatter"


def hold(short: float, long: float) -> float:
    """How long a fault lasts: seconds in CI, the issue's minutes in the bench."""
    return long if LONG else short


def add_account(
    home: Path, server: Dovecot, login: Account, host: str, port: int, extra: str = ""
) -> dict[str, str]:
    """The account `a`, reached at host:port (the relay), TLS verified against the server's CA."""
    env = service_env(home)
    done = ndrguard(
        env, "account", "add", "a", "--host", host, "--port", str(port), "--security", "tls",
        "--username", login.user, "--ca-file", str(server.cafile), "--policy", "block-all",
        "--password-stdin", stdin=login.password + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    if extra:
        cfg = home / "config.toml"
        cfg.write_text(cfg.read_text() + extra)
    return env


@dataclass(frozen=True)
class Sample:
    """What `status` said of the account at monotonic time `t` (in the test's process)."""

    t: float
    state: str
    detail: str
    faults: int  # faults since the service started, as the service counts them
    last_fault: str  # the words of the latest


@dataclass
class Timeline:
    """The account's status as the API reports it, sampled every 50 ms (kept when it changed).

    A fault is seen by the state leaving "watching" or by the service's fault count going up:
    a reconnect after a resume can be over between two samples, and the count and the words
    of the last fault (also in `status`) still tell of it.
    """

    home: Path
    account: str = "a"
    seen: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Timeline:
        # Resolved once here: endpoint_for sets NDRGUARD_HOME for a moment, not thread-safe.
        self._endpoint = endpoint_for(self.home)
        threading.Thread(target=self._run, daemon=True, name="timeline").start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._sample()
            except Exception as err:  # a sampler that died silently would read as "no fault"
                self.errors.append(f"{time.monotonic():.2f} {err!r}")
            self._stop.wait(0.05)

    def _sample(self) -> None:
        asked = time.monotonic()
        answer = self.call("status")
        took = time.monotonic() - asked
        if not answer or took > 2:  # a silent or slow API must show in the drill's message
            said = f"took {took:.1f} s" if answer else "no answer"
            self.errors.append(f"{asked:.2f} status {said}")
        acct = answer.get("accounts", [{}])
        mine: dict = next((a for a in acct if a.get("account") == self.account), {})
        now = Sample(time.monotonic(), mine.get("state", ""), mine.get("detail", ""),
                     int(mine.get("faults", 0)), mine.get("last_fault", ""))  # fmt: skip
        last = self.seen[-1] if self.seen else None
        if now.state and (last is None or (last.state, last.detail, last.faults)
                          != (now.state, now.detail, now.faults)):  # fmt: skip
            self.seen.append(now)

    def call(self, op: str) -> dict:
        """One API call to the service ({} while none answers; a frozen API is bounded,
        so that the sampler records the stall instead of freezing with it)."""
        client = ApiClient(self._endpoint, timeout=5)
        try:
            return client.call(op)
        except (ApiError, OSError):
            return {}
        finally:
            client.close()

    def state(self) -> str:
        return self.seen[-1].state if self.seen else ""

    def faults(self) -> int:
        return self.seen[-1].faults if self.seen else 0

    def shown(self) -> str:
        shown = "; ".join(f"{s.t:.2f} {s.state} {s.faults} {s.detail!r}" for s in self.seen)
        return shown + (f"; sampler errors: {self.errors[-3:]}" if self.errors else "")

    def left_watching(self, after: float, timeout: float) -> tuple[float, str]:
        """When the account first stopped watching (or counted a fault) after `after`, and
        the words it gave."""
        before = max([s.faults for s in self.seen if s.t < after], default=0)

        def found() -> tuple[float, str] | None:
            for s in self.seen:
                if s.t >= after and (s.state != "watching" or s.faults > before):
                    return s.t, s.last_fault or s.detail
            return None

        return wait_until(found, timeout=timeout,
                          what=f"the fault to be noticed: {self.shown()}")  # fmt: skip

    def first_failure(self, after: float) -> str:
        """The words of the first fault after `after` (the cause the user is told: the
        status's last fault, shown with backing-off and then connecting)."""
        before = max([s.faults for s in self.seen if s.t < after], default=0)
        for s in self.seen:
            if s.t >= after and s.faults > before and s.last_fault:
                return s.last_fault
        return ""

    def watching_again(self, after: float, timeout: float) -> float:
        """When the account was watching again (after a reconnect) at or after `after`."""
        def found() -> float | None:
            left = False
            start = None
            for s in self.seen:
                start = s.faults if start is None else start
                left = left or s.state != "watching" or s.faults > start
                if s.t >= after and s.state == "watching" and left:
                    return s.t
            return None

        return wait_until(found, timeout=timeout,
                          what=f"the watch to come back: {self.shown()}")  # fmt: skip


@contextlib.contextmanager
def service(env: dict[str, str], home: Path) -> Iterator[Timeline]:
    """`ndrguard run` with its timeline, watching before the drill begins."""
    with running(env, home):
        timeline = Timeline(home).start()
        try:
            wait_until(lambda: timeline.state() == "watching", timeout=60,
                       what=f"the service to be watching: {timeline.seen}")  # fmt: skip
            yield timeline
        finally:
            timeline.stop()


@dataclass(frozen=True)
class Count:
    lost: int
    duplicated: int
    misplaced: int


def count(
    server: Dovecot, login: Account, inbox: Sequence[bytes], quarantine: Sequence[bytes]
) -> Count:
    """Every message of the drill found again exactly once, where its verdict says."""
    want_inbox, want_quarantine = Counter(ids(inbox)), Counter(ids(quarantine))
    got_inbox = message_ids_in(server, login, "INBOX")
    got_quarantine = message_ids_in(server, login, QUARANTINE)
    got = got_inbox + got_quarantine
    lost = (want_inbox + want_quarantine) - got
    twice = sum(n - 1 for n in got.values() if n > 1)
    misplaced = sum(((want_quarantine - got_quarantine) - lost).values())
    misplaced += sum(((want_inbox - got_inbox) - lost).values())
    return Count(sum(lost.values()), twice, misplaced)


def wait_quarantined(
    server: Dovecot, login: Account, expected: Sequence[bytes], timeout: float
) -> None:
    want = set(ids(expected))
    wait_until(
        lambda: want <= set(message_ids_in(server, login, QUARANTINE)),
        timeout=timeout, what=f"{len(want)} bounce(s) in quarantine",
    )  # fmt: skip


def report(name: str, noticed: float | None, cause: str, recovered: float | None,
           tally: Count) -> str:  # fmt: skip
    """The drill's line (printed; pytest -s or bench/drills.py shows it)."""
    n = f"{noticed:.1f} s" if noticed is not None else "-"
    r = f"{recovered:.1f} s" if recovered is not None else "-"
    counts = f"lost {tally.lost}, duplicated {tally.duplicated}, misplaced {tally.misplaced}"
    line = f"DRILL {name}: noticed {n} ({cause or 'no fault shown'}), recovered {r}, {counts}"
    print(line, flush=True)
    return line
