"""The state database: schema versions, the journal's bookkeeping, counters."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from ndrguard.service.store.state import (
    MIGRATIONS,
    SCHEMA_VERSION,
    FolderMark,
    JournalState,
    NewVerdict,
    State,
    StateError,
    VerdictState,
)


def new_verdict(uid: int = 7) -> NewVerdict:
    return NewVerdict(
        account="a", folder="INBOX", uidvalidity=1, uid=uid, message_id="<m@x>",
        fingerprint=f"fp{uid}", sender="MAILER-DAEMON@x", subject="Undelivered", kind="failure",
        verdict="backscatter", reason="r", evidence=[], policy="batv",
        state=VerdictState.QUARANTINE_PENDING,
    )  # fmt: skip


def verdict(state: State, uid: int = 7) -> int:
    (vid,) = state.add_verdicts([new_verdict(uid)])
    return vid


def test_new_database_is_at_the_current_schema_in_wal_mode(tmp_path: Path) -> None:
    State(tmp_path / "s.sqlite").close()
    db = sqlite3.connect(tmp_path / "s.sqlite")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_newer_database_is_refused_not_damaged(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "s.sqlite")
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StateError, match="newer ndrguard"):
        State(tmp_path / "s.sqlite")


def test_journal_intent_then_done_moves_the_verdict(tmp_path: Path) -> None:
    state = State(tmp_path / "s.sqlite")
    vid = verdict(state)
    (entry,) = state.open_intents_for(
        "quarantine", [(vid, ("INBOX", 1, 7))], ("Backscatter", 5, 10)
    )
    assert [e.id for e in state.open_intents("a")] == [entry]
    state.close_intent(entry, JournalState.DONE, VerdictState.QUARANTINED, 12)
    row = state.verdict(vid)
    assert row is not None and row.state is VerdictState.QUARANTINED
    assert (row.quarantine_folder, row.quarantine_validity, row.quarantine_uid) == (
        "Backscatter", 5, 12)
    assert state.open_intents("a") == []
    assert state.counters("a")["quarantined"] == 1


def test_an_undone_restore_leaves_the_verdict_where_the_message_still_is(tmp_path: Path) -> None:
    """A restore cut short before it happened (the service killed between intent and move):
    the message is still in the quarantine, and so must its verdict say, UID included, or the
    next restore asks the server for UID 0."""
    state = State(tmp_path / "s.sqlite")
    vid = verdict(state)
    (q,) = state.open_intents_for("quarantine", [(vid, ("INBOX", 1, 7))], ("Backscatter", 5, 10))
    state.close_intent(q, JournalState.DONE, VerdictState.QUARANTINED, 12)
    (r,) = state.open_intents_for("restore", [(vid, ("Backscatter", 5, 12))], ("INBOX", 1, 30))
    state.close_intent(r, JournalState.UNDONE, VerdictState.QUARANTINED, note="had not happened")
    row = state.verdict(vid)
    assert row is not None and row.state is VerdictState.QUARANTINED
    assert (row.quarantine_folder, row.quarantine_validity, row.quarantine_uid) == (
        "Backscatter", 5, 12)
    assert (row.folder, row.uidvalidity, row.uid) == ("INBOX", 1, 7)
    assert state.counters("a").get("restored") is None


def test_folder_marks_and_sent_index(tmp_path: Path) -> None:
    state = State(tmp_path / "s.sqlite")
    state.set_folder_mark("a", "INBOX", FolderMark(3, 40))
    assert state.folder_mark("a", "INBOX") == FolderMark(3, 40)
    state.add_sent("a", ["x@y", "x@y", "z@y"])
    assert state.sent_count("a") == 2 and state.is_sent("a", "z@y")


def test_maildir_uids_are_never_handed_out_twice(tmp_path) -> None:
    """A message moved away must not free its UID: a newcomer given it would sit below the
    folder's last-seen mark and never be judged (found by the demo's burst)."""
    from ndrguard.service.store.state import State

    state = State(tmp_path / "state.sqlite")
    try:
        state.add_maildir_uids("a", "INBOX", {"m1": 1, "m2": 2, "m3": 3})
        state.drop_maildir_uids("a", "INBOX", ["m2", "m3"])
        assert state.maildir_next_uid("a", "INBOX") == 4
        assert state.maildir_next_uid("a", "Other") == 1
    finally:
        state.close()


def test_a_version_2_database_is_brought_forward_and_its_rows_keep_no_facts(tmp_path) -> None:
    # A state file as the service left it before pauses and facts were kept (schema 2).
    db = sqlite3.connect(tmp_path / "s.sqlite")
    for step in MIGRATIONS[:2]:
        db.executescript(step)
    db.execute("PRAGMA user_version=2")
    db.execute(
        "INSERT INTO verdicts (account, folder, uidvalidity, uid, fingerprint, kind, verdict,"
        " reason, evidence, policy, decided_at, state) VALUES"
        " ('a', 'INBOX', 1, 3, 'old', 'failure', 'legit', 'r', '[]', 'batv', 0, 'kept')"
    )
    db.commit()
    db.close()
    state = State(tmp_path / "s.sqlite")
    (old,) = state.verdicts("a")
    assert old.facts is None and state.paused() == set()
    state.set_paused(["a"], True)
    (vid,) = state.add_verdicts([replace(new_verdict(4), facts={"shape": "full"})])
    assert state.verdict(vid).facts == {"shape": "full"}  # type: ignore[union-attr]
    state.close()
    again = State(tmp_path / "s.sqlite")
    assert again.paused() == {"a"}
    again.close()


def test_verdict_pages_by_id_cursor(tmp_path: Path) -> None:
    state = State(tmp_path / "s.sqlite")
    ids = [verdict(state, uid) for uid in range(1, 8)]
    first = state.verdicts("a", limit=3)
    second = state.verdicts("a", limit=3, before=first[-1].id)
    rest = state.verdicts("a", limit=3, before=second[-1].id)
    assert [r.id for r in first + second + rest] == sorted(ids, reverse=True)


def test_subjects_stored_as_the_mail_wrote_them_are_read_decoded(tmp_path: Path) -> None:
    """`ndrguard summary`, the API and the tray all read verdicts here: none shows
    =?charset?...?= to the user, whatever the scanner stored (older rows included)."""
    state = State(tmp_path / "s.sqlite")
    raw = "=?iso-2022-jp?B?GyRCJDMkcyRLJEEkTxsoQg==?= =?utf-8?Q?R=C3=BCckmeldung?="
    (vid,) = state.add_verdicts([replace(new_verdict(3), subject=raw)])
    row = state.verdict(vid)
    assert row is not None and row.subject == "こんにちはRückmeldung"
    assert row.to_json()["subject"] == "こんにちはRückmeldung"
    broken = "=?utf-8?B?not base64!?="
    (vid2,) = state.add_verdicts([replace(new_verdict(4), subject=broken)])
    again = state.verdict(vid2)
    assert again is not None and again.subject == broken  # left as written, never raised


@pytest.mark.parametrize("before", [VerdictState.QUARANTINE_PENDING, VerdictState.MONITORED])
def test_undoing_a_mark_gives_a_waiting_message_its_state_back(tmp_path: Path, before) -> None:
    state = State(tmp_path / "s.sqlite")
    (vid,) = state.add_verdicts([replace(new_verdict(), state=before)])
    state.mark_legit(vid)
    marked = state.verdict(vid)
    assert marked is not None and marked.state is VerdictState.KEPT  # kept where it is
    assert state.unmark_legit(vid, "backscatter", "r", str(before))
    back = state.verdict(vid)
    assert back is not None and (back.verdict, back.state) == ("backscatter", before)


def test_undoing_a_mark_leaves_a_moved_message_to_its_moves(tmp_path: Path) -> None:
    state = State(tmp_path / "s.sqlite")
    (vid,) = state.add_verdicts([replace(new_verdict(), state=VerdictState.RESTORED)])
    state.mark_legit(vid)
    # A client cannot make a restored message look waiting (and so moved by the next pass):
    # only the undo's journalled move puts it back.
    assert state.unmark_legit(vid, "backscatter", "r", str(VerdictState.QUARANTINE_PENDING))
    back = state.verdict(vid)
    assert back is not None and back.state is VerdictState.RESTORED
    with pytest.raises(StateError, match="not a verdict state"):
        state.unmark_legit(vid, "backscatter", "r", "elsewhere")
