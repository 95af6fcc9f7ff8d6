"""One pass over one account: settle the journal, catch up, judge the candidates, move.

The worker runs a pass at start and after every change the server reports; `ndrguard scan`
runs exactly one. A pass is safe to interrupt anywhere: the folder mark only moves past
messages whose verdicts are stored, a stored verdict is never judged again, and moves go
through the journal. So a crash at any point costs at most some repeated header fetches.

Catch-up is cheap on purpose: the backend's candidate test (the core's own triage on headers
and body start) picks the messages that may be bounces, their headers are fetched in batches,
and only messages that are not known already are fetched whole.

Every verdict comes from the core's one entry point (deciding.AccountJudge over ndrguard.judge),
with the same evidence in a dry run as in a real one: the dry run reads the Sent folder too,
only without writing what it read. A bounce whose evidence could not be read (the Sent folder
is missing, DNS did not answer for a DKIM key) is held where it is (VerdictState.HELD) and
judged again on later passes; the pass names the problem (`PassResult.unreadable`), which the
worker shows as the account's state.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ndrguard.headers import decode_words, message_ids
from ndrguard.sent_index import normalise_message_id
from ndrguard.service.engine.deciding import AccountJudge, Decision, StateSentIndex
from ndrguard.service.engine.sent_folder import find_sent
from ndrguard.service.mailboxes.base import (
    AuthFailed,
    FolderMissing,
    Head,
    Mailbox,
    QuotaExceeded,
    byte_batches,
    content_digest,
    fingerprint,
    header_value,
)
from ndrguard.service.settings.config import Account
from ndrguard.service.store import journal, locate
from ndrguard.service.store.state import (
    MARKED_LEGIT,
    FolderMark,
    NewVerdict,
    Rejudged,
    State,
    VerdictRow,
    VerdictState,
)
from ndrguard.vocabulary import Action, Outcome, Policy

log = logging.getLogger(__name__)

BATCH = 500  # UIDs per FETCH or MOVE: servers refuse command lines of tens of thousands of UIDs


@dataclass(slots=True)
class PassResult:
    """What one pass saw and did; `planned` lists every decision it made, in both modes."""

    candidates: int = 0
    judged: int = 0
    quarantined: int = 0
    kept: int = 0
    gone: int = 0
    recovered: dict[str, int] = field(default_factory=dict)
    held: int = 0  # bounces held in place: evidence that could prove them real was unreadable
    uidnext: dict[str, int] = field(default_factory=dict)  # each folder's UIDNEXT as it began
    planned: list[Planned] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # what evidence could not be read, why

    def tally(self) -> Counter[str]:
        """How many decisions say quarantine, keep and hold (as the dry run announces them)."""
        tally: Counter[str] = Counter(dict.fromkeys(Step, 0))
        tally.update(p.action for p in self.planned)
        return tally

    def to_json(self, name: str, dry_run: bool) -> dict[str, Any]:
        """The pass as `scan --json`, `rejudge --json` and the API's rejudge show it."""
        messages = [
            {
                "folder": p.folder, "uid": p.uid, "subject": p.subject, "from": p.sender,
                "kind": p.decision.kind, "verdict": p.decision.verdict,
                "reason": p.decision.reason, "action": p.action,
            }
            for p in self.planned
        ]  # fmt: skip
        done = {} if dry_run else {"quarantined": self.quarantined, "kept": self.kept,
                                   "held": self.held, "gone": self.gone}  # fmt: skip
        return {
            "account": name,
            "candidates": self.candidates,
            "judged": self.judged,
            "messages": messages,
            "tally": dict(self.tally()),
            "done": done,
            "unreadable": self.unreadable,
        }


class Step(StrEnum):
    """What a pass does with a judged message: the core's Action, or HOLD for a pending verdict
    (evidence unreadable: it stays where it is and is judged again), as `scan` shows it."""

    QUARANTINE = Action.QUARANTINE.value
    KEEP = Action.KEEP.value
    HOLD = "hold"


@dataclass(frozen=True, slots=True)
class Planned:
    """One message's decision as a dry run reports it (and the real run will act on it)."""

    folder: str
    uid: int
    subject: str | None
    sender: str | None
    decision: Decision

    @property
    def action(self) -> Step:
        if self.decision.verdict == Outcome.PENDING:
            return Step.HOLD
        return Step.QUARANTINE if self.decision.quarantine else Step.KEEP


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a long job of a pass is: `done` of `total` messages (`ndrguard status`, the
    tray's progress line, the bar of `ndrguard scan`)."""

    what: str
    done: int
    total: int

    def to_json(self) -> dict[str, object]:
        return {"what": self.what, "done": self.done, "total": self.total}


class Scanner:
    """Runs passes of one account; `stop` is checked between batches (SIGTERM)."""

    def __init__(
        self,
        account: Account,
        mailbox: Mailbox,
        state: State,
        decide: AccountJudge,
        *,
        dry_run: bool = False,
        stop: threading.Event | None = None,
        on_move: Callable[[int], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.account = account
        self.mailbox = mailbox
        self.state = state
        self.decide = decide
        self.dry_run = dry_run
        self.stop = stop or threading.Event()
        self._on_move = on_move
        self._on_progress = on_progress

    def _progress(self, what: str, done: int, total: int) -> None:
        """Tell how far a long job is; one batch or less is over before anyone could look."""
        if self._on_progress is not None and total > BATCH:
            self._on_progress(Progress(what, done, total))

    def run_pass(self) -> PassResult:
        result = PassResult()
        name = self.account.name
        moving = not self.dry_run and self.account.policy != Policy.MONITOR
        if not self.dry_run:
            open_intents = self.state.open_intents(name)
            result.recovered = journal.recover(self.state, self.mailbox, open_intents)
        extra, problem = self.read_sent()
        self.decide.reading_sent(StateSentIndex(self.state, name, extra), problem)
        if problem:
            result.unreadable.append(problem)
        if moving:
            self.mailbox.ensure_folder(self.account.quarantine)
        for folder in self.account.folders:
            if self.stop.is_set():
                break
            self._judge_held(folder, result)
            self._catch_up(folder, result)
            if moving:
                self._move_pending(folder, result)
        if result.held and not result.unreadable:
            result.unreadable.append(self._held_reason())
        return result

    # -- Sent index ------------------------------------------------------------------------

    def read_sent(self) -> tuple[frozenset[str], str | None]:
        """Bring the Sent index up to date; say why the Sent folder could not be read, if not.

        A real pass writes the Message-IDs of new mail in the Sent folder (all of it the first
        time) to the state; a dry run reads the same and hands them back instead (the first
        value), so that it judges on the same evidence without writing anything.
        """
        try:
            found = find_sent(self.account, self.mailbox)
            if found.folder is None:
                log.warning("%s: %s", self.account.name, found.problem)
                return frozenset(), found.problem
            status = self.mailbox.status(found.folder)
            return self._read_sent(found.folder, status.uidvalidity), None
        except (FolderMissing, QuotaExceeded, AuthFailed) as err:
            # The server refused to show the Sent folder: unreadable, not empty.
            return frozenset(), f"the Sent folder could not be read: {err.message}"

    def _read_sent(self, folder: str, validity: int) -> frozenset[str]:
        name = self.account.name
        mark = self.state.folder_mark(name, folder)
        read: set[str] = set()
        if mark is not None and mark.uidvalidity != validity:
            if not self.dry_run:
                self.state.clear_sent(name)
            mark = None
        above = mark.last_uid if mark else 0
        uids = self.mailbox.uids(folder, above)
        for start in range(0, len(uids), BATCH):
            chunk = uids[start : start + BATCH]
            heads = self.mailbox.headers(folder, chunk)
            ids = [i for h in heads.values() for i in message_ids(header_value(h, "message-id"))]
            bare = [normalise_message_id(i) for i in ids]
            if self.dry_run:
                read.update(bare)
                continue
            self.state.add_sent(name, bare)
            self.state.set_folder_mark(name, folder, FolderMark(validity, chunk[-1]))
        if not uids and not self.dry_run:
            self.state.set_folder_mark(name, folder, FolderMark(validity, above))
        return frozenset(read)

    def _held_reason(self) -> str:
        held = self.state.verdicts(self.account.name, [VerdictState.HELD], limit=1)
        why = held[0].reason if held else ""
        return f"bounces are held: {why}" if why else "bounces are held"

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
        what = f"judging new mail in {folder}"
        self._progress(what, 0, len(candidates))
        for start in range(0, len(candidates), BATCH):
            if self.stop.is_set():
                return
            chunk = candidates[start : start + BATCH]
            self._judge(folder, status.uidvalidity, chunk, result)
            self._progress(what, start + len(chunk), len(candidates))
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
            if (
                seen is not None
                and seen.folder == folder
                and seen.state in _FOLLOWS_ITS_MESSAGE
                and not self._still_there(seen, validity, fp)
            ):
                # The same message under a new UID (UIDVALIDITY changed): never judged twice.
                self.state.relocate(seen.id, folder, validity, uid)
            else:
                # New, or a second copy beside the first (a re-delivery, a duplicate with the
                # same bytes): a message of its own, judged as any other.
                fresh[uid] = head
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
        decision = self._decide(folder, uid, raw, head)
        result.judged += 1
        result.planned.append(_planned(folder, uid, head.block, decision))
        if self.dry_run:
            return None
        st = self._verdict_state(decision, result)
        block = head.block
        return NewVerdict(
            account=self.account.name, folder=folder, uidvalidity=validity, uid=uid,
            message_id=header_value(block, "message-id"), fingerprint=fingerprint(block),
            sender=header_value(block, "from"), subject=header_value(block, "subject"),
            kind=decision.kind, verdict=decision.verdict, reason=decision.reason,
            evidence=decision.evidence, policy=self.account.policy, state=st,
            facts=decision.facts, digest=content_digest(raw),
        )  # fmt: skip

    def _decide(self, folder: str, uid: int, raw: bytes, head: Head) -> Decision:
        try:
            return self.decide(raw, head.arrived)
        except Exception as exc:  # one message the core trips over never stops the pass
            log.exception("%s/%s: UID %d could not be read", self.account.name, folder, uid)
            return unreadable(exc)

    def _verdict_state(self, decision: Decision, result: PassResult) -> VerdictState:
        """Where a decision leaves its message, counted in `result`."""
        if decision.verdict == Outcome.PENDING:
            result.held += 1
            return VerdictState.HELD
        if decision.quarantine:
            return VerdictState.QUARANTINE_PENDING
        if self.account.policy == Policy.MONITOR and decision.verdict in _WOULD_MOVE:
            return VerdictState.MONITORED
        result.kept += 1
        return VerdictState.KEPT

    def _still_there(self, seen: VerdictRow, validity: int, fp: str) -> bool:
        """Whether the message of `seen` is still at its recorded place (so a message with the
        same headers elsewhere in the folder is a second copy, not the first one renumbered)."""
        if seen.uidvalidity != validity:
            return False
        heads = self.mailbox.headers(seen.folder, [seen.uid])
        return seen.uid in heads and fingerprint(heads[seen.uid]) == fp

    def rejudge(self, since: float | None = None) -> PassResult:
        """Judge again, under the account's current policy and identity, every message judged
        before (since `since`, a Unix time) that still stands in its folder, and move what the
        new verdicts say (journalled, so every move can be restored).

        Not judged again: messages the user restored or marked legitimate (their word stands),
        and messages already in the quarantine (`restore` brings one back).
        """
        result = PassResult()
        name = self.account.name
        moving = not self.dry_run and self.account.policy != Policy.MONITOR
        if not self.dry_run:
            open_intents = self.state.open_intents(name)
            result.recovered = journal.recover(self.state, self.mailbox, open_intents)
        extra, problem = self.read_sent()
        self.decide.reading_sent(StateSentIndex(self.state, name, extra), problem)
        if problem:
            result.unreadable.append(problem)
        if moving:
            self.mailbox.ensure_folder(self.account.quarantine)
        rows = [
            r
            for r in self.state.verdicts(name, list(_REJUDGED), limit=1_000_000)
            if (since is None or r.decided_at >= since) and r.reason != MARKED_LEGIT
        ]
        for folder in self.account.folders:
            if self.stop.is_set():
                break
            self._judge_again(folder, [r for r in rows if r.folder == folder], result)
            if moving:
                self._move_pending(folder, result)
        return result

    def _judge_held(self, folder: str, result: PassResult) -> None:
        """Judge again the bounces held because evidence could not be read.

        On every pass: the fetch is of held messages only, and a held bounce must leave its
        state as soon as the Sent folder or the DNS answers again.
        """
        held = self.state.verdicts(self.account.name, [VerdictState.HELD], limit=1_000_000)
        self._judge_again(folder, [r for r in held if r.folder == folder], result)

    def _judge_again(self, folder: str, rows_in: Sequence[VerdictRow], result: PassResult) -> None:
        """Fetch the messages of `rows_in` (verdicts in `folder`) and replace their verdicts."""
        status = self.mailbox.status(folder)
        if self.dry_run:
            current = [r for r in rows_in if r.uidvalidity == status.uidvalidity]
        else:  # a renumbered folder's messages found again by Message-ID and content first
            current = locate.follow(self.state, self.mailbox, rows_in, folder, status.uidvalidity)
        todo = sorted(current, key=lambda r: r.uid)
        for start in range(0, len(todo), BATCH):
            rows = {r.uid: r for r in todo[start : start + BATCH]}
            heads = self.mailbox.heads(folder, sorted(rows))
            bodies = self.mailbox.fetch(folder, sorted(heads))
            for uid, raw in sorted(bodies.items()):
                decision = self._decide(folder, uid, raw, heads[uid])
                result.judged += 1
                result.planned.append(_planned(folder, uid, heads[uid].block, decision))
                if self.dry_run:
                    continue
                st = self._verdict_state(decision, result)
                self.state.rejudged(rows[uid].id, _judged(decision, self.account.policy, st))
            for uid in set(rows) - set(bodies):
                if not self.dry_run:
                    self.state.set_verdict_state(rows[uid].id, VerdictState.GONE)

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


def _planned(folder: str, uid: int, block: bytes, decision: Decision) -> Planned:
    subject = header_value(block, "subject")
    return Planned(folder, uid, decode_words(subject) if subject else None,
                   header_value(block, "from"), decision)  # fmt: skip


def _judged(decision: Decision, policy: str, state: VerdictState) -> Rejudged:
    return Rejudged(
        kind=decision.kind, verdict=decision.verdict, reason=decision.reason,
        evidence=decision.evidence, policy=policy, state=state, facts=decision.facts,
    )  # fmt: skip


_WOULD_MOVE = (Outcome.BACKSCATTER, Outcome.UNDECIDED)

# What `rejudge` judges again: messages still in their folder whose verdict the policy made.
_REJUDGED = (
    VerdictState.KEPT,
    VerdictState.MONITORED,
    VerdictState.HELD,
    VerdictState.QUARANTINE_PENDING,
)

# A message in one of these states is the verdict's message wherever it is found in its folder.
_FOLLOWS_ITS_MESSAGE = (
    VerdictState.KEPT,
    VerdictState.MONITORED,
    VerdictState.QUARANTINE_PENDING,
    VerdictState.RESTORED,
    VerdictState.HELD,
)
