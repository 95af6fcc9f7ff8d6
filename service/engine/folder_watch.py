"""IDLE on a watched folder other than the first, on a connection of its own.

One IMAP connection can IDLE on one folder only, and the worker's own connection IDLEs on the
first folder. Every other watched folder, up to the account's connection budget
(`IDLE_CONNECTIONS`), gets a thread with its own login that does nothing but IDLE there and
poke the worker when something arrived; the worker's pass does the reading, judging and
moving, so nothing here writes or moves mail (one writer per account stays true). Folders
beyond the budget are polled, as every folder is on a server without IDLE.

A watcher is part of its worker's session: started after the catch-up pass, stopped when the
session ends. Its own connection faults are its own: it reconnects (a quick probe after a
network fault, growing backoff otherwise) while the worker goes on, and pokes once on every
(re)connect so that mail that came while it was away is looked for.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

from ndrguard.service.mailboxes.base import ConnectionLost, Mailbox, MailboxError
from ndrguard.service.mailboxes.liveness import IDLE_RENEW, Keepalive

log = logging.getLogger(__name__)

# Connections per account: the worker's own and one per further IDLEd folder. Dovecot allows
# 10 per user and address by default (mail_max_userip_connections), Gmail 15 per account;
# 5 leaves room for the user's own clients on any of them.
IDLE_CONNECTIONS = 5
JOIN_TIMEOUT = 5.0

Opener = Callable[[Keepalive], Mailbox]


class FolderWatcher(threading.Thread):
    """IDLEs on `folder` until `stop`, calling `poke` whenever the folder may have new mail."""

    def __init__(
        self,
        account: str,
        folder: str,
        open_box: Opener,
        poke: Callable[[], None],
        backoff: Callable[[bool], float],
    ) -> None:
        super().__init__(name=f"ndrguard-{account}-{folder}", daemon=True)
        self.account, self.folder = account, folder
        self._open, self._poke, self._backoff = open_box, poke, backoff
        self.stop = threading.Event()
        # Its own: two IDLEs on one Keepalive would each reset the other's gap.
        self.keepalive = Keepalive()

    def halt(self) -> None:
        self.stop.set()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self._watch()
            except MailboxError as err:
                quick = isinstance(err, ConnectionLost) and err.cause in (
                    "no-answer", "unreachable", "slept"
                )  # fmt: skip
                delay = self._backoff(quick)
                log.info("%s: watching %s: %s; again in %.0f s", self.account, self.folder,
                         err, delay)  # fmt: skip
                self.stop.wait(delay)
            except Exception:  # a bug here must not end the folder's watch for good
                log.exception("%s: watching %s", self.account, self.folder)
                self.stop.wait(self._backoff(False))

    def _watch(self) -> None:
        box = self._open(self.keepalive)
        try:
            mark = box.status(self.folder).uidnext
            self._poke()  # anything that came while this watch was not yet (or no more) there
            while not self.stop.is_set():
                news = box.wait_for_change(self.folder, IDLE_RENEW, self.stop)
                if self.stop.is_set():
                    return
                if news:  # at once: a STATUS first would delay the worker by a round trip
                    self._poke()
                now = box.status(self.folder).uidnext
                if now != mark and not news:  # what a renewal found that IDLE did not say
                    self._poke()
                mark = now
        finally:
            with contextlib.suppress(Exception):
                box.close()
