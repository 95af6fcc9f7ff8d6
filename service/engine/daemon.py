"""The running service: a worker per account of the config, and what the user may ask of it.

`ndrguard run` makes one `Service`, serves the local API around it (api/host.py) and hands it
every config reload. The user's controls live here, beside the workers they act on, rather
than in the API, because each must hold across the others: a paused account stays stopped
when the config is reloaded and when the service restarts (the pause is in the state
database); "scan now" pokes the running worker instead of reconnecting; a restore is run by
the account's own worker on its own connection (worker.py says why), or, when no worker runs
(the account is paused, or the CLI works without a service), on a mailbox opened for it.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from ndrguard.service.api.protocol import WorkerState
from ndrguard.service.engine.accounts import decider, open_mailbox
from ndrguard.service.engine.deciding import AccountJudge
from ndrguard.service.engine.scanner import PassResult, Scanner
from ndrguard.service.engine.worker import AccountStatus, Worker
from ndrguard.service.mailboxes.base import Mailbox, MailboxError
from ndrguard.service.settings.config import Account, Config, ConfigError
from ndrguard.service.store import journal
from ndrguard.service.store.state import State, VerdictRow, VerdictState

log = logging.getLogger("ndrguard.service")

JOIN_TIMEOUT = 60.0
# How long an errand may wait for its worker (busy with a long first catch-up, say) before
# it is called off; one already running is waited for, since it may be moving mail.
ERRAND_WAIT = 60.0

T = TypeVar("T")


class Service:
    """The workers of the current config, restarted per account when its table changes."""

    def __init__(self, config: Config, state: State) -> None:
        self.config = config  # the whole config; a paused account has no worker
        self.state = state
        self.paused: set[str] = state.paused()
        self.workers: dict[str, Worker] = {}
        self.statuses: dict[str, AccountStatus] = {}
        self.config_error: str | None = None
        self.started = time.time()
        self._lock = threading.Lock()
        # Held while a worker starts and while a mailbox is used without one, so that the two
        # never work on one account at once.
        self._account_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)

    # -- the workers -----------------------------------------------------------------------

    def apply(self, config: Config) -> None:
        """Start, stop or restart workers so that they match `config` (paused ones stay off)."""
        with self._lock:
            self.config_error = None
            self.config = config
            wanted = {a.name: a for a in config.accounts if a.name not in self.paused}
            for name, worker in list(self.workers.items()):
                if wanted.get(name) != worker.account:
                    self._stop_worker(name)
            for name, account in wanted.items():
                if name not in self.workers:
                    self._start_worker(account)

    def broken(self, err: ConfigError) -> None:
        """The config file was saved broken: the running config stays, the error is shown."""
        self.config_error = str(err)

    def stop(self) -> None:
        with self._lock:
            for worker in self.workers.values():
                worker.halt()
            for name in list(self.workers):
                self.workers[name].join(JOIN_TIMEOUT)
                del self.workers[name]

    def _start_worker(self, account: Account) -> None:
        with self._account_locks[account.name]:
            worker = Worker(account, self.state, self.config.path.parent, self._on_status)
            self.workers[account.name] = worker
            worker.start()

    def _stop_worker(self, name: str) -> None:
        worker = self.workers.pop(name)
        worker.halt()
        worker.join(JOIN_TIMEOUT)
        self.statuses.pop(name, None)

    def _on_status(self, status: AccountStatus) -> None:
        self.statuses[status.account] = status
        log.info("%s: %s%s", status.account, status.state,
                 f" ({status.detail})" if status.detail else "")  # fmt: skip

    def account_states(self) -> list[dict[str, Any]]:
        """Each configured account's state, paused ones included (the workers know only theirs)."""
        out = []
        statuses = dict(self.statuses)
        for account in self.config.accounts:
            if account.name in statuses and account.name not in self.paused:
                out.append(statuses[account.name].to_json())
            else:
                paused = account.name in self.paused
                state = WorkerState.PAUSED if paused else WorkerState.STARTING
                out.append(AccountStatus(account.name, state).to_json())
        return out

    # -- the user's controls ---------------------------------------------------------------

    def pause(self, names: Iterable[str] | None = None) -> None:
        """Stop watching `names` (all accounts by default) until resumed, restarts included."""
        chosen = self._names(names)
        self.state.set_paused(chosen, True)
        self.paused |= chosen
        self.apply(self.config)

    def resume(self, names: Iterable[str] | None = None) -> None:
        chosen = self._names(names) if names is not None else set(self.paused)
        self.state.set_paused(chosen, False)
        self.paused -= chosen
        self.apply(self.config)

    def scan_now(self, names: Iterable[str] | None = None) -> list[str]:
        """Wake the workers of `names` (all running ones by default) for a pass; their names."""
        chosen = self._names(names)
        with self._lock:
            poked = sorted(chosen & set(self.workers))
            for name in poked:
                self.workers[name].poke()
        return poked

    def _names(self, names: Iterable[str] | None) -> set[str]:
        """`names` checked against the config (ConfigError names the unknown one), or all."""
        if names is None:
            return {a.name for a in self.config.accounts}
        return {self.config.account(n).name for n in names}

    def on_mailbox(self, name: str, errand: Callable[[Mailbox], T]) -> T:
        """`errand(mailbox)` for account `name`: by its worker when one runs, else here."""
        account = self.config.account(name)
        with self._account_locks[name]:
            worker = self.workers.get(name)
            if worker is None:
                mailbox = open_mailbox(account, self.state)
                try:
                    return errand(mailbox)
                finally:
                    mailbox.close()
        future = worker.submit(errand)
        try:
            return future.result(ERRAND_WAIT)
        except TimeoutError:
            if future.cancel():
                raise MailboxError(
                    f"{name} is busy (a long catch-up?) and did not get to it in "
                    f"{ERRAND_WAIT:.0f} s; nothing was done, try again later"
                ) from None
            return future.result()

    def restore(self, rows: Sequence[VerdictRow]) -> tuple[list[int], dict[int, str]]:
        """Move quarantined messages back where they came from: (restored ids, id -> why not)."""
        return self._move_per_account(
            rows,
            lambda name, ids: functools.partial(_restore_on, self.state, ids=ids),
            "it was not in the quarantine folder any more",
        )

    def requarantine(self, rows: Sequence[VerdictRow]) -> tuple[list[int], dict[int, str]]:
        """Undo of a restore: restored messages back to their account's quarantine folder."""
        return self._move_per_account(
            rows,
            lambda name, ids: functools.partial(
                _requarantine_on, self.state, ids=ids, folder=self.config.account(name).quarantine
            ),
            "it was not in its folder any more",
        )

    def _move_per_account(
        self,
        rows: Sequence[VerdictRow],
        errand_for: Callable[[str, list[int]], Callable[[Mailbox], journal.MoveResult]],
        gone: str,
    ) -> tuple[list[int], dict[int, str]]:
        """One journalled move per account, each on that account's own connection; an account
        that cannot be reached fails its own rows and not the others'."""
        done: list[int] = []
        failed: dict[int, str] = {}
        by_account: defaultdict[str, list[int]] = defaultdict(list)
        for row in rows:
            by_account[row.account].append(row.id)
        for name, ids in by_account.items():
            try:
                result = self.on_mailbox(name, errand_for(name, ids))
            except (MailboxError, ConfigError) as err:
                failed.update({i: str(err) for i in ids})
                continue
            done += list(result.moved)
            failed.update(result.refused)
            failed.update({i: gone for i in result.gone})
        return done, failed

    def rejudge(self, names: Iterable[str] | None, since: float | None) -> dict[str, PassResult]:
        """Judge again what was judged before, under each account's current policy and
        identity, and move what the new verdicts say (on the worker's own connection)."""
        out: dict[str, PassResult] = {}
        for name in sorted(self._names(names)):
            account = self.config.account(name)
            judge = decider(account, self.state, self.config.path.parent)
            out[name] = self.on_mailbox(
                name, functools.partial(_rejudge_on, account, self.state, judge, since)
            )
        return out

    def rejudge_offered(self) -> dict[str, dict[str, object]]:
        """Accounts with messages judged under another policy than their current one: the
        change the user made in the config, and how many messages `rejudge` would look at."""
        offered: dict[str, dict[str, object]] = {}
        for account in self.config.accounts:
            n = self.state.judged_under_other_policy(account.name, account.policy)
            if n:
                offered[account.name] = {"policy": account.policy, "messages": n}
        return offered

    def mark_legit(self, rows: Sequence[VerdictRow]) -> tuple[list[int], dict[int, str]]:
        """The user says these bounces are real: remembered first (it holds even if the move
        back fails, and no later pass moves them again), then quarantined ones are restored."""
        for row in rows:
            self.state.mark_legit(row.id)
        return self.restore([r for r in rows if r.state is VerdictState.QUARANTINED])


def _restore_on(state: State, mailbox: Mailbox, ids: list[int]) -> journal.MoveResult:
    return journal.restore(state, mailbox, ids)


def _requarantine_on(
    state: State, mailbox: Mailbox, ids: list[int], folder: str
) -> journal.MoveResult:
    return journal.requarantine(state, mailbox, ids, folder)


def _rejudge_on(
    account: Account, state: State, judge: AccountJudge, since: float | None, mailbox: Mailbox
) -> PassResult:
    return Scanner(account, mailbox, state, judge).rejudge(since)
