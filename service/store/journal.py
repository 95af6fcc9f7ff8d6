"""Journalled moves: intent on disk first, then the move, then done; and recovery after a crash.

The rule that keeps mail from being lost or moved twice: an intent naming the message (its
folder, UIDVALIDITY, UID and its verdict, whose header fingerprint identifies it anywhere) and
the destination's UIDNEXT is committed before the server is asked to move anything. After the
move the entry is closed with the new UID. Should the process die in between, the next start
finds the entry still open and looks on the server:

- only in the destination (at or above the recorded UIDNEXT): the move happened; close as done;
- only in the source: it did not; close as undone and leave the verdict pending, so the next
  pass moves it once;
- in both: a COPY-based move stopped after the COPY; the source copy is removed (by UID, only
  that message) to finish the move;
- in neither: someone else moved or deleted it; the verdict says gone.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ndrguard.service.mailboxes.base import ConnectionLost, Mailbox, MailboxError, fingerprint
from ndrguard.service.store import locate
from ndrguard.service.store.state import (
    Closing,
    JournalEntry,
    JournalState,
    State,
    VerdictRow,
    VerdictState,
)

log = logging.getLogger(__name__)

QUARANTINE = locate.QUARANTINE
RESTORE = locate.RESTORE

_AFTER: dict[str, VerdictState] = {
    QUARANTINE: VerdictState.QUARANTINED, RESTORE: VerdictState.RESTORED
}  # fmt: skip
_BEFORE: dict[str, VerdictState] = {
    QUARANTINE: VerdictState.QUARANTINE_PENDING, RESTORE: VerdictState.QUARANTINED
}  # fmt: skip


@dataclass(slots=True)
class MoveResult:
    moved: dict[int, int] = field(default_factory=dict)  # verdict id -> destination UID
    gone: list[int] = field(default_factory=list)  # verdict ids whose message was not there
    refused: dict[int, str] = field(default_factory=dict)  # verdict id -> why it was not tried


def move_journalled(
    state: State,
    mailbox: Mailbox,
    rows: Sequence[VerdictRow],
    dest: str,
    action: str = QUARANTINE,
) -> MoveResult:
    """Move the messages of `rows` to `dest`, journalled, each from where it really is.

    For a restore, each row's source is its quarantine place and `dest` the folder it came
    from. Every place is checked first (locate.py): a message whose folder was renumbered is
    found again by Message-ID and content or not moved at all, never mistaken for another.
    """
    result = MoveResult()
    if not rows:
        return result
    places = locate.resolve(mailbox, rows, action)
    groups: defaultdict[tuple[str, int], list[tuple[VerdictRow, int]]] = defaultdict(list)
    for row in rows:
        place = places[row.id]
        if place is None and action == QUARANTINE:
            state.set_verdict_state(row.id, VerdictState.GONE)
            result.gone.append(row.id)
        elif place is None:
            result.refused[row.id] = locate.NOT_FOUND
        elif action == RESTORE and place.folder == dest:
            result.refused[row.id] = f"it is already in {dest} (moved there by someone else)"
        else:
            groups[(place.folder, place.uidvalidity)].append((row, place.uid))
    for (src_folder, src_validity), items in groups.items():
        _move_group(state, mailbox, items, (src_folder, src_validity), dest, action, result)
    return result


def _move_group(
    state: State,
    mailbox: Mailbox,
    items: Sequence[tuple[VerdictRow, int]],
    src: tuple[str, int],
    dest: str,
    action: str,
    result: MoveResult,
) -> None:
    """The journalled move of messages that share one source folder and UIDVALIDITY."""
    src_folder, src_validity = src
    if action == QUARANTINE:
        items = _claimed(state, mailbox, src_folder, items, result)
        if not items:
            return
    dest_status = mailbox.status(dest)
    entry_ids = state.open_intents_for(
        action,
        [(row.id, (src_folder, src_validity, uid)) for row, uid in items],
        (dest, dest_status.uidvalidity, dest_status.uidnext),
    )
    try:
        moved = mailbox.move(src_folder, [uid for _, uid in items], dest)
    except ConnectionLost:
        raise  # the intents stay open; recovery on reconnect settles them
    except MailboxError:
        # The server refused (quota, missing folder...): what happened is checked, not assumed.
        recover(state, mailbox, [state.journal_entry(eid) for eid in entry_ids])
        raise
    closings = []
    for (row, uid), entry_id in zip(items, entry_ids, strict=True):
        if uid in moved:
            closings.append(Closing(entry_id, JournalState.DONE, _AFTER[action], moved[uid]))
            result.moved[row.id] = moved[uid]
        else:
            closings.append(Closing(entry_id, JournalState.UNDONE, VerdictState.GONE,
                                    note="not in the folder any more"))  # fmt: skip
            result.gone.append(row.id)
    state.close_intents(closings)


def _claimed(
    state: State,
    mailbox: Mailbox,
    folder: str,
    items: Sequence[tuple[VerdictRow, int]],
    result: MoveResult,
) -> list[tuple[VerdictRow, int]]:
    """The items this installation may move (mailboxes/claims.py). One another installation
    claimed is its to move: this verdict says gone. A contested one waits for the next pass."""
    claims = mailbox.claim(folder, [uid for _, uid in items], state.installation_id())
    taken = [(row, uid) for row, uid in items if uid in claims.others]
    for row, uid in taken:
        log.info("verdict %d: UID %d in %s is claimed by another installation", row.id, uid,
                 folder)  # fmt: skip
        state.set_verdict_state(row.id, VerdictState.GONE)
        result.gone.append(row.id)
    return [(row, uid) for row, uid in items if uid in claims.mine]


def restore(state: State, mailbox: Mailbox, ids: Iterable[int]) -> MoveResult:
    """Move the quarantined messages of verdicts `ids` back to the folders they came from.

    The verdicts are read here, by whoever holds the mailbox, not by the caller: one restored
    a moment ago by another request must not be moved again (its old place would be found
    empty and the message called gone).
    """
    result = MoveResult()
    by_dest: defaultdict[str, list[VerdictRow]] = defaultdict(list)
    for verdict_id in ids:
        row = state.verdict(verdict_id)
        if row is None:
            result.refused[verdict_id] = "there is no such message"
        elif row.state is not VerdictState.QUARANTINED or row.quarantine_folder is None:
            result.refused[verdict_id] = f"it is not in quarantine (it is {row.state})"
        else:
            by_dest[row.folder].append(row)
    for dest, rows in by_dest.items():
        done = move_journalled(state, mailbox, rows, dest, RESTORE)
        result.moved.update(done.moved)
        result.gone += done.gone
        result.refused.update(done.refused)
    return result


def requarantine(state: State, mailbox: Mailbox, ids: Iterable[int], folder: str) -> MoveResult:
    """Undo of a restore: the restored messages of verdicts `ids` go back to `folder` (the
    account's quarantine), journalled like any move; others are refused with the reason."""
    result = MoveResult()
    rows = []
    for verdict_id in ids:
        row = state.verdict(verdict_id)
        if row is None:
            result.refused[verdict_id] = "there is no such message"
        elif row.state is not VerdictState.RESTORED:
            result.refused[verdict_id] = f"it is not a restored message (it is {row.state})"
        else:
            rows.append(row)
    done = move_journalled(state, mailbox, rows, folder, QUARANTINE)
    result.moved.update(done.moved)
    result.gone += done.gone
    result.refused.update(done.refused)
    return result


def recover(state: State, mailbox: Mailbox, entries: Sequence[JournalEntry]) -> dict[str, int]:
    """Settle open journal entries against what the server holds; return counts per outcome."""
    outcome = {"done": 0, "undone": 0, "finished": 0, "gone": 0}
    # A batch shares one destination and UIDNEXT: its new arrivals are read once, not per entry.
    arrivals: dict[tuple[str, int], dict[str, int]] = {}
    for entry in entries:
        row = state.verdict(entry.verdict_id)
        if row is None or entry.state is not JournalState.INTENT:
            continue
        key = (entry.dest_folder, entry.dest_uidnext - 1)
        if key not in arrivals:
            arrivals[key] = _fingerprints(mailbox, *key)
        in_dest = arrivals[key].get(row.fingerprint)
        in_src = _in_source(mailbox, entry, row.fingerprint)
        after, before = _AFTER[entry.action], _BEFORE[entry.action]
        if in_dest is not None and in_src:
            mailbox.remove_copied(entry.src_folder, [entry.src_uid], entry.dest_folder)
            state.close_intent(entry.id, JournalState.DONE, after, in_dest, "finished after crash")
            outcome["finished"] += 1
        elif in_dest is not None:
            state.close_intent(entry.id, JournalState.DONE, after, in_dest, "found done")
            outcome["done"] += 1
        elif in_src:
            state.close_intent(entry.id, JournalState.UNDONE, before, note="had not happened")
            outcome["undone"] += 1
        else:
            state.close_intent(entry.id, JournalState.UNDONE, VerdictState.GONE, note="in neither")
            outcome["gone"] += 1
        log.info("journal %d (%s of verdict %d): %s", entry.id, entry.action, row.id, outcome)
    return outcome


def _in_source(mailbox: Mailbox, entry: JournalEntry, wanted: str) -> bool:
    if mailbox.status(entry.src_folder).uidvalidity != entry.src_uidvalidity:
        # The folder was renumbered; its catch-up re-identifies the message by fingerprint.
        return wanted in _fingerprints(mailbox, entry.src_folder, 0)
    heads = mailbox.headers(entry.src_folder, [entry.src_uid])
    return entry.src_uid in heads and fingerprint(heads[entry.src_uid]) == wanted


def _fingerprints(mailbox: Mailbox, folder: str, above: int) -> dict[str, int]:
    """Fingerprint -> lowest UID, for the messages above `above` in `folder`."""
    uids = mailbox.uids(folder, above)
    found: dict[str, int] = {}
    for start in range(0, len(uids), 500):
        heads = mailbox.headers(folder, uids[start : start + 500])
        for uid in sorted(heads):
            found.setdefault(fingerprint(heads[uid]), uid)
    return found
