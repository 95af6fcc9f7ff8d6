"""When a watched IMAP connection is alive, as rules over what IDLE heard and when.

imapclient's `idle_check()` never raises on a dead connection. After the server closed the
socket it returns `[]` at once, tens of thousands of times a second; on a frozen server or a
black-holed network it returns `[]` exactly as for a quiet mailbox. So liveness has to be
inferred from what was heard and when, and these rules do that:

- an answer of nothing long before the wait was up, several times in a row, means the socket
  is closed (one alone can be a TLS record that arrived in pieces);
- BYE means the server is ending the session;
- silence for `SILENCE_FACTOR` times the server's own keepalive interval ("* OK Still here")
  means the server or the path hangs, even though the socket does not know it yet. The
  interval is learnt from what the server sends, never assumed;
- a gap between CLOCK_BOOTTIME and CLOCK_MONOTONIC means the machine slept, a jump of the
  wall clock against CLOCK_MONOTONIC means it resumed or the time was stepped, and a
  one-second wait that took far longer means the process itself did not run (SIGSTOP, a
  frozen VM): in each case every connection is suspect (NAT entries and server sessions
  expired meanwhile), so the watch reconnects at once and catches up. One `ResumeWatch` per
  process counts these gaps, fed by a thread of its own that waits a second at a time and by
  every one-second wait of the workers, so a gap is seen wherever the worker was at the time:
  in IDLE, in a backoff, and also in the middle of a pass, when no wait of its own spans it;
- IDLE is ended and re-issued every `IDLE_RENEW`, well before RFC 2177's 29 minutes.

Everything here takes times and responses as values (the imapclient split: decisions without
a socket), so each rule is unit-tested with made-up clocks; imap_backend drives it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

# RFC 2177 lets a server drop an IDLE after 30 minutes; some drop quiet sessions sooner.
# Ending IDLE every 10 minutes costs one DONE, one pass (a few cheap commands) and one IDLE,
# and the DONE's answer doubles as a proof that the server still listens.
IDLE_RENEW = 10 * 60.0
SILENCE_FACTOR = 2.5
# Before the interval is learnt, this much silence only asks for a probe (DONE must be
# answered within the read timeout), never declares the link dead: a server may send no
# keepalives at all, or send them less often than Dovecot's default of 2 minutes.
PROBE_AFTER = SILENCE_FACTOR * 120.0
SUSPEND_GAP = 5.0  # seconds asleep after which connections are assumed dead
EARLY = 0.5  # an empty answer in under half the wait is "early"
EARLY_EMPTIES = 3  # ... and this many in a row mean the socket is closed

Response = Sequence[object]  # one parsed untagged response, as imapclient returns it
_CHANGES = (b"EXISTS", b"EXPUNGE", b"RECENT", b"FETCH")


class Outcome(StrEnum):
    WAIT = "wait"  # keep waiting
    NEWS = "news"  # the folder changed: end IDLE and look
    RENEW = "renew"  # end IDLE (renewal or a probe) and look again
    DEAD = "dead"  # the connection is gone: reconnect


class Keepalive:
    """The server's keepalive interval, learnt from the gap between two in a row.

    Only a gap counts, never the wait from the start of IDLE to the first keepalive: Dovecot
    sends the keepalives of all sessions from one address in the same wall-clock slot (to spare
    phone batteries), so the first one can come a second after IDLE began and the next a full
    interval later. The latest gap wins, so a server that changes its interval is followed; a
    skipped keepalive (the server was busy writing) makes one gap twice as long, which delays
    detection but never causes a false alarm. The worker keeps one of these per account across
    reconnects: a new connection to the same server need not learn again.
    """

    def __init__(self) -> None:
        self.interval: float | None = None
        self._last: float | None = None

    def idle_started(self) -> None:
        """A new IDLE: the time since the previous keepalive is not an interval."""
        self._last = None

    def heard(self, now: float) -> bool:
        """A keepalive arrived at `now` (monotonic); True when it taught a new interval."""
        learnt = False
        if self._last is not None:
            gap = now - self._last
            learnt = self.interval is None or abs(gap - self.interval) > 0.5
            self.interval = gap
        self._last = now
        return learnt

    def silence_limit(self) -> float | None:
        """Seconds of silence that mean the link is dead; None while the interval is unknown."""
        return None if self.interval is None else SILENCE_FACTOR * self.interval


class SuspendDetector:
    """Notices that the machine slept: CLOCK_BOOTTIME counts suspended time, MONOTONIC not.

    The wall clock is watched beside it: on resume it jumps by the time asleep (also where
    the kernel's BOOTTIME does not, as under some hypervisors and under faketime), and when
    NTP steps the time, which costs only a reconnect. The clocks are injectable for tests;
    with an injected BOOTTIME and no injected wall clock only BOOTTIME is watched. Where there
    is no CLOCK_BOOTTIME (not Linux) the wall clock alone stands in.
    """

    def __init__(
        self,
        boottime: Callable[[], float] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        gap: float = SUSPEND_GAP,
        realtime: Callable[[], float] | None = None,
    ) -> None:
        self._boottime = boottime or _default_boottime()
        self._realtime = realtime or (None if boottime else time.time)
        self._monotonic = monotonic
        self.gap = gap
        self._mark = self._offsets()

    def _offsets(self) -> tuple[float, float]:
        mono = self._monotonic()
        wall = self._realtime() - mono if self._realtime else 0.0
        return self._boottime() - mono, wall

    def slept(self) -> float:
        """Seconds asleep since the last call (or since made); small jitter reads as 0."""
        boot, wall = self._offsets()
        slept = max(boot - self._mark[0], abs(wall - self._mark[1]))
        self._mark = (boot, wall)
        return slept if slept > self.gap else 0.0


def _default_boottime() -> Callable[[], float]:
    clock = getattr(time, "CLOCK_BOOTTIME", None)
    if clock is None:
        return time.time
    return lambda: time.clock_gettime(clock)


class ResumeWatch:
    """The gaps in this process's life (a sleep, a stop), counted once each, for every connection.

    A connection notes `mark()` when it is made; `since(mark)` then gives the words of a gap
    that came after, or "". Each gap is seen by whoever waits across it (this watch's own
    ticking thread, an IDLE's one-second wait, a backoff's) and counted once: a wait that
    began before the last gap ended is the same gap seen from another thread. The thread is
    what sees a stop in the middle of a pass, where no wait spans it; `observe` holds the rule
    and is driven with made-up clocks in the tests (which build their own watch, no thread).
    """

    def __init__(
        self,
        detector: SuspendDetector | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        tick: float = 1.0,
        thread: bool = True,
    ) -> None:
        self._detector = detector or SuspendDetector(monotonic=monotonic)
        self._monotonic = monotonic
        self.tick = tick
        self.count = 0
        self.words = ""
        self._gap_end = -float("inf")
        self._lock = threading.Lock()
        self._thread = thread

    def observe(self, began: float, ended: float, asked: float) -> bool:
        """A wait of `asked` seconds ran from `began` to `ended` (monotonic); True when it
        revealed a new gap."""
        with self._lock:
            slept = self._detector.slept()
            late = ended - began - asked
            if slept:
                words = f"the computer slept for {slept:.0f} s; reconnecting"
            elif late > self._detector.gap and began >= self._gap_end:
                words = (f"the service did not run for {late:.0f} s (stopped or suspended); "
                         "reconnecting")  # fmt: skip
            else:
                if late > self._detector.gap:  # the same gap, seen by a second waiter
                    self._gap_end = max(self._gap_end, ended)
                return False
            self.count += 1
            self.words = words
            self._gap_end = max(self._gap_end, ended)
            return True

    def mark(self) -> int:
        """The gaps counted so far (the ticking thread starts with the first mark)."""
        with self._lock:
            if self._thread:
                self._thread = False
                threading.Thread(target=self._run, name="ndrguard-resume-watch",
                                 daemon=True).start()  # fmt: skip
            return self.count

    def since(self, mark: int) -> str:
        """The words of the latest gap when there was one after `mark`, else ""."""
        with self._lock:
            return self.words if self.count > mark else ""

    def _run(self) -> None:
        never = threading.Event()
        while True:
            began = self._monotonic()
            never.wait(self.tick)
            self.observe(began, self._monotonic(), self.tick)


_RESUMES: ResumeWatch | None = None


def resumes() -> ResumeWatch:
    """The process's one ResumeWatch."""
    global _RESUMES
    if _RESUMES is None:
        _RESUMES = ResumeWatch()
    return _RESUMES


@dataclass(slots=True)
class IdleWatch:
    """One IDLE command's life: fed every `idle_check` answer, says what to do next."""

    keepalive: Keepalive
    started: float  # monotonic time IDLE was issued
    renew_after: float  # seconds; IDLE_RENEW or less
    resumes: ResumeWatch = field(default_factory=resumes)
    mark: int = -1  # the resumes counted when the connection was made; -1: when IDLE began
    heard: float = 0.0  # monotonic time of the last thing the server said
    empties: int = 0  # early empty answers in a row
    learnt: float | None = None  # set when a check taught the keepalive interval
    cause: str = ""  # ConnectionLost's cause, set with a DEAD outcome

    def __post_init__(self) -> None:
        self.heard = self.started
        self.keepalive.idle_started()
        if self.mark < 0:
            self.mark = self.resumes.mark()

    def check(
        self, responses: Sequence[Response], asked: float, began: float, ended: float
    ) -> tuple[Outcome, str]:
        """Judge one `idle_check(timeout=asked)` that ran from `began` to `ended` (monotonic).

        Returns the outcome and, for DEAD, the words for the user and the log.
        """
        self.learnt = None
        self.resumes.observe(began, ended, asked)
        gap = self.resumes.since(self.mark)
        if gap:
            self.cause = "slept"
            return Outcome.DEAD, gap
        news = False
        for r in responses:
            head = r[0] if r else None
            if head == b"BYE":
                words = b" ".join(x for x in r[1:] if isinstance(x, bytes)).decode(errors="replace")
                self.cause = "closed"
                return Outcome.DEAD, f"the server ended the session: BYE {words}"
            if head == b"OK":
                if self.keepalive.heard(ended):
                    self.learnt = self.keepalive.interval
            elif len(r) > 1 and r[1] in _CHANGES:
                news = True
        if responses:
            self.heard = ended
            self.empties = 0
            if news:
                return Outcome.NEWS, ""
        elif ended - began < asked * EARLY:
            self.empties += 1
            if self.empties >= EARLY_EMPTIES:
                self.cause = "closed"
                return Outcome.DEAD, "the server closed the connection"
        else:
            self.empties = 0
        silent = ended - self.heard
        limit = self.keepalive.silence_limit()
        if limit is not None and silent > limit:
            self.cause = "no-answer"
            return Outcome.DEAD, (
                f"no answer from the server: nothing for {silent:.0f} s although it says "
                f"'still here' every {self.keepalive.interval:.0f} s (hung, or the path is dead)"
            )
        if limit is None and silent > PROBE_AFTER:
            return Outcome.RENEW, ""
        if ended - self.started >= self.renew_after:
            return Outcome.RENEW, ""
        return Outcome.WAIT, ""
