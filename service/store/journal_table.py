"""The journal table: every move's intent, written and committed before the move, and how it
ended. service/store/journal.py does the moves and the recovery after a crash with it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from enum import StrEnum

from ndrguard.service.store.database import Database, count_in
from ndrguard.service.store.verdicts import VerdictState


class JournalState(StrEnum):
    INTENT = "intent"  # written before the move; still open after a crash
    DONE = "done"
    UNDONE = "undone"  # checked after a crash: the move had not happened


class JournalAction(StrEnum):
    """What a journalled move does."""

    QUARANTINE = "quarantine"
    RESTORE = "restore"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    id: int
    account: str
    verdict_id: int
    action: str  # "quarantine" | "restore"
    src_folder: str
    src_uidvalidity: int
    src_uid: int
    dest_folder: str
    dest_uidvalidity: int
    dest_uidnext: int  # the destination's UIDNEXT before the move: the copy is at or above it
    state: JournalState
    dest_uid: int | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Closing:
    """How one journal entry ends, and where its verdict then stands."""

    entry_id: int
    state: JournalState
    verdict_state: VerdictState
    dest_uid: int | None = None
    note: str | None = None


class JournalTable(Database):
    """The State's journal methods."""

    def open_intents_for(
        self,
        action: str,
        moves: Sequence[tuple[int, tuple[str, int, int]]],
        dest: tuple[str, int, int],
    ) -> list[int]:
        """Write the intents to move each (verdict id, `src`) to `dest`, all in one
        transaction committed on return. `src` is (folder, UIDVALIDITY, UID), `dest` is
        (folder, UIDVALIDITY, UIDNEXT before the move)."""
        ids = []
        with self._tx() as db:
            for verdict_id, src in moves:
                account = db.execute(
                    "SELECT account FROM verdicts WHERE id=?", (verdict_id,)
                ).fetchone()["account"]
                cur = db.execute(
                    "INSERT INTO journal (account, verdict_id, action, src_folder,"
                    " src_uidvalidity, src_uid, dest_folder, dest_uidvalidity, dest_uidnext,"
                    " state, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (account, verdict_id, action, *src, *dest, str(JournalState.INTENT),
                     time.time()),
                )  # fmt: skip
                ids.append(int(cur.lastrowid or 0))
        return ids

    def close_intent(
        self,
        entry_id: int,
        state: JournalState,
        verdict_state: VerdictState,
        dest_uid: int | None = None,
        note: str | None = None,
    ) -> None:
        """Finish a journal entry and move its verdict on, in one transaction."""
        self.close_intents([Closing(entry_id, state, verdict_state, dest_uid, note)])

    def close_intents(self, closings: Sequence[Closing]) -> None:
        """Finish journal entries and move their verdicts on, all in one transaction."""
        with self._tx() as db:
            for c in closings:
                _close(db, c)

    def open_intents(self, account: str) -> list[JournalEntry]:
        rows = self._rows(
            f"SELECT {_JOURNAL_COLUMNS} FROM journal WHERE account=? AND state=? ORDER BY id",
            (account, str(JournalState.INTENT)),
        )
        return [_journal(r) for r in rows]

    def journal_entry(self, entry_id: int) -> JournalEntry:
        rows = self._rows(f"SELECT {_JOURNAL_COLUMNS} FROM journal WHERE id=?", (entry_id,))
        return _journal(rows[0])

    def journal(self, account: str | None = None, limit: int = 100) -> list[JournalEntry]:
        sql = f"SELECT {_JOURNAL_COLUMNS} FROM journal"
        args: list[object] = []
        if account is not None:
            sql += " WHERE account=?"
            args.append(account)
        sql += " ORDER BY id DESC LIMIT ?"
        return [_journal(r) for r in self._rows(sql, [*args, limit])]


def _close(db: sqlite3.Connection, c: Closing) -> None:
    row = db.execute(
        "SELECT verdict_id, action, dest_folder, dest_uidvalidity, account FROM journal WHERE id=?",
        (c.entry_id,),
    ).fetchone()
    db.execute(
        "UPDATE journal SET state=?, dest_uid=?, note=?, finished=? WHERE id=?",
        (str(c.state), c.dest_uid, c.note, time.time(), c.entry_id),
    )
    verdict_id, action, account = row["verdict_id"], row["action"], row["account"]
    dest_folder, dest_validity = row["dest_folder"], row["dest_uidvalidity"]
    # Only a move that happened changes the verdict's place: an undone restore leaves the
    # message in the quarantine, where the verdict already says it is (taking the restore's
    # destination for its quarantine place, with no UID, made every later restore of it fail).
    moved = c.state is JournalState.DONE
    if moved and c.verdict_state is VerdictState.QUARANTINED:
        db.execute(
            "UPDATE verdicts SET state=?, quarantine_folder=?, quarantine_validity=?,"
            " quarantine_uid=? WHERE id=?",
            (str(c.verdict_state), dest_folder, dest_validity, c.dest_uid, verdict_id),
        )
    elif moved and c.verdict_state is VerdictState.RESTORED:
        # Back where it came from, under a new UID: the verdict follows it there so that the
        # next catch-up knows it and never quarantines it again.
        db.execute(
            "UPDATE verdicts SET state=?, folder=?, uidvalidity=?, uid=?,"
            " quarantine_folder=NULL, quarantine_validity=NULL, quarantine_uid=NULL"
            " WHERE id=?",
            (str(c.verdict_state), dest_folder, dest_validity, c.dest_uid, verdict_id),
        )
    else:
        db.execute("UPDATE verdicts SET state=? WHERE id=?", (str(c.verdict_state), verdict_id))
    if c.state is JournalState.DONE:
        count_in(db, account, "quarantined" if action == JournalAction.QUARANTINE else "restored")


# The columns read are the entry's fields, so a field added to one is read from the other.
_JOURNAL_COLUMNS = ", ".join(f.name for f in fields(JournalEntry))


def _journal(r: sqlite3.Row) -> JournalEntry:
    stored = dict(zip(r.keys(), r, strict=True))
    return JournalEntry(**{**stored, "state": JournalState(r["state"])})
