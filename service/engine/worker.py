"""One thread per account: connect, catch up, watch, and come back from every fault by itself.

imapclient is not thread-safe per connection and a command during IDLE is a protocol error, so
each account gets its own thread and its own connection (200 TLS IDLE connections cost some
18 MB). The thread's life is a loop: connect, run a pass, wait for news (IDLE, polling or
watchdog), run a pass... Any connection fault ends the inner loop and the thread backs off
(1 s doubling to 5 min, with jitter so that many accounts do not reconnect in step) and starts
over; the journal makes a pass safe to cut anywhere. A fault that means the network, not the
server, is gone (no answer, no route, the machine slept) is probed again every second or two
instead, with a short connect timeout: a probe into a dead path costs a few SYNs, and the
watch is back within seconds of the network, not after a minute of grown backoff. A refusal
or a reset still grows the backoff, so a server that is really down is not hammered. A
resume from suspend (or a stopped process continued) also ends a backoff at once.

The thread's state is a value for the user (`WorkerState`, in the API protocol): connecting,
catching up, watching (and how each folder is watched), evidence unreadable (watching, but
bounces are held), backing off until T, login failed, certificate rejected.
`on_status` hands every change to whoever shows it.

The thread is also the only one that touches its account's mail store while it runs. Whatever
else must be done there (a restore, reading a message for the summary window) is handed to it
with `submit` and done between passes on the worker's own connection: a second connection
beside it would cost a login per click and, on a Maildir, number new files in parallel with
the worker (both would hand out the same UIDs). `poke` cuts the current wait short (IDLE,
polling, file events or a backoff), for "scan now" and for those errands.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from ndrguard.identity import IdentityError
from ndrguard.service.api.protocol import WorkerState
from ndrguard.service.engine.accounts import decider, open_mailbox
from ndrguard.service.engine.folder_watch import IDLE_CONNECTIONS, JOIN_TIMEOUT, FolderWatcher
from ndrguard.service.engine.netchange import network_changes
from ndrguard.service.engine.scanner import PassResult, Progress, Scanner
from ndrguard.service.mailboxes.base import (
    AuthFailed,
    CertificateRejected,
    ConnectionLost,
    Mailbox,
    MailboxError,
)
from ndrguard.service.mailboxes.liveness import IDLE_RENEW, Keepalive, resumes
from ndrguard.service.oauth.grant import SignInNeeded
from ndrguard.service.settings.config import Account, ConfigError
from ndrguard.service.store.state import State

# Work for the worker's mailbox, handed over by `submit`; its result goes to the Future.
Errand = Callable[[Mailbox], Any]
T = TypeVar("T")

log = logging.getLogger(__name__)

FIRST_BACKOFF = 1.0
MAX_BACKOFF = 300.0
JITTER = 0.2
# After a fault of the network rather than the server (ConnectionLost.cause), the next
# attempt is a probe this soon, connecting with this timeout: SYNs go out at 0, 1 and 3 s, so
# one is on its way within a few seconds of the path coming back.
PROBE_DELAY = 1.0
PROBE_CAUSES = frozenset({"no-answer", "unreachable", "slept"})
PROBE_CONNECT_TIMEOUT = 5.0

@dataclass(frozen=True, slots=True)
class AccountStatus:
    account: str
    state: WorkerState
    detail: str = ""
    until: float | None = None  # wall-clock time of the next attempt, when backing off
    # How each watched folder hears of new mail, while watching: folder -> "IDLE", "file
    # events", "IDLE (own connection)" or "polled every N s". One connection IDLEs on one
    # folder, so further folders get a connection each up to the budget (folder_watch.py).
    watch: tuple[tuple[str, str], ...] = ()
    progress: Progress | None = None  # how far a long job of the pass under way is
    # Faults since the service started, and the words of the latest: a reconnect after a
    # resume is over in a fraction of a second, and "watching" alone would hide that it came.
    faults: int = 0
    last_fault: str = ""

    def to_json(self) -> dict[str, object]:
        return {"account": self.account, "state": str(self.state), "detail": self.detail,
                "until": self.until, "watch": dict(self.watch),
                "progress": self.progress.to_json() if self.progress else None,
                "faults": self.faults, "last_fault": self.last_fault}  # fmt: skip


class Backoff:
    """1 s, 2 s, 4 s ... up to 5 min, each with up to +-20 % jitter; reset after a success.

    The jitter keeps the accounts of one machine (and the machines behind one server) from
    reconnecting in step after a server restart. `rng` is injectable for tests.
    """

    def __init__(
        self,
        first: float = FIRST_BACKOFF,
        most: float = MAX_BACKOFF,
        rng: random.Random | None = None,
    ) -> None:
        self.first, self.most = first, most
        self._rng = rng or random.Random()
        self._next = first

    def reset(self) -> None:
        self._next = self.first

    def next(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self.most)
        return min(self.most, delay * self._rng.uniform(1 - JITTER, 1 + JITTER))

    def probe(self) -> float:
        """The delay before probing a network that did not answer: short, and the grown
        backoff starts over (what failed was the path, not the server)."""
        self.reset()
        return PROBE_DELAY * self._rng.uniform(1 - JITTER, 1 + JITTER)


class Wake(threading.Event):
    """An Event that select() can wait on as well (`fileno`): the IDLE's one-second wait on its
    socket ends as soon as the worker is poked (news in a folder watched on its own connection,
    "scan now", an errand, halt), not when the second is up, which made a bounce in a second
    folder some 0.4 s slower to reach the quarantine than one in the first.

    A byte in a pipe stands for "set"; `clear` empties the pipe. A byte left over from a set
    racing a clear only makes one wait end early: the waiter drains it (`drain`) and goes on.
    """

    def __init__(self) -> None:
        super().__init__()
        self._r, self._w = os.pipe()
        os.set_blocking(self._r, False)
        os.set_blocking(self._w, False)

    def set(self) -> None:
        super().set()
        with contextlib.suppress(OSError):  # full (already woken) or closed (ended)
            os.write(self._w, b"!")

    def clear(self) -> None:
        super().clear()
        self.drain()

    def drain(self) -> None:
        with contextlib.suppress(OSError):
            while os.read(self._r, 512):
                pass

    def fileno(self) -> int:
        return self._r

    def close(self) -> None:
        for fd in (self._r, self._w):
            with contextlib.suppress(OSError):
                os.close(fd)


OWN_CONNECTION = "IDLE (own connection)"


def watch_plan(account: Account, pushes: bool) -> tuple[tuple[str, str], ...]:
    """How each of the account's folders is watched (see AccountStatus.watch).

    The first folder on the worker's connection (IDLE, or file events on a Maildir); on IMAP
    the next ones by IDLE on a connection each, up to IDLE_CONNECTIONS in all; the rest, and
    every folder of a server without IDLE, polled."""
    every = f"polled every {account.poll_seconds:g} s"
    push = "file events" if account.is_maildir else "IDLE"
    first = (account.folders[0], push if pushes else every)
    others = account.folders[1:]
    own = len(others) if pushes and not account.is_maildir else 0
    own = min(own, IDLE_CONNECTIONS - 1)
    return (first, *((f, OWN_CONNECTION if i < own else every) for i, f in enumerate(others)))


class Worker(threading.Thread):
    """Watches one account until `halt()`."""

    def __init__(
        self,
        account: Account,
        state: State,
        config_dir: Path,
        on_status: Callable[[AccountStatus], None],
        on_move: Callable[[str, int], None] | None = None,
    ) -> None:
        super().__init__(name=f"ndrguard-{account.name}", daemon=True)
        self.account = account
        self.state = state
        self.config_dir = config_dir
        self.stop = threading.Event()
        # Set by poke() and halt(): every wait of the worker is a wait on this event.
        self._wake = Wake()
        self._errands: list[tuple[Errand, Future[Any]]] = []
        self._errands_lock = threading.Lock()
        self._closed = False  # no more errands are taken once the thread is ending
        self._on_status = on_status
        self._on_move = on_move
        self._shown: AccountStatus | None = None  # the last status told
        self._in_progress = False  # the last status told carried a progress
        self.backoff = Backoff()
        # What the server's keepalives taught survives reconnects: same server, same interval.
        self.keepalive = Keepalive()
        # Set while the last fault was the network's: the next connect is a quick probe.
        self._probing = False
        # The last fault's words, shown with "connecting" until a session works again: a
        # poke can end a backoff at once, and the user should still see why it reconnects.
        self._fault = ""
        self._faults, self._last_fault = 0, ""

    def poke(self) -> None:
        """Look again now: end the current wait (IDLE within a second) and run a pass."""
        self._wake.set()

    def halt(self) -> None:
        """Stop after the move batch in progress; join() to wait for it."""
        self.stop.set()
        self._wake.set()

    def submit(self, errand: Callable[[Mailbox], T]) -> Future[T]:
        """Run `errand(mailbox)` on this thread between passes; its result or error arrives
        in the Future. A Future cancelled before its turn is skipped."""
        future: Future[T] = Future()
        with self._errands_lock:
            if self._closed:
                future.set_exception(MailboxError(f"{self.account.name} has stopped"))
                return future
            self._errands.append((errand, future))
        self.poke()
        return future

    def _run_errands(self, mailbox: Mailbox) -> None:
        with self._errands_lock:
            errands, self._errands = self._errands, []
        for errand, future in errands:
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(errand(mailbox))
            except Exception as err:  # the caller's to judge; a broken connection shows
                future.set_exception(err)  # again in the worker's next command

    def _fail_errands(self, err: BaseException, close: bool = False) -> None:
        """Errands waiting when the session broke (or the thread ends) get the error at once,
        rather than waiting for a reconnect that may take minutes."""
        with self._errands_lock:
            errands, self._errands = self._errands, []
            self._closed = self._closed or close
        for _, future in errands:
            if future.set_running_or_notify_cancel():
                future.set_exception(err)

    def _status(
        self,
        state: WorkerState,
        detail: str = "",
        until: float | None = None,
        watch: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self._shown = AccountStatus(self.account.name, state, detail, until, watch,
                                    faults=self._faults, last_fault=self._last_fault)  # fmt: skip
        self._on_status(self._shown)

    def _progressed(self, progress: Progress) -> None:
        """The status as it was, with how far the pass has come (cleared by the next status)."""
        shown = self._shown or AccountStatus(self.account.name, WorkerState.CATCHING_UP)
        self._on_status(replace(shown, progress=progress))
        self._in_progress = True

    def run(self) -> None:
        while not self.stop.is_set():
            self._status(WorkerState.CONNECTING, self._fault)
            try:
                self._session()
            except SignInNeeded as err:
                # Nothing but the user's sign-in helps; it pokes the worker when done.
                self._wait(WorkerState.SIGNIN_NEEDED, err, self.backoff.most)
            except (AuthFailed, CertificateRejected) as err:
                self._probing = False
                kind = (
                    WorkerState.AUTH_FAILED if isinstance(err, AuthFailed)
                    else WorkerState.CERT_REJECTED
                )  # fmt: skip
                # Retrying soon cannot help; the longest wait keeps a server from locking the
                # account while still noticing a fixed password or certificate in time.
                self._wait(kind, err, self.backoff.most)
            except ConnectionLost as err:
                self._probing = err.cause in PROBE_CAUSES
                # After a sleep the old session is suspect but the network is likely fine:
                # reconnect at once and catch up.
                delay = self.backoff.probe() if self._probing else self.backoff.next()
                if err.cause == "slept":
                    delay = 0.0
                self._wait(WorkerState.BACKING_OFF, err, delay)
            except (MailboxError, ConfigError, IdentityError) as err:
                self._probing = False
                self._wait(WorkerState.BACKING_OFF, err, self.backoff.next())
            except Exception as err:  # a bug must not end the watch of an account for good
                self._probing = False
                log.exception("%s: unexpected error", self.account.name)
                self._wait(WorkerState.BACKING_OFF, err, self.backoff.next())
        self._fail_errands(MailboxError(f"{self.account.name} has stopped"), close=True)
        self._status(WorkerState.STOPPED)
        self._wake.close()

    def _wait(self, state: WorkerState, err: BaseException, delay: float) -> None:
        """Back off after a fault; a poke (scan now, an errand) tries again at once, and so
        does a resume: a backoff counted in CLOCK_MONOTONIC would otherwise run its whole
        length again after the machine woke up (or the process was continued)."""
        log.warning("%s: %s; next attempt in %.0f s", self.account.name, err, delay)
        self._fail_errands(err)
        self._fault = str(err)
        self._faults, self._last_fault = self._faults + 1, self._fault
        self._status(state, self._fault, time.time() + delay)
        watch, network = resumes(), network_changes()
        mark, changes = watch.mark(), network.mark()
        end = time.monotonic() + delay
        while (left := end - time.monotonic()) > 0:
            began = time.monotonic()
            if self._wake.wait(min(left, 1.0)):
                break
            watch.observe(began, time.monotonic(), min(left, 1.0))
            if watch.since(mark):
                log.info("%s: resumed; trying again at once", self.account.name)
                self.backoff.reset()
                break
            if network.since(changes):
                # A backoff learnt on one network says little about the next one.
                log.info("%s: the network changed; trying again at once", self.account.name)
                self.backoff.reset()
                break
        self._wake.clear()

    def _session(self) -> None:
        decide = decider(self.account, self.state, self.config_dir)
        mailbox: Mailbox = open_mailbox(
            self.account, self.state, self.keepalive,
            PROBE_CONNECT_TIMEOUT if self._probing else None,
        )  # fmt: skip
        watchers: list[FolderWatcher] = []
        try:
            # Errands first: a restore asked for while the account was cut off should not
            # wait for a catch-up that can take minutes on a large mailbox.
            self._run_errands(mailbox)
            scanner = Scanner(
                self.account, mailbox, self.state, decide, stop=self.stop,
                on_move=self._moved, on_progress=self._progressed,
            )  # fmt: skip
            self._fault = ""
            self._status(WorkerState.CATCHING_UP)
            result = scanner.run_pass()
            self.backoff.reset()
            plan = watch_plan(self.account, mailbox.pushes)
            watchers = self._start_watchers(plan)
            shown = self._watching(result, plan, None)
            first = self.account.folders[0]
            # Polled folders are looked at by the pass that follows every wait, so the wait
            # is cut to the poll interval when there are any.
            polled = any(how.startswith("polled") for _, how in plan[1:])
            wait = min(IDLE_RENEW, self.account.poll_seconds) if polled else IDLE_RENEW
            while not self.stop.is_set():
                if mailbox.renew_at is not None and time.time() >= mailbox.renew_at:
                    log.info("%s: the access token expires soon; logging in afresh",
                             self.account.name)  # fmt: skip
                    return
                # Mail that came during the pass was announced during the pass's own commands,
                # and an IDLE begun now would not hear of it again: look once more instead.
                # After that, anything new is announced to the IDLE.
                if mailbox.status(first).uidnext == result.uidnext.get(first):
                    # After news, and also after each IDLE renewal: a quiet pass costs a few
                    # commands and catches anything a notification missed.
                    until_renewal = (mailbox.renew_at or math.inf) - time.time()
                    mailbox.wait_for_change(first, max(1.0, min(wait, until_renewal)), self._wake)
                # Cleared before the pass, so that a poke during the pass is not lost: the
                # next wait then ends at once.
                self._wake.clear()
                self._run_errands(mailbox)
                if not self.stop.is_set():
                    result = scanner.run_pass()
                    shown = self._watching(result, plan, shown)
        finally:
            for watcher in watchers:
                watcher.halt()
            mailbox.close()
            for watcher in watchers:
                watcher.join(JOIN_TIMEOUT)

    def _start_watchers(self, plan: tuple[tuple[str, str], ...]) -> list[FolderWatcher]:
        """A FolderWatcher for each folder the plan IDLEs on a connection of its own."""
        watchers = []
        for folder, how in plan[1:]:
            if how != OWN_CONNECTION:
                continue
            backoff = Backoff()
            watcher = FolderWatcher(
                self.account.name, folder,
                lambda keepalive: open_mailbox(self.account, self.state, keepalive),
                self.poke,
                functools.partial(_pause, backoff),
            )  # fmt: skip
            watcher.start()
            watchers.append(watcher)
        return watchers

    def _watching(
        self, result: PassResult, plan: tuple[tuple[str, str], ...], shown: str | None
    ) -> str:
        """Say "watching", or what evidence the pass could not read (the account's error until
        it can); only when that changed since the last pass (`shown`), to spare the clients."""
        if result.unreadable:
            state, detail = WorkerState.EVIDENCE_UNREADABLE, "; ".join(result.unreadable)
        else:
            state, detail = WorkerState.WATCHING, "; ".join(f"{f}: {how}" for f, how in plan)
        if f"{state}:{detail}" != shown or self._in_progress:
            self._in_progress = False
            self._status(state, detail, watch=plan)
        return f"{state}:{detail}"

    def _moved(self, n: int) -> None:
        log.info("%s: quarantined %d message(s)", self.account.name, n)
        if self._on_move is not None:
            self._on_move(self.account.name, n)


def _pause(backoff: Backoff, quick: bool) -> float:
    """A folder watcher's wait before it reconnects: a quick probe after a doubt, else the
    account's growing backoff."""
    return backoff.probe() if quick else backoff.next()
