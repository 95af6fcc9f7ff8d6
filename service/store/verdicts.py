"""The verdicts table: every message judged, where it is, what it is and why.

A verdict is stored before anything is done about it, and moved on (kept, quarantine pending,
quarantined, restored, gone, held) as the journal closes its moves; `rejudge` and held bounces
replace the judgement in place. `find_verdicts` is a function of a connection, so that the
local API's read-only connection asks the same questions in the same words.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum

from ndrguard.headers import decode_words
from ndrguard.service.store.database import Database, StateError, count_in
from ndrguard.vocabulary import Outcome

# The reason of a verdict the user set by marking a bounce legitimate (never judged again).
MARKED_LEGIT = "marked legitimate by the user"


class VerdictState(StrEnum):
    """Where a judged message stands. Only QUARANTINE_PENDING asks the service to act."""

    KEPT = "kept"  # left in place: legit, not a bounce, or the policy keeps it
    MONITORED = "monitored"  # the monitor policy (or --dry-run) would have moved it
    QUARANTINE_PENDING = "quarantine-pending"  # to be moved; a journal entry may be open
    QUARANTINED = "quarantined"
    RESTORED = "restored"  # moved back by the user; never quarantined again
    GONE = "gone"  # someone else moved or deleted it before the service could
    # Left in place, pending: evidence that could prove it real could not be read (the Sent
    # folder is missing, DNS did not answer); judged again on every pass until it can be.
    HELD = "held"


@dataclass(frozen=True, slots=True)
class VerdictRow:
    id: int
    account: str
    folder: str
    uidvalidity: int
    uid: int
    message_id: str | None
    fingerprint: str
    sender: str | None
    subject: str | None
    kind: str
    verdict: str
    reason: str
    evidence: list[dict[str, object]]
    policy: str
    decided_at: float
    state: VerdictState
    quarantine_folder: str | None
    quarantine_validity: int | None
    quarantine_uid: int | None
    # The bounce's facts as judged (see facts.report_facts); None for verdicts stored before
    # the service kept them, whose message must be read again to learn them.
    facts: dict[str, object] | None = None
    # content_digest of the whole message as judged; None for verdicts stored before.
    digest: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "account": self.account,
            "folder": self.folder,
            "uid": self.uid,
            "message_id": self.message_id,
            "from": self.sender,
            "subject": self.subject,
            "kind": self.kind,
            "verdict": self.verdict,
            "reason": self.reason,
            "evidence": self.evidence,
            "policy": self.policy,
            "decided_at": self.decided_at,
            "state": str(self.state),
            "quarantine_folder": self.quarantine_folder,
            "quarantine_uid": self.quarantine_uid,
        }


@dataclass(frozen=True, slots=True)
class NewVerdict:
    """What the scanner hands over to be remembered about one message."""

    account: str
    folder: str
    uidvalidity: int
    uid: int
    message_id: str | None
    fingerprint: str
    sender: str | None
    subject: str | None
    kind: str
    verdict: str
    reason: str
    evidence: list[dict[str, object]]
    policy: str
    state: VerdictState
    facts: dict[str, object] | None = None
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class Rejudged:
    """A new judgement of a message already judged (held ones, `rejudge` after a policy change)."""

    kind: str
    verdict: str
    reason: str
    evidence: list[dict[str, object]]
    policy: str
    state: VerdictState
    facts: dict[str, object] | None = None


class VerdictTable(Database):
    """The State's verdict methods."""

    def add_verdicts(self, verdicts: Sequence[NewVerdict]) -> list[int]:
        """Remember a batch of verdicts in one transaction (one fsync, not one per message:
        a flood of ten thousand bounces must not wait on the disk ten thousand times)."""
        ids = []
        with self._tx() as db:
            for v in verdicts:
                cur = db.execute(
                    "INSERT INTO verdicts (account, folder, uidvalidity, uid, message_id,"
                    " fingerprint, sender, subject, kind, verdict, reason, evidence, policy,"
                    " decided_at, state, facts, digest)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (v.account, v.folder, v.uidvalidity, v.uid, v.message_id, v.fingerprint,
                     v.sender, v.subject, v.kind, v.verdict, v.reason, json.dumps(v.evidence),
                     v.policy, time.time(), str(v.state),
                     None if v.facts is None else json.dumps(v.facts), v.digest),
                )  # fmt: skip
                count_in(db, v.account, f"verdict:{v.verdict}")
                ids.append(int(cur.lastrowid or 0))
        return ids

    def verdict(self, verdict_id: int) -> VerdictRow | None:
        rows = self.verdicts(ids=[verdict_id], limit=1)
        return rows[0] if rows else None

    def verdicts(
        self,
        account: str | None = None,
        states: Iterable[VerdictState] | None = None,
        since: float = 0.0,
        limit: int = 1000,
        *,
        before: int | None = None,
        ids: Sequence[int] | None = None,
    ) -> list[VerdictRow]:
        """Most recent first; `before` is an id cursor: pass the last id of a page for the
        next (keyset paging, which a flood arriving meanwhile cannot shift)."""
        with self._lock:
            return find_verdicts(
                self._db, account=account, states=states, since=since, limit=limit,
                before=before, ids=ids,
            )  # fmt: skip

    def known(self, account: str, folder: str, uidvalidity: int, uid: int) -> bool:
        """Whether this exact message (by its place) already has a verdict."""
        return bool(self._rows(
            "SELECT 1 FROM verdicts WHERE account=? AND folder=? AND uidvalidity=? AND uid=?",
            (account, folder, uidvalidity, uid),
        ))  # fmt: skip

    def find_by_fingerprint(self, account: str, fingerprint: str) -> VerdictRow | None:
        """The latest verdict on a message with these headers (re-identification)."""
        with self._lock:
            rows = find_verdicts(self._db, account=account, fingerprint=fingerprint, limit=1)
        return rows[0] if rows else None

    def relocate(
        self, verdict_id: int, folder: str, uidvalidity: int, uid: int
    ) -> None:
        """Record a verdict's message at a new place (after a UIDVALIDITY change)."""
        with self._tx() as db:
            db.execute(
                "UPDATE verdicts SET folder=?, uidvalidity=?, uid=? WHERE id=?",
                (folder, uidvalidity, uid, verdict_id),
            )

    def rejudged(self, verdict_id: int, new: Rejudged) -> None:
        """Replace a verdict by a new judgement of the same message, where it now stands."""
        with self._tx() as db:
            db.execute(
                "UPDATE verdicts SET kind=?, verdict=?, reason=?, evidence=?, policy=?, state=?,"
                " facts=?, decided_at=? WHERE id=?",
                (new.kind, new.verdict, new.reason, json.dumps(new.evidence), new.policy,
                 str(new.state), None if new.facts is None else json.dumps(new.facts),
                 time.time(), verdict_id),
            )  # fmt: skip

    def set_verdict_state(self, verdict_id: int, state: VerdictState) -> None:
        with self._tx() as db:
            db.execute("UPDATE verdicts SET state=? WHERE id=?", (str(state), verdict_id))

    def mark_legit(self, verdict_id: int) -> None:
        """The user says this bounce is real: remembered as their decision, counted apart.

        A message not yet moved (pending, or only monitored) is from now on kept where it
        is; one in quarantine stays there until it is moved back (restore), and its verdict
        then follows it, so no later pass judges or moves it again.
        """
        with self._tx() as db:
            row = db.execute("SELECT account FROM verdicts WHERE id=?", (verdict_id,)).fetchone()
            if row is None:
                raise StateError(f"there is no verdict with id {verdict_id}")
            db.execute(
                "UPDATE verdicts SET verdict=?, reason=?, "
                "state=CASE WHEN state IN (?, ?) THEN ? ELSE state END WHERE id=?",
                (str(Outcome.LEGIT), MARKED_LEGIT, str(VerdictState.QUARANTINE_PENDING),
                 str(VerdictState.MONITORED), str(VerdictState.KEPT), verdict_id),
            )  # fmt: skip
            count_in(db, row["account"], "marked-legit")

    def unmark_legit(
        self, verdict_id: int, verdict: str, reason: str, state: str | None = None
    ) -> bool:
        """Undo of mark_legit: the verdict and reason it had before, if the user's word is
        still the last one on it (nobody judged it since); whether it was set back.

        `state` is where the message stood before the mark. Marking kept a message that was
        waiting to be moved (or only monitored) where it is; given back, it waits again, so
        the next pass moves it as if it had never been marked. Moved messages (quarantined,
        restored) keep the state their moves gave them: the undo's own move sees to those.
        """
        if verdict not in (Outcome.BACKSCATTER, Outcome.UNDECIDED):
            raise StateError(
                f"a marked verdict goes back to backscatter or undecided, not {verdict}"
            )
        waiting = (VerdictState.QUARANTINE_PENDING, VerdictState.MONITORED)
        if state is not None and state not in {str(s) for s in VerdictState}:
            raise StateError(f"not a verdict state: {state}")
        back = state if state in waiting else None
        with self._tx() as db:
            cur = db.execute(
                "UPDATE verdicts SET verdict=?, reason=?, "
                "state=CASE WHEN ? IS NOT NULL AND state=? THEN ? ELSE state END "
                "WHERE id=? AND verdict=? AND reason=?",
                (verdict, reason, back, str(VerdictState.KEPT), back, verdict_id,
                 str(Outcome.LEGIT), MARKED_LEGIT),
            )  # fmt: skip
            if cur.rowcount:
                row = db.execute("SELECT account FROM verdicts WHERE id=?", (verdict_id,))
                count_in(db, row.fetchone()["account"], "marked-legit", -1)
            return bool(cur.rowcount)

    def judged_under_other_policy(self, account: str, policy: str) -> int:
        """How many messages still in their folder were judged under another policy than
        `policy` (the account's now): what `rejudge` would judge again after a change."""
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) AS n FROM verdicts WHERE account=? AND policy<>?"
                " AND state IN (?, ?) AND reason<>?",
                (account, policy, str(VerdictState.KEPT), str(VerdictState.MONITORED),
                 MARKED_LEGIT),
            ).fetchone()  # fmt: skip
        return int(row["n"])


def find_verdicts(
    db: sqlite3.Connection,
    *,
    account: str | None = None,
    states: Iterable[str] | None = None,  # VerdictState values, or their names
    verdicts: Iterable[str] | None = None,
    ids: Iterable[int] | None = None,
    fingerprint: str | None = None,
    before: int | None = None,
    after: int | None = None,
    since: float = 0.0,
    until: float | None = None,
    limit: int = 1000,
) -> list[VerdictRow]:
    """Verdicts matching every filter given, newest first; `before`/`after` are id cursors.

    A function of a connection rather than a State method, so that the local API's read-only
    connection (api/queries.py) asks the same questions in the same words; the caller holds
    whatever lock guards `db`.
    """
    sql = f"SELECT {_VERDICT_COLUMNS} FROM verdicts WHERE decided_at >= ?"
    args: list[object] = [since]
    if until is not None:
        sql += " AND decided_at < ?"
        args.append(until)
    for column, value in (("account", account), ("fingerprint", fingerprint)):
        if value is not None:
            sql += f" AND {column}=?"
            args.append(value)
    for column, values in (("state", states), ("verdict", verdicts), ("id", ids)):
        if values is not None:
            wanted = list(values)
            sql += f" AND {column} IN ({','.join('?' * len(wanted))})"
            args += wanted
    for op, cursor in (("<", before), (">", after)):
        if cursor is not None:
            sql += f" AND id {op} ?"
            args.append(cursor)
    sql += " ORDER BY id DESC LIMIT ?"
    args.append(limit)
    cur = db.execute(sql, args)
    cur.row_factory = sqlite3.Row  # by name on any connection (the API's is a plain one)
    return [_verdict(r) for r in cur.fetchall()]


# The columns read are the row's fields, so a field added to one is read from the other.
_VERDICT_COLUMNS = ", ".join(f.name for f in fields(VerdictRow))


def _verdict(r: sqlite3.Row) -> VerdictRow:
    stored = dict(zip(r.keys(), r, strict=True))
    return VerdictRow(
        **{
            **stored,
            # Decoded here, on the way out, so that every reader (CLI, API, tray) shows the
            # words and not =?charset?B?...?=, verdicts stored raw before included.
            "subject": decode_words(r["subject"]) if r["subject"] else r["subject"],
            "evidence": json.loads(r["evidence"]),
            "decided_at": float(r["decided_at"]),
            "state": VerdictState(r["state"]),
            "facts": None if r["facts"] is None else json.loads(r["facts"]),
        }
    )
