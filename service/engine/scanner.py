"""One pass over one account: settle the journal, catch up, judge the candidates, move.

The worker runs a pass at start and after every change the server reports; `ndrguard scan`
runs exactly one. A pass is safe to interrupt anywhere: the folder mark only moves past
messages whose verdicts are stored, a stored verdict is never judged again, and moves go
through the journal. So a crash at any point costs at most some repeated header fetches.

Catch-up is cheap on purpose: the backend's candidate search (one UID SEARCH on IMAP) picks
the messages that may be bounces, their headers are fetched in batches, and only messages that
are not known already are fetched whole.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ndrguard.headers import message_ids
from ndrguard.sent_index import normalise_message_id
from ndrguard.service.engine.deciding import Decide, Decision
from ndrguard.service.mailboxes.base import (
    FolderMissing,
    Head,
    Mailbox,
    byte_batches,
    content_digest,
    fingerprint,
    header_value,
)
from ndrguard.service.settings.config import Account
from ndrguard.service.store import journal
from ndrguard.service.store.state import FolderMark, NewVerdict, State, VerdictRow, VerdictState

log = logging.getLogger(__name__)

BATCH = 500  # UIDs per FETCH or MOVE: servers refuse command lines of tens of thousands of UIDs


@dataclass(slots=True)
class PassResult:
    """What one pass saw and did; `planned` lists decisions when nothing may be written."""

    candidates: int = 0
    judged: int = 0
    quarantined: int = 0
    kept: int = 0
    gone: int = 0
    recovered: dict[str, int] = field(default_factory=dict)
    uidnext: dict[str, int] = field(default_factory=dict)  # each folder's UIDNEXT as it began
    planned: list[tuple[str, int, Decision]] = field(default_factory=list)


class Scanner:
    """Runs passes of one account; `stop` is checked between batches (SIGTERM)."""

    def __init__(
        self,
        account: Account,
        mailbox: Mailbox,
        state: State,
        decide: Decide,
        *,
        dry_run: bool = False,
        stop: threading.Event | None = None,
        on_move: Callable[[int], None] | None = None,
    ) -> None:
        self.account = account
        self.mailbox = mailbox
        self.state = state
        self.decide = decide
        self.dry_run = dry_run
        self.stop = stop or threading.Event()
        self._on_move = on_move

    def run_pass(self) -> PassResult:
        result = PassResult()
        name = self.account.name
        moving = not self.dry_run and self.account.policy != "monitor"
        if not self.dry_run:
            open_intents = self.state.open_intents(name)
            result.recovered = journal.recover(self.state, self.mailbox, open_intents)
            self.update_sent_index()
        if moving:
            self.mailbox.ensure_folder(self.account.quarantine)
        for folder in self.account.folders:
            if self.stop.is_set():
                break
            self._catch_up(folder, result)
            if moving:
                self._move_pending(folder, result)
        return result

    # -- Sent index ------------------------------------------------------------------------

    def update_sent_index(self) -> None:
        """Add the Message-IDs of new mail in the Sent folder (all of it the first time)."""
        folder = self.account.sent or self.mailbox.special_folder("\\Sent")
        if folder is None:
            return
        name = self.account.name
        try:
            status = self.mailbox.status(folder)
        except FolderMissing:
            log.warning("%s: the Sent folder %r does not exist", name, folder)
            return
        mark = self.state.folder_mark(name, folder)
        if mark is not None and mark.uidvalidity != status.uidvalidity:
            self.state.clear_sent(name)
            mark = None
        above = mark.last_uid if mark else 0
        uids = self.mailbox.uids(folder, above)
        for start in range(0, len(uids), BATCH):
            chunk = uids[start : start + BATCH]
            heads = self.mailbox.headers(folder, chunk)
            ids = [i for h in heads.values() for i in message_ids(header_value(h, "message-id"))]
            self.state.add_sent(name, (normalise_message_id(i) for i in ids))
            self.state.set_folder_mark(name, folder, FolderMark(status.uidvalidity, chunk[-1]))
        if not uids:
            self.state.set_folder_mark(name, folder, FolderMark(status.uidvalidity, above))

    # -- catch-up --------------------------------------------------------------------------

    def _catch_up(self, folder: str, result: PassResult) -> None:
        name = self.account.name
        status = self.mailbox.status(folder)
        result.uidnext[folder] = status.uidnext
        mark = self.state.folder_mark(name, folder)
        if mark is not None and mark.uidvalidity != status.uidvalidity:
            # Renumbered (restored backup, recreated folder): every UID means something new.
            # Start over; messages already judged are recognised by their fingerprint.
            log.warning("%s/%s: UIDVALIDITY changed; re-identifying messages", name, folder)
            mark = None
        above = mark.last_uid if mark else 0
        top = status.uidnext - 1
        candidates = self.mailbox.candidates(folder, above)
        result.candidates += len(candidates)
        for start in range(0, len(candidates), BATCH):
            if self.stop.is_set():
                return
            chunk = candidates[start : start + BATCH]
            self._judge(folder, status.uidvalidity, chunk, result)
            if not self.dry_run:
                self.state.set_folder_mark(name, folder, FolderMark(status.uidvalidity, chunk[-1]))
        if not self.dry_run:
            last = max(top, candidates[-1] if candidates else 0, above)
            self.state.set_folder_mark(name, folder, FolderMark(status.uidvalidity, last))

    def _judge(self, folder: str, validity: int, uids: Sequence[int], result: PassResult) -> None:
        name = self.account.name
        heads = self.mailbox.heads(folder, uids)
        fresh: dict[int, Head] = {}
        for uid, head in heads.items():
            if self.state.known(name, folder, validity, uid):
                continue
            fp = fingerprint(head.block)
            seen = self.state.find_by_fingerprint(name, fp)
            if seen is None:
                fresh[uid] = head
            elif seen.folder == folder and seen.state in _FOLLOWS_ITS_MESSAGE:
                # The same message under a new UID (UIDVALIDITY changed): never judged twice.
                self.state.relocate(seen.id, folder, validity, uid)
        if not fresh:
            return
        judged: list[NewVerdict] = []
        # Whole messages a byte-bounded batch at a time, each dropped once judged: memory
        # follows the batch's bytes, not 500 times the largest bounce of a flood.
        wanted = sorted(fresh)
        for run in byte_batches(self.mailbox.sizes(folder, wanted), wanted):
            bodies = self.mailbox.fetch(folder, run)
            for uid, raw in sorted(bodies.items()):
                verdict = self._verdict(folder, validity, uid, fresh[uid], raw, result)
                if verdict is not None:
                    judged.append(verdict)
            del bodies
        if judged:  # stored before the folder mark moves past them (the caller's next step)
            self.state.add_verdicts(judged)

    def _verdict(
        self, folder: str, validity: int, uid: int, head: Head, raw: bytes, result: PassResult
    ) -> NewVerdict | None:
        """Judge one message; what to store about it (None in a dry run)."""
        name = self.account.name
        try:
            decision = self.decide(raw, head.arrived)
        except Exception as exc:  # one message the core trips over never stops the pass
            log.exception("%s/%s: UID %d could not be read", name, folder, uid)
            decision = unreadable(exc)
        result.judged += 1
        if self.dry_run:
            result.planned.append((folder, uid, decision))
            return None
        if decision.quarantine:
            st = VerdictState.QUARANTINE_PENDING
        elif self.account.policy == "monitor" and decision.verdict in _WOULD_MOVE:
            st = VerdictState.MONITORED
        else:
            st = VerdictState.KEPT
            result.kept += 1
        block = head.block
        return NewVerdict(
            account=name, folder=folder, uidvalidity=validity, uid=uid,
            message_id=header_value(block, "message-id"), fingerprint=fingerprint(block),
            sender=header_value(block, "from"), subject=header_value(block, "subject"),
            kind=decision.kind, verdict=decision.verdict, reason=decision.reason,
            evidence=decision.evidence, policy=self.account.policy, state=st,
            facts=decision.facts, digest=content_digest(raw),
        )  # fmt: skip

    # -- moves -----------------------------------------------------------------------------

    def _move_pending(self, folder: str, result: PassResult) -> None:
        status = self.mailbox.status(folder)
        pending = [
            r
            for r in self.state.verdicts(
                self.account.name, [VerdictState.QUARANTINE_PENDING], limit=1_000_000
            )
            if r.folder == folder and r.uidvalidity == status.uidvalidity
        ]
        pending.sort(key=lambda r: r.uid)
        for start in range(0, len(pending), BATCH):
            if self.stop.is_set():
                return
            rows: list[VerdictRow] = pending[start : start + BATCH]
            done = journal.move_journalled(self.state, self.mailbox, rows, self.account.quarantine)
            result.quarantined += len(done.moved)
            result.gone += len(done.gone)
            if self._on_move is not None and done.moved:
                self._on_move(len(done.moved))


def unreadable(exc: Exception) -> Decision:
    """The verdict of a message the core could not read: recorded with the error, kept.

    Stored like any verdict, so the folder mark moves past it and it is not fetched again on
    every pass; the error in its reason says what to report.
    """
    return Decision(
        kind="unreadable",
        verdict="unreadable",
        reason=f"Kept: the message could not be read ({type(exc).__name__}: {exc})"[:500],
        evidence=[],
        quarantine=False,
    )


_WOULD_MOVE = ("backscatter", "undecided")

# A message in one of these states is the verdict's message wherever it is found in its folder.
_FOLLOWS_ITS_MESSAGE = (
    VerdictState.KEPT,
    VerdictState.MONITORED,
    VerdictState.QUARANTINE_PENDING,
    VerdictState.RESTORED,
)
