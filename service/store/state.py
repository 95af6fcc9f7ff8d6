"""The service's memory: one SQLite database (WAL) per NDRGUARD home, as one `State`.

Everything the service must not forget across restarts and crashes lives here: where each folder
was read up to (UIDVALIDITY and last UID), every verdict with its evidence, the move journal, the
Sent-folder Message-ID index and the counters of the summary. WAL lets `ndrguard status` read
while `ndrguard run` writes. Every write is its own transaction, committed before the caller
acts on it: the journal is only a journal if an intent is on disk before the move is made.

The tables live in the modules named for what they hold: verdicts.py (every judgement),
journal_table.py (the move journal's rows; journal.py does the moves), sent_index.py (the Sent
folder's Message-IDs) and database.py (the connection, the schema and its migrations). `State`
puts them together with what is left here: this installation's id, each folder's read mark,
the pauses, the counters and the Maildir UIDs. Rows are read by column name and written with
the columns named. Callers import the row types from here, as before the split.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from ndrguard.service.store.database import (
    MIGRATIONS,
    SCHEMA_VERSION,
    StateError,
    count_in,
)
from ndrguard.service.store.journal_table import (
    Closing,
    JournalAction,
    JournalEntry,
    JournalState,
    JournalTable,
)
from ndrguard.service.store.sent_index import SentIndexTable
from ndrguard.service.store.verdicts import (
    MARKED_LEGIT,
    NewVerdict,
    Rejudged,
    VerdictRow,
    VerdictState,
    VerdictTable,
    find_verdicts,
)

# The names callers import from here: the State and the row types of each table.
__all__ = [
    "MARKED_LEGIT", "MIGRATIONS", "SCHEMA_VERSION", "Closing", "FolderMark", "JournalAction",
    "JournalEntry", "JournalState", "NewVerdict", "Rejudged", "State", "StateError",
    "VerdictRow", "VerdictState", "find_verdicts",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class FolderMark:
    uidvalidity: int
    last_uid: int


class State(VerdictTable, JournalTable, SentIndexTable):
    """The service's memory: the verdicts, the journal and the Sent index (each in the module
    named for it), and here what is left: this installation's id, each folder's read mark, the
    user's pauses, the counters of the summary and the Maildir backend's UIDs."""

    # -- this installation -----------------------------------------------------------------

    def installation_id(self) -> str:
        """This state's own name, made once: it tells this installation's claims on a shared
        server from another's (claims.py). Random, so two homes never pick the same one."""
        with self._tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key='installation'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta (key, value) VALUES ('installation', ?)",
                           (secrets.token_hex(6),))  # fmt: skip
                row = db.execute("SELECT value FROM meta WHERE key='installation'").fetchone()
            self._installation = str(row["value"])
        return self._installation

    # -- folders ---------------------------------------------------------------------------

    def folder_mark(self, account: str, folder: str) -> FolderMark | None:
        rows = self._rows(
            "SELECT uidvalidity, last_uid FROM folders WHERE account=? AND folder=?",
            (account, folder),
        )
        return FolderMark(int(rows[0]["uidvalidity"]), int(rows[0]["last_uid"])) if rows else None

    def set_folder_mark(self, account: str, folder: str, mark: FolderMark) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO folders (account, folder, uidvalidity, last_uid) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (account, folder) "
                "DO UPDATE SET uidvalidity=excluded.uidvalidity, last_uid=excluded.last_uid",
                (account, folder, mark.uidvalidity, mark.last_uid),
            )

    # -- pause -----------------------------------------------------------------------------

    def paused(self) -> set[str]:
        """The accounts the user paused (kept across restarts until they resume)."""
        return {str(r["account"]) for r in self._rows("SELECT account FROM paused")}

    def set_paused(self, accounts: Iterable[str], paused: bool) -> None:
        with self._tx() as db:
            sql = "INSERT OR IGNORE INTO paused (account) VALUES (?)" if paused else (
                "DELETE FROM paused WHERE account=?"
            )  # fmt: skip
            db.executemany(sql, ((a,) for a in accounts))

    def paused_until(self) -> str | None:
        """When a pause for a while ends, as the API stored it (JSON), kept across restarts."""
        rows = self._rows("SELECT value FROM meta WHERE key='paused_until'")
        return str(rows[0]["value"]) if rows else None

    def set_paused_until(self, value: str | None) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM meta WHERE key='paused_until'")
            if value is not None:
                db.execute("INSERT INTO meta (key, value) VALUES ('paused_until', ?)", (value,))

    # -- counters --------------------------------------------------------------------------
    def count(self, account: str, name: str, n: int = 1) -> None:
        with self._tx() as db:
            count_in(db, account, name, n)

    def counters(self, account: str | None = None, since_day: str = "") -> dict[str, int]:
        sql = "SELECT name, sum(n) AS n FROM counters WHERE day >= ?"
        args: list[object] = [since_day]
        if account is not None:
            sql += " AND account=?"
            args.append(account)
        return {str(r["name"]): int(r["n"]) for r in self._rows(sql + " GROUP BY name", args)}

    # -- Maildir UIDs (the Maildir backend's own numbering) --------------------------------

    def maildir_uids(self, account: str, folder: str) -> dict[str, int]:
        rows = self._rows(
            "SELECT name, uid FROM maildir_uids WHERE account=? AND folder=?", (account, folder)
        )
        return {str(r["name"]): int(r["uid"]) for r in rows}

    def maildir_next_uid(self, account: str, folder: str) -> int:
        """The next UID to hand out in a Maildir folder: only ever grows."""
        rows = self._rows(
            "SELECT next_uid FROM maildir_next WHERE account=? AND folder=?", (account, folder)
        )
        return int(rows[0]["next_uid"]) if rows else 1

    def add_maildir_uids(self, account: str, folder: str, names: dict[str, int]) -> None:
        with self._tx() as db:
            db.executemany(
                "INSERT OR REPLACE INTO maildir_uids (account, folder, name, uid)"
                " VALUES (?, ?, ?, ?)",
                ((account, folder, n, u) for n, u in names.items()),
            )
            if names:
                db.execute(
                    "INSERT INTO maildir_next (account, folder, next_uid) VALUES (?, ?, ?)"
                    " ON CONFLICT (account, folder) "
                    "DO UPDATE SET next_uid = MAX(next_uid, excluded.next_uid)",
                    (account, folder, max(names.values()) + 1),
                )

    def drop_maildir_uids(self, account: str, folder: str, names: Iterable[str]) -> None:
        with self._tx() as db:
            db.executemany(
                "DELETE FROM maildir_uids WHERE account=? AND folder=? AND name=?",
                ((account, folder, n) for n in names),
            )
