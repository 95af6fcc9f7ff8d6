"""The Sent index table: the Message-IDs of the user's Sent folder, per account.

A bounce whose returned original carries one of them is real (ndrguard/evidence/sent.py); the
engine reads the Sent folder into this table (service/engine/sent_folder.py) and hands the core
a view of it (service/engine/deciding.py StateSentIndex).
"""

from __future__ import annotations

from collections.abc import Iterable

from ndrguard.service.store.database import Database


class SentIndexTable(Database):
    """The State's Sent index methods."""

    def add_sent(self, account: str, message_ids: Iterable[str]) -> None:
        with self._tx() as db:
            db.executemany(
                "INSERT OR IGNORE INTO sent_index (account, message_id) VALUES (?, ?)",
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
