"""The service with the controls the API offers: pause, resume, scan now, restore.

`ControlledService` extends run_cli's `Service` rather than reaching into it from outside,
because pausing must survive a config reload: the config watcher calls `apply` with the new
file, and a paused account must stay stopped. Scanning now restarts an account's worker,
whose first act is a full catch-up pass; that reuses the one code path that is already safe
against every crash instead of running a second scanner beside the worker.

Restores and marks run on the calling API thread with a mailbox of their own (as
`ndrguard restore` does), serialised per account, through the same journal as every move.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ndrguard.service import journal
from ndrguard.service.accounts import open_mailbox
from ndrguard.service.config import Config
from ndrguard.service.mailbox import MailboxError
from ndrguard.service.run_cli import Service
from ndrguard.service.state import State, VerdictRow, VerdictState


class ControlledService(Service):
    def __init__(self, config: Config, state: State, status_file: Path) -> None:
        super().__init__(config, state, status_file)
        self.full_config = config
        self.paused: set[str] = set()
        self.started = time.time()
        self._account_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)

    def apply(self, config: Config) -> None:
        self.full_config = config
        running = tuple(a for a in config.accounts if a.name not in self.paused)
        super().apply(dataclasses.replace(config, accounts=running))

    def pause(self, names: Iterable[str] | None = None) -> None:
        self.paused |= set(names) if names is not None else self._names()
        self.apply(self.full_config)

    def resume(self, names: Iterable[str] | None = None) -> None:
        self.paused -= set(names) if names is not None else set(self.paused)
        self.apply(self.full_config)

    def scan_now(self, names: Iterable[str] | None = None) -> list[str]:
        """Restart the workers of `names` (all running ones by default); their names."""
        wanted = set(names) if names is not None else self._names()
        restarted = []
        with self._lock:
            for name in sorted(wanted & set(self.workers)):
                account = self.workers[name].account
                self._stop_worker(name)
                self._start_worker(account, self.config)
                restarted.append(name)
        return restarted

    def _names(self) -> set[str]:
        return {a.name for a in self.full_config.accounts}

    def restore(self, rows: list[VerdictRow]) -> tuple[list[int], dict[int, str]]:
        """Move quarantined messages back where they came from: (restored ids, id -> why not)."""
        done: list[int] = []
        failed: dict[int, str] = {}
        groups: defaultdict[tuple[str, str, int, str], list[VerdictRow]] = defaultdict(list)
        for row in rows:
            if row.state is not VerdictState.QUARANTINED or row.quarantine_folder is None:
                failed[row.id] = f"it is not in quarantine (it is {row.state})"
                continue
            key = (
                row.account,
                row.quarantine_folder,
                int(row.quarantine_validity or 0),
                row.folder,
            )
            groups[key].append(row)
        for (name, _, _, dest), members in groups.items():
            try:
                account = self.full_config.account(name)
                with self._account_locks[name]:
                    mailbox = open_mailbox(account, self.state)
                    try:
                        result = journal.move_journalled(
                            self.state, mailbox, members, dest, journal.RESTORE
                        )
                    finally:
                        mailbox.close()
            except (MailboxError, ValueError) as err:
                failed.update({r.id: str(err) for r in members})
                continue
            done += list(result.moved)
            failed.update({i: "it was not in the quarantine folder any more" for i in result.gone})
        return done, failed

    def account_states(self) -> list[dict[str, Any]]:
        """Each configured account's state, paused ones included (the workers know only theirs)."""
        out = []
        statuses = dict(self.statuses)
        for account in self.full_config.accounts:
            if account.name in self.paused:
                out.append(
                    {"account": account.name, "state": "paused", "detail": "", "until": None}
                )
            elif account.name in statuses:
                out.append(statuses[account.name].to_json())
            else:
                out.append(
                    {"account": account.name, "state": "starting", "detail": "", "until": None}
                )
        return out
