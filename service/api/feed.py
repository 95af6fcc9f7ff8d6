"""What subscribers hear: new verdicts, finished moves and status changes, as they happen.

The feed reads the state database rather than hooking into the workers, so it sees every
writer (each worker thread, and an `ndrguard scan` run beside the service) and adds nothing to
a worker's path. It polls cheaply: `PRAGMA data_version` tells whether anyone committed since
the last look; only then are the new rows read. Its ticker is also where the status's
database-held counts are read (`ServiceOperations.tick`), so that `status` never waits for
the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ndrguard.service.api.queries import Queries
from ndrguard.service.api.server import Event
from ndrguard.vocabulary import Outcome


class EventFeed:
    def __init__(
        self,
        queries: Queries,
        snapshot: Callable[[], dict[str, Any]],
        details: Callable[[list[int]], dict[int, dict[str, Any] | None]],
        tick: Callable[[bool], None],
    ) -> None:
        self._queries = queries
        self._snapshot = snapshot
        self._tick = tick
        self._details = details
        self._version = queries.data_version()
        self._last_id = queries.last_verdict_id()
        self._last_move = queries.last_move_time()
        self._last_status: dict[str, Any] | None = None
        self._touched: set[int] = set()
        self._lock = threading.Lock()

    def changed(self, ids: list[int]) -> None:
        """An API operation changed these verdicts (restore, mark legitimate)."""
        with self._lock:
            self._touched.update(ids)

    def poll(self) -> list[Event]:
        events: list[Event] = []
        version = self._queries.data_version()
        with self._lock:
            touched, self._touched = self._touched, set()
        committed = version != self._version
        if committed:
            self._version = version
            fresh = self._queries.verdicts(after=self._last_id, limit=500)
            while fresh:
                fresh.reverse()  # oldest first, as they happened
                self._last_id = int(fresh[-1]["id"])
                self._add_details(fresh)
                events.append(("verdicts", {"items": fresh}))
                fresh = self._queries.verdicts(after=self._last_id, limit=500)
            moved, self._last_move = self._queries.moved_since(self._last_move)
            touched.update(moved)
        if touched:
            events.append(("changed", {"items": self._queries.by_ids(sorted(touched))}))
        self._tick(committed)  # the status's database-held parts, read here, not when asked
        status = self._snapshot()
        if status != self._last_status:
            self._last_status = status
            events.append(("status", status))
        return events

    def _add_details(self, items: list[dict[str, Any]]) -> None:
        """Real bounces kept are told in words ("mail to bob@... failed: no such user"): their
        recipients and the server's words, as stored with each verdict."""
        wanted = [int(i["id"]) for i in items if i["verdict"] == Outcome.LEGIT]
        if not wanted:
            return
        try:
            found = self._details(wanted)
        except Exception:  # a verdict older than its facts, on a mailbox that cannot be read
            found = {}  # now: the event goes out without them
        for item in items:
            item["details"] = found.get(int(item["id"]))
