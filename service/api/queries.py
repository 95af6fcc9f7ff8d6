"""Read-only questions the API asks of the state database, on a connection of its own.

The service's `State` owns the one writing connection; the API reads through this separate,
read-only one, so that a long summary query never waits on (or holds up) a worker's write,
and so that `PRAGMA data_version` tells the event feed when anyone else committed (a worker,
or an `ndrguard scan` in another process).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ndrguard.service.store.state import VerdictRow, find_verdicts

PAGE_MAX = 500


class Queries:
    def __init__(self, db_path: Path) -> None:
        self._db = sqlite3.connect(
            f"file:{db_path}?mode=ro", uri=True, check_same_thread=False, timeout=30
        )
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _rows(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def data_version(self) -> int:
        """Changes whenever another connection commits (SQLite's own change counter)."""
        return int(self._rows("PRAGMA data_version")[0][0])

    def verdicts(
        self,
        *,
        account: str | None = None,
        states: Sequence[str] | None = None,
        verdicts: Sequence[str] | None = None,
        before: int | None = None,
        after: int | None = None,
        since: float = 0.0,
        until: float | None = None,
        search: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """A page of verdicts, newest first; `before`/`after` are id cursors (keyset paging).

        `search` keeps those whose subject, sender, reason, or returned original (subject,
        recipients) holds the words, case aside, as decoded text: subjects are stored as the
        mail wrote them (RFC 2047 words and all), so SQL's LIKE could not find "Rechnung" in
        `=?utf-8?B?...?=`. The rows are read a page at a time until the page is full.
        """
        limit = max(1, min(limit, PAGE_MAX))
        words = (search or "").casefold().split()
        found: list[dict[str, Any]] = []
        cursor = before
        while len(found) < limit:
            with self._lock:
                rows = find_verdicts(
                    self._db, account=account, states=states or None,
                    verdicts=verdicts or None, before=cursor, after=after, since=since,
                    until=until, limit=PAGE_MAX if words else limit,
                )  # fmt: skip
            for row in rows:
                if not words or _matches(row, words):
                    found.append(row.to_json())
                    if len(found) == limit:
                        break
            if not words or len(rows) < PAGE_MAX:
                break
            cursor = rows[-1].id
        return found

    def by_ids(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        if not ids:
            return []
        with self._lock:
            return [r.to_json() for r in find_verdicts(self._db, ids=ids, limit=len(ids))]

    def last_verdict_id(self) -> int:
        return int(self._rows("SELECT coalesce(max(id), 0) FROM verdicts")[0][0])

    def moved_since(self, since: float) -> tuple[list[int], float]:
        """Verdict ids whose move (quarantine or restore) finished after `since`, and the
        latest finish time seen (the next call's `since`)."""
        rows = self._rows(
            "SELECT verdict_id, finished FROM journal WHERE finished > ? ORDER BY finished",
            (since,),
        )
        latest = max((float(r[1]) for r in rows), default=since)
        return sorted({int(r[0]) for r in rows}), latest

    def last_move_time(self) -> float:
        return float(self._rows("SELECT coalesce(max(finished), 0) FROM journal")[0][0])

    def per_day(self, days: int, account: str | None = None) -> list[dict[str, Any]]:
        """Counters per day for the last `days` days, oldest first, every day present."""
        first = time.strftime("%Y-%m-%d", time.gmtime(time.time() - (days - 1) * 86400))
        sql = "SELECT day, name, sum(n) FROM counters WHERE day >= ?"
        args: list[object] = [first]
        if account is not None:
            sql += " AND account=?"
            args.append(account)
        found: dict[str, dict[str, int]] = {}
        for day, name, n in self._rows(sql + " GROUP BY day, name", args):
            found.setdefault(str(day), {})[str(name)] = int(n)
        out = []
        for i in range(days):
            day = time.strftime("%Y-%m-%d", time.gmtime(time.time() - (days - 1 - i) * 86400))
            out.append({"day": day, "counts": found.get(day, {})})
        return out

    def undecided_recent(self, since: float) -> int:
        """Undecided bounces the user has not dealt with (not restored, not marked legit)."""
        return int(
            self._rows(
                "SELECT count(*) FROM verdicts WHERE verdict='undecided' AND decided_at >= ? "
                "AND state NOT IN ('restored', 'gone')",
                (since,),
            )[0][0]
        )


def _matches(row: VerdictRow, words: list[str]) -> bool:
    """Every word somewhere in what the summary shows of the row."""
    facts: dict[str, Any] = dict(row.facts or {})
    original = facts.get("original")
    recipients = facts.get("recipients")
    parts: list[object] = [row.subject, row.sender, row.reason, row.account]
    parts.append(facts.get("reporting_mta"))
    if isinstance(original, dict):
        parts += [original.get("subject"), original.get("to"), original.get("from")]
    if isinstance(recipients, list):
        parts += [r.get("address") for r in recipients if isinstance(r, dict)]
    text = " ".join(str(p) for p in parts if p).casefold()
    return all(w in text for w in words)
