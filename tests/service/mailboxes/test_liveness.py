"""The liveness rules of a watched connection (service/mailboxes/liveness.py), with made-up clocks.

Each test names the real fault it stands for: a server that closed the socket (imapclient then
answers `[]` at once, forever), a kicked session (BYE), a frozen server or black-holed path
(nothing at all), a laptop that slept, and Dovecot's keepalives, which come at wall-clock slots
shared by every session from one address, so the first one says nothing about the interval.
"""

from __future__ import annotations

import random

import pytest

from ndrguard.service.engine.worker import FIRST_BACKOFF, MAX_BACKOFF, Backoff
from ndrguard.service.mailboxes.liveness import (
    EARLY_EMPTIES,
    IDLE_RENEW,
    PROBE_AFTER,
    IdleWatch,
    Keepalive,
    Outcome,
    ResumeWatch,
    SuspendDetector,
)

STILL_HERE = (b"OK", b"Still here")
EXISTS = (7, b"EXISTS")


class Clocks:
    """CLOCK_MONOTONIC and CLOCK_BOOTTIME of a machine that can be put to sleep."""

    def __init__(self) -> None:
        self.mono = 1000.0
        self.boot = 5000.0

    def run(self, seconds: float) -> None:
        self.mono += seconds
        self.boot += seconds

    def sleep_machine(self, seconds: float) -> None:
        self.boot += seconds  # suspended: BOOTTIME counts it, MONOTONIC does not


def resume_watch(clocks: Clocks) -> ResumeWatch:
    detector = SuspendDetector(lambda: clocks.boot, lambda: clocks.mono)
    return ResumeWatch(detector, lambda: clocks.mono, thread=False)


def watch(clocks: Clocks, keepalive: Keepalive | None = None, renew: float = IDLE_RENEW,
          resumes: ResumeWatch | None = None, mark: int = -1) -> IdleWatch:  # fmt: skip
    return IdleWatch(keepalive or Keepalive(), clocks.mono, renew,
                     resumes or resume_watch(clocks), mark)  # fmt: skip


def quiet_second(w: IdleWatch, clocks: Clocks, responses=()) -> tuple[Outcome, str]:
    """One idle_check(timeout=1) that waited its full second."""
    began = clocks.mono
    clocks.run(1.0)
    return w.check(list(responses), 1.0, began, clocks.mono)


def test_a_quiet_mailbox_is_not_a_dead_one() -> None:
    clocks = Clocks()
    w = watch(clocks)
    for _ in range(120):
        assert quiet_second(w, clocks) == (Outcome.WAIT, "")


def test_new_mail_ends_the_wait() -> None:
    clocks = Clocks()
    w = watch(clocks)
    assert quiet_second(w, clocks, [EXISTS])[0] is Outcome.NEWS


def test_bye_from_a_kicked_session_means_reconnect() -> None:
    # What `doveadm kick` makes Dovecot 2.3 send.
    clocks = Clocks()
    outcome, why = quiet_second(watch(clocks), clocks, [(b"BYE", b"Server", b"shutting", b"down.")])
    assert outcome is Outcome.DEAD
    assert "BYE Server shutting down." in why


def test_empty_answers_at_once_mean_the_server_closed_the_socket() -> None:
    clocks = Clocks()
    w = watch(clocks)
    outcomes = []
    for _ in range(EARLY_EMPTIES):
        began = clocks.mono
        clocks.run(0.0001)  # imapclient returns [] immediately on EOF
        outcomes.append(w.check([], 1.0, began, clocks.mono)[0])
    assert outcomes[:-1] == [Outcome.WAIT] * (EARLY_EMPTIES - 1)
    assert outcomes[-1] is Outcome.DEAD


def test_one_early_empty_answer_alone_is_not_enough() -> None:
    # A TLS record that arrived in pieces wakes poll() with no whole line to read.
    clocks = Clocks()
    w = watch(clocks)
    for _ in range(10):
        began = clocks.mono
        clocks.run(0.01)
        assert w.check([], 1.0, began, clocks.mono)[0] is Outcome.WAIT
        assert quiet_second(w, clocks)[0] is Outcome.WAIT


def test_the_interval_is_learnt_from_a_gap_not_from_the_first_keepalive() -> None:
    # Dovecot with imap_idle_notify_interval = 120 s: the first "Still here" comes in the
    # address's wall-clock slot, here 3 s after IDLE began; then every 120 s.
    keepalive = Keepalive()
    clocks = Clocks()
    w = watch(clocks, keepalive)
    for _ in range(2):
        quiet_second(w, clocks)
    assert quiet_second(w, clocks, [STILL_HERE])[0] is Outcome.WAIT
    assert keepalive.interval is None and w.learnt is None
    for _ in range(119):
        assert quiet_second(w, clocks)[0] is Outcome.WAIT
    quiet_second(w, clocks, [STILL_HERE])
    assert keepalive.interval == pytest.approx(120.0)
    assert w.learnt == pytest.approx(120.0)
    assert keepalive.silence_limit() == pytest.approx(300.0)


def test_silence_past_two_and_a_half_intervals_means_a_frozen_server() -> None:
    keepalive = Keepalive()
    keepalive.heard(0.0)
    keepalive.heard(2.0)  # a server that says "Still here" every 2 s
    clocks = Clocks()
    w = watch(clocks, keepalive)
    for _ in range(5):
        assert quiet_second(w, clocks)[0] is Outcome.WAIT
    outcome, why = quiet_second(w, clocks)
    assert outcome is Outcome.DEAD
    assert "every 2 s" in why


def test_keepalives_keep_the_link_alive() -> None:
    keepalive = Keepalive()
    clocks = Clocks()
    w = watch(clocks, keepalive)
    for second in range(1, 60):
        heard = [STILL_HERE] if second % 2 == 0 else []
        assert quiet_second(w, clocks, heard)[0] is Outcome.WAIT
    assert keepalive.interval == pytest.approx(2.0)


def test_a_new_idle_does_not_count_the_gap_across_it() -> None:
    # The last keepalive of one IDLE and the first of the next are no interval apart.
    keepalive = Keepalive()
    clocks = Clocks()
    w = watch(clocks, keepalive)
    quiet_second(w, clocks, [STILL_HERE])
    clocks.run(0.5)
    w = watch(clocks, keepalive)
    quiet_second(w, clocks, [STILL_HERE])
    assert keepalive.interval is None


def test_without_a_known_interval_long_silence_asks_for_a_probe_not_a_verdict() -> None:
    # Servers that never send keepalives are not declared dead for it; DONE is the probe.
    clocks = Clocks()
    w = watch(clocks)
    outcomes = {quiet_second(w, clocks)[0] for _ in range(int(PROBE_AFTER))}
    assert outcomes == {Outcome.WAIT}
    assert quiet_second(w, clocks)[0] is Outcome.RENEW


def test_idle_is_renewed_well_before_29_minutes() -> None:
    assert IDLE_RENEW <= 15 * 60
    keepalive = Keepalive()
    clocks = Clocks()
    w = watch(clocks, keepalive)
    seen = []
    for second in range(1, int(IDLE_RENEW) + 1):
        seen.append(quiet_second(w, clocks, [STILL_HERE] if second % 60 == 0 else [])[0])
    assert seen[:-1] == [Outcome.WAIT] * (len(seen) - 1)
    assert seen[-1] is Outcome.RENEW


def test_a_machine_that_slept_reconnects() -> None:
    clocks = Clocks()
    w = watch(clocks)
    quiet_second(w, clocks)
    clocks.sleep_machine(3600)
    outcome, why = quiet_second(w, clocks)
    assert outcome is Outcome.DEAD
    assert "slept for 3600 s" in why


def test_a_stopped_process_reconnects() -> None:
    clocks = Clocks()
    w = watch(clocks)
    quiet_second(w, clocks)
    began = clocks.mono
    clocks.run(16.0)  # SIGSTOP for 15 s: the one-second wait came back 15 s late
    outcome, why = w.check([], 1.0, began, clocks.mono)
    assert outcome is Outcome.DEAD
    assert "did not run for 15 s" in why


def test_a_stop_in_the_middle_of_a_pass_is_seen_by_the_next_idle() -> None:
    # The connection was made (its mark taken), then the process stopped while the pass ran:
    # no IDLE wait spans the gap, but the watch's own ticking wait does, and the IDLE begun
    # after the pass starts afresh at its first check.
    clocks = Clocks()
    resumes = resume_watch(clocks)
    mark = resumes.mark()
    tick = clocks.mono
    clocks.run(20.0)
    assert resumes.observe(tick, clocks.mono, 1.0)
    w = watch(clocks, resumes=resumes, mark=mark)
    outcome, why = quiet_second(w, clocks)
    assert outcome is Outcome.DEAD
    assert "did not run for 19 s" in why
    # A connection made after the gap is not suspect.
    fresh = watch(clocks, resumes=resumes, mark=resumes.mark())
    assert quiet_second(fresh, clocks)[0] is Outcome.WAIT


def test_one_gap_seen_by_two_waiters_is_counted_once() -> None:
    clocks = Clocks()
    resumes = resume_watch(clocks)
    thread_began, idle_began = clocks.mono, clocks.mono + 0.3
    clocks.run(16.0)
    assert resumes.observe(thread_began, clocks.mono, 1.0)
    assert not resumes.observe(idle_began, clocks.mono + 0.1, 1.0)
    assert resumes.count == 1
    began = clocks.mono + 1
    clocks.run(30.0)  # a second stop, later: counted
    assert resumes.observe(began, clocks.mono, 1.0)
    assert resumes.count == 2


def test_suspend_detector_ignores_clock_jitter_and_reports_each_sleep_once() -> None:
    clocks = Clocks()
    detector = SuspendDetector(lambda: clocks.boot, lambda: clocks.mono)
    clocks.run(30)
    clocks.boot += 0.2  # the two clocks drift apart a little without any sleep
    assert detector.slept() == 0.0
    clocks.sleep_machine(60)
    assert detector.slept() == pytest.approx(60.0)
    assert detector.slept() == 0.0


def test_backoff_doubles_from_one_second_to_five_minutes_with_jitter() -> None:
    backoff = Backoff(rng=random.Random(4))
    delays = [backoff.next() for _ in range(12)]
    nominal = [min(FIRST_BACKOFF * 2**n, MAX_BACKOFF) for n in range(12)]
    assert nominal[:10] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]
    for got, want in zip(delays, nominal, strict=True):
        assert 0.8 * want <= got <= min(1.2 * want, MAX_BACKOFF)
    assert len({round(d / n, 6) for d, n in zip(delays, nominal, strict=True)}) > 6, "no jitter"
    assert max(delays) <= MAX_BACKOFF
    backoff.reset()
    assert 0.8 <= backoff.next() <= 1.2


def test_backoff_jitter_spreads_accounts_that_fail_together() -> None:
    firsts = {round(Backoff(rng=random.Random(seed)).next(), 3) for seed in range(20)}
    assert len(firsts) == 20
