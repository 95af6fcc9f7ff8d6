"""The service's memory: one SQLite database (WAL) per NDRGUARD home.

Everything the service must not forget across restarts and crashes lives here: where each folder
was read up to (UIDVALIDITY and last UID), every verdict with its evidence, the move journal, the
Sent-folder Message-ID index and the counters of the summary. WAL lets `ndrguard status` read
while `ndrguard run` writes. Every write is its own transaction, committed before the caller
acts on it: the journal is only a journal if an intent is on disk before the move is made.

The schema carries its version in `PRAGMA user_version`; `MIGRATIONS[n]` takes a database from
version n to n + 1, so an old state file is brought forward on open and never rewritten by hand.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ndrguard.errors import NdrguardError
from ndrguard.headers import decode_words
from ndrguard.vocabulary import Outcome

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: the first schema.
    """
    CREATE TABLE folders (
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        last_uid INTEGER NOT NULL,
        PRIMARY KEY (account, folder)
    );
    CREATE TABLE verdicts (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        message_id TEXT,
        fingerprint TEXT NOT NULL,
        sender TEXT,
        subject TEXT,
        kind TEXT NOT NULL,
        verdict TEXT NOT NULL,
        reason TEXT NOT NULL,
        evidence TEXT NOT NULL,
        policy TEXT NOT NULL,
        decided_at REAL NOT NULL,
        state TEXT NOT NULL,
        quarantine_folder TEXT,
        quarantine_validity INTEGER,
        quarantine_uid INTEGER
    );
    CREATE INDEX verdicts_where ON verdicts (account, folder, uidvalidity, uid);
    CREATE INDEX verdicts_fingerprint ON verdicts (account, fingerprint);
    CREATE INDEX verdicts_state ON verdicts (account, state);
    CREATE TABLE journal (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        verdict_id INTEGER NOT NULL REFERENCES verdicts (id),
        action TEXT NOT NULL,
        src_folder TEXT NOT NULL,
        src_uidvalidity INTEGER NOT NULL,
        src_uid INTEGER NOT NULL,
        dest_folder TEXT NOT NULL,
        dest_uidvalidity INTEGER NOT NULL,
        dest_uidnext INTEGER NOT NULL,
        state TEXT NOT NULL,
        dest_uid INTEGER,
        note TEXT,
        created REAL NOT NULL,
        finished REAL
    );
    CREATE INDEX journal_open ON journal (account, state);
    CREATE TABLE sent_index (
        account TEXT NOT NULL,
        message_id TEXT NOT NULL,
        PRIMARY KEY (account, message_id)
    ) WITHOUT ROWID;
    CREATE TABLE counters (
        account TEXT NOT NULL,
        day TEXT NOT NULL,
        name TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (account, day, name)
    ) WITHOUT ROWID;
    CREATE TABLE maildir_uids (
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        name TEXT NOT NULL,
        uid INTEGER NOT NULL,
        PRIMARY KEY (account, folder, name)
    ) WITHOUT ROWID;
    """,
    # 1 -> 2: Maildir UIDs must never be handed out twice. Taking "highest UID in use + 1"
    # reused the UIDs of messages just moved away, and a newcomer given such a UID sat below
    # the folder's last-seen mark, never to be judged.
    """
    CREATE TABLE maildir_next (
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        next_uid INTEGER NOT NULL,
        PRIMARY KEY (account, folder)
    ) WITHOUT ROWID;
    INSERT INTO maildir_next
        SELECT account, folder, MAX(uid) + 1 FROM maildir_uids GROUP BY account, folder;
    """,
    # 2 -> 3: the user's pause is their word, not the process's mood: it must outlast a
    # restart (a reboot, an upgrade) until they resume.
    """
    CREATE TABLE paused (account TEXT PRIMARY KEY) WITHOUT ROWID;
    """,
    # 3 -> 4: the facts of each bounce (shape, reporting MTA, recipients, the original's
    # subject and recipient, its sending network), stored when it is judged: the summary then
    # never reads the message again, even after it was moved or deleted. Older rows keep NULL.
    """
    ALTER TABLE verdicts ADD COLUMN facts TEXT;
    """,
    # 4 -> 5: a digest of the whole message with each verdict, so that a move finds the very
    # message the verdict names even where its folder was renumbered, renamed or recreated
    # (Message-ID plus digest; the header fingerprint alone repeats across copies of one
    # bounce); and the installation's own facts (its id, which names its claims on a server
    # that another installation shares). Older rows keep NULL and are found by fingerprint.
    """
    ALTER TABLE verdicts ADD COLUMN digest TEXT;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


# The reason of a verdict the user set by marking a bounce legitimate (never judged again).
MARKED_LEGIT = "marked legitimate by the user"


class StateError(NdrguardError, RuntimeError):
    """The state database cannot be used; the message says which file and what to do."""

    title = "State problem"


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


class JournalState(StrEnum):
    INTENT = "intent"  # written before the move; still open after a crash
    DONE = "done"
    UNDONE = "undone"  # checked after a crash: the move had not happened


@dataclass(frozen=True, slots=True)
class FolderMark:
    uidvalidity: int
    last_uid: int


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


class State:
    """The database, shared by the worker threads of one process (one connection, one lock).

    SQLite serialises writers anyway; one lock around one connection is the simplest way to make
    that explicit and keeps a transaction from interleaving with another thread's.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _owner_only(path)
            self._db = sqlite3.connect(
                path, check_same_thread=False, isolation_level=None, timeout=30
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit survives a power cut, which is what a journal promises.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            # Rows read by column name: a column added by a migration cannot shift the others.
            self._db.row_factory = sqlite3.Row
        except (OSError, sqlite3.Error) as err:
            raise StateError(f"cannot open the state database {path}: {err}") from err
        self._lock = threading.RLock()
        self._installation: str | None = None
        self._migrate()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _migrate(self) -> None:
        with self._tx() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StateError(
                    f"{self.path} was written by a newer ndrguard (schema {version}, this one "
                    f"knows {SCHEMA_VERSION}); upgrade ndrguard or use another NDRGUARD_HOME"
                )
            for step in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={step + 1}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, args: Iterable[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    # -- this installation -----------------------------------------------------------------

    def installation_id(self) -> str:
        """This state's own name, made once: it tells this installation's claims on a shared
        server from another's (claims.py). Random, so two homes never pick the same one."""
        with self._tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key='installation'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('installation', ?)", (secrets.token_hex(6),))
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
                "INSERT INTO folders VALUES (?, ?, ?, ?) ON CONFLICT (account, folder) "
                "DO UPDATE SET uidvalidity=excluded.uidvalidity, last_uid=excluded.last_uid",
                (account, folder, mark.uidvalidity, mark.last_uid),
            )

    # -- verdicts --------------------------------------------------------------------------

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
                _count(db, v.account, f"verdict:{v.verdict}")
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
            _count(db, row["account"], "marked-legit")

    def unmark_legit(self, verdict_id: int, verdict: str, reason: str) -> bool:
        """Undo of mark_legit: the verdict and reason it had before, if the user's word is
        still the last one on it (nobody judged it since); whether it was set back."""
        if verdict not in (Outcome.BACKSCATTER, Outcome.UNDECIDED):
            raise StateError(
                f"a marked verdict goes back to backscatter or undecided, not {verdict}"
            )
        with self._tx() as db:
            cur = db.execute(
                "UPDATE verdicts SET verdict=?, reason=? WHERE id=? AND verdict=? AND reason=?",
                (verdict, reason, verdict_id, str(Outcome.LEGIT), MARKED_LEGIT),
            )
            if cur.rowcount:
                row = db.execute("SELECT account FROM verdicts WHERE id=?", (verdict_id,))
                _count(db, row.fetchone()["account"], "marked-legit", -1)
            return bool(cur.rowcount)

    # -- pause -----------------------------------------------------------------------------

    def paused(self) -> set[str]:
        """The accounts the user paused (kept across restarts until they resume)."""
        return {str(r["account"]) for r in self._rows("SELECT account FROM paused")}

    def set_paused(self, accounts: Iterable[str], paused: bool) -> None:
        with self._tx() as db:
            sql = "INSERT OR IGNORE INTO paused VALUES (?)" if paused else (
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
                db.execute("INSERT INTO meta VALUES ('paused_until', ?)", (value,))

    # -- journal ---------------------------------------------------------------------------

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

    # -- Sent index ------------------------------------------------------------------------

    def add_sent(self, account: str, message_ids: Iterable[str]) -> None:
        with self._tx() as db:
            db.executemany(
                "INSERT OR IGNORE INTO sent_index VALUES (?, ?)",
                ((account, mid) for mid in message_ids),
            )

    def is_sent(self, account: str, message_id: str) -> bool:
        return bool(self._rows(
            "SELECT 1 FROM sent_index WHERE account=? AND message_id=?", (account, message_id)
        ))  # fmt: skip

    def sent_count(self, account: str) -> int:
        rows = self._rows("SELECT count(*) AS n FROM sent_index WHERE account=?", (account,))
        return int(rows[0]["n"])

    def clear_sent(self, account: str) -> None:
        """Forget the Sent index (its folder's UIDVALIDITY changed: it is rebuilt)."""
        with self._tx() as db:
            db.execute("DELETE FROM sent_index WHERE account=?", (account,))

    # -- counters --------------------------------------------------------------------------

    def judged_under_other_policy(self, account: str, policy: str) -> int:
        """How many messages still in their folder were judged under another policy than
        `policy` (the account's now): what `rejudge` would judge again after a change."""
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) FROM verdicts WHERE account=? AND policy<>? AND state IN (?, ?)"
                " AND reason<>?",
                (account, policy, str(VerdictState.KEPT), str(VerdictState.MONITORED),
                 MARKED_LEGIT),
            ).fetchone()  # fmt: skip
        return int(row[0])

    def count(self, account: str, name: str, n: int = 1) -> None:
        with self._tx() as db:
            _count(db, account, name, n)

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
                "INSERT OR REPLACE INTO maildir_uids VALUES (?, ?, ?, ?)",
                ((account, folder, n, u) for n, u in names.items()),
            )
            if names:
                db.execute(
                    "INSERT INTO maildir_next VALUES (?, ?, ?) ON CONFLICT (account, folder) "
                    "DO UPDATE SET next_uid = MAX(next_uid, excluded.next_uid)",
                    (account, folder, max(names.values()) + 1),
                )

    def drop_maildir_uids(self, account: str, folder: str, names: Iterable[str]) -> None:
        with self._tx() as db:
            db.executemany(
                "DELETE FROM maildir_uids WHERE account=? AND folder=? AND name=?",
                ((account, folder, n) for n in names),
            )


def _owner_only(path: Path) -> None:
    """The database and its WAL files readable by their owner only, also when an older
    ndrguard (or another umask) made them: they list the user's mail and correspondents."""
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        target = path.with_name(name)
        if not target.exists():
            fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o600) if name == path.name else None
            if fd is not None:
                os.close(fd)
            continue
        if os.name == "posix" and target.stat().st_mode & 0o077:
            target.chmod(0o600)


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
    if c.verdict_state is VerdictState.QUARANTINED:
        db.execute(
            "UPDATE verdicts SET state=?, quarantine_folder=?, quarantine_validity=?,"
            " quarantine_uid=? WHERE id=?",
            (str(c.verdict_state), dest_folder, dest_validity, c.dest_uid, verdict_id),
        )
    elif c.verdict_state is VerdictState.RESTORED:
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
        _count(db, account, "quarantined" if action == "quarantine" else "restored")


def _count(db: sqlite3.Connection, account: str, name: str, n: int = 1) -> None:
    db.execute(
        "INSERT INTO counters VALUES (?, date('now'), ?, ?) ON CONFLICT (account, day, name) "
        "DO UPDATE SET n = n + excluded.n",
        (account, name, n),
    )


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


_VERDICT_COLUMNS = (
    "id, account, folder, uidvalidity, uid, message_id, fingerprint, sender, subject, kind, "
    "verdict, reason, evidence, policy, decided_at, state, quarantine_folder,"
    " quarantine_validity, quarantine_uid, facts, digest"
)
_JOURNAL_COLUMNS = (
    "id, account, verdict_id, action, src_folder, src_uidvalidity, src_uid, dest_folder, "
    "dest_uidvalidity, dest_uidnext, state, dest_uid, note"
)


def _verdict(r: sqlite3.Row) -> VerdictRow:
    return VerdictRow(
        id=r["id"],
        account=r["account"],
        folder=r["folder"],
        uidvalidity=r["uidvalidity"],
        uid=r["uid"],
        message_id=r["message_id"],
        fingerprint=r["fingerprint"],
        sender=r["sender"],
        # Decoded here, on the way out, so that every reader (CLI, API, tray) shows the words
        # and not =?charset?B?...?=, verdicts stored raw before included.
        subject=decode_words(r["subject"]) if r["subject"] else r["subject"],
        kind=r["kind"],
        verdict=r["verdict"],
        reason=r["reason"],
        evidence=json.loads(r["evidence"]),
        policy=r["policy"],
        decided_at=float(r["decided_at"]),
        state=VerdictState(r["state"]),
        quarantine_folder=r["quarantine_folder"],
        quarantine_validity=r["quarantine_validity"],
        quarantine_uid=r["quarantine_uid"],
        facts=None if r["facts"] is None else json.loads(r["facts"]),
        digest=r["digest"],
    )


def _journal(r: sqlite3.Row) -> JournalEntry:
    return JournalEntry(
        id=r["id"],
        account=r["account"],
        verdict_id=r["verdict_id"],
        action=r["action"],
        src_folder=r["src_folder"],
        src_uidvalidity=r["src_uidvalidity"],
        src_uid=r["src_uid"],
        dest_folder=r["dest_folder"],
        dest_uidvalidity=r["dest_uidvalidity"],
        dest_uidnext=r["dest_uidnext"],
        state=JournalState(r["state"]),
        dest_uid=r["dest_uid"],
        note=r["note"],
    )
