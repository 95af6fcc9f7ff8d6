"""The state database itself: one SQLite file (WAL) per NDRGUARD home, its schema and its
migrations, one connection shared under one lock, and transactions.

The tables are read and written by the modules named for what they hold (verdicts.py,
journal_table.py, sent_index.py); state.State puts them together. Rows are always read by
column name (sqlite3.Row) and written with the columns named, so that a column added by a
migration can never shift another.

The schema carries its version in `PRAGMA user_version`; `MIGRATIONS[n]` takes a database from
version n to n + 1, so an old state file is brought forward on open and never rewritten by hand.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ndrguard.errors import NdrguardError

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


class StateError(NdrguardError, RuntimeError):
    """The state database cannot be used; the message says which file and what to do."""

    title = "State problem"


class Database:
    """The connection, shared by the worker threads of one process (one connection, one lock).

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
            version = db.execute("PRAGMA user_version").fetchone()["user_version"]
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


def count_in(db: sqlite3.Connection, account: str, name: str, n: int = 1) -> None:
    """Add `n` to today's counter `name` of `account`, inside the caller's transaction."""
    db.execute(
        "INSERT INTO counters (account, day, name, n) VALUES (?, date('now'), ?, ?)"
        " ON CONFLICT (account, day, name) DO UPDATE SET n = n + excluded.n",
        (account, name, n),
    )
