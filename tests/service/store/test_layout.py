"""The store's layout (issue 8): the state split by what it holds, rows read and written by name.

A row read by position breaks silently the day a migration adds a column, and an INSERT without
its column list writes the wrong values into the right table. These read the store's source
for either, and check that `State` is made of the tables in the modules named for them.
"""

from __future__ import annotations

import re
from pathlib import Path

from ndrguard.service.store import journal_table, sent_index, verdicts
from ndrguard.service.store.state import State

STORE = Path(__file__).resolve().parents[3] / "service" / "store"
# INSERT [OR IGNORE|REPLACE] INTO table VALUES: no column list between the name and VALUES.
_UNNAMED_INSERT = re.compile(r"INSERT(?:\s+OR\s+\w+)?\s+INTO\s+\w+\s+VALUES", re.IGNORECASE)
# row[0], fetchone()[1], ...: a column taken by its position.
_BY_POSITION = re.compile(r"(?:\brow|\br|fetchone\(\))\[\d+\]")


def _sources() -> list[Path]:
    files = sorted(STORE.glob("*.py"))
    assert len(files) >= 6, files
    return files


def test_every_insert_names_its_columns() -> None:
    found = [f"{p.name}:{n}: {line.strip()}" for p in _sources()
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if _UNNAMED_INSERT.search(line)]  # fmt: skip
    assert not found, "INSERT without its column list:\n" + "\n".join(found)


def test_no_row_is_read_by_position() -> None:
    found = [f"{p.name}:{n}: {line.strip()}" for p in _sources()
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if _BY_POSITION.search(line)]  # fmt: skip
    assert not found, "a column read by position:\n" + "\n".join(found)


def test_the_rules_see_what_they_are_for() -> None:
    assert _UNNAMED_INSERT.search('"INSERT OR IGNORE INTO paused VALUES (?)"')
    assert not _UNNAMED_INSERT.search('"INSERT INTO paused (account) VALUES (?)"')
    assert _BY_POSITION.search("version = db.execute(sql).fetchone()[0]")
    assert not _BY_POSITION.search('int(row["n"])')


def test_the_state_is_made_of_the_tables_named_for_what_they_hold() -> None:
    assert issubclass(State, verdicts.VerdictTable)
    assert issubclass(State, journal_table.JournalTable)
    assert issubclass(State, sent_index.SentIndexTable)
    homes = {
        "add_verdicts": verdicts, "mark_legit": verdicts, "find_by_fingerprint": verdicts,
        "open_intents_for": journal_table, "close_intents": journal_table,
        "add_sent": sent_index, "is_sent": sent_index,
    }  # fmt: skip
    for method, module in homes.items():
        assert getattr(State, method).__module__ == module.__name__, method
