"""Finding the very message a verdict names before it is moved.

A verdict remembers a place: folder, UIDVALIDITY, UID. That place names the message only while
the folder keeps its UIDVALIDITY. A user who renames or deletes the quarantine folder, a server
restored from backup, a folder recreated by the service itself: each renumbers, and UID 6 then
names some other message. Moving by the stored UID alone once restored the wrong bounce and
marked the asked-for one restored. So every move first checks the place:

- the folder still has the stored UIDVALIDITY and the header fingerprint at the UID is the
  verdict's: that is the message (one header fetch per batch);
- otherwise the message is looked for by its Message-ID (IMAP SEARCH HEADER, the server's own
  index) in the stored folder and, for a restore, in every other folder (the user's renamed
  quarantine); a hit counts only if its header fingerprint and, where the verdict has one, the
  digest of its whole content match. Without a Message-ID only the stored folder is read
  header by header (a scan of every folder of a large account per click would take minutes).

What is not found is said so, and nothing is moved in its name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ndrguard.service.mailboxes.base import (
    FolderMissing,
    Mailbox,
    content_digest,
    fingerprint,
)
from ndrguard.service.store.state import JournalAction, State, VerdictRow

QUARANTINE = JournalAction.QUARANTINE
RESTORE = JournalAction.RESTORE

NOT_FOUND = (
    "the message cannot be found: its folder was renumbered, renamed or deleted, and no "
    "folder holds a message with its Message-ID and content; nothing was moved"
)


@dataclass(frozen=True, slots=True)
class Place:
    folder: str
    uidvalidity: int
    uid: int


def stored_place(row: VerdictRow, action: str) -> Place | None:
    """Where the verdict says its message is, for `action` (restore: its quarantine place)."""
    if action == QUARANTINE:
        return Place(row.folder, row.uidvalidity, row.uid)
    if row.quarantine_folder is None or row.quarantine_validity is None:
        return None
    return Place(row.quarantine_folder, row.quarantine_validity, row.quarantine_uid or 0)


def resolve(
    mailbox: Mailbox, rows: Sequence[VerdictRow], action: str
) -> dict[int, Place | None]:
    """Verdict id -> where its message is now, or None when it cannot be found."""
    found: dict[int, Place | None] = {}
    by_place: defaultdict[tuple[str, int], list[tuple[VerdictRow, Place]]] = defaultdict(list)
    for row in rows:
        place = stored_place(row, action)
        if place is None:
            found[row.id] = None
        else:
            by_place[(place.folder, place.uidvalidity)].append((row, place))
    for (folder, validity), items in by_place.items():
        try:
            current = mailbox.status(folder).uidvalidity
        except FolderMissing:
            current = None
        # UID 0 names no message: a place whose UID was never learnt (a copy the server did
        # not number, or a row an older version damaged) is found by its Message-ID instead.
        known = [p.uid for _, p in items if p.uid > 0]
        heads = mailbox.headers(folder, known) if current == validity and known else {}
        for row, place in items:
            head = heads.get(place.uid)
            if head is not None and fingerprint(head) == row.fingerprint:
                found[row.id] = place
            else:
                found[row.id] = search(mailbox, row, folder, everywhere=action == RESTORE)
    return found


def search(mailbox: Mailbox, row: VerdictRow, first: str, *, everywhere: bool) -> Place | None:
    """The message of `row` looked for in `first`, then (`everywhere`) in every folder."""
    folders = [first]
    if everywhere and row.message_id:
        folders += [f for f in mailbox.folders() if f != first]
    for folder in folders:
        try:
            validity = mailbox.status(folder).uidvalidity
        except FolderMissing:
            continue
        if row.message_id:
            uids = mailbox.search_header(folder, "Message-ID", row.message_id.strip().strip("<>"))
        else:
            uids = mailbox.uids(folder)
        uid = _matching(mailbox, row, folder, uids)
        if uid is not None:
            return Place(folder, validity, uid)
    return None


def _matching(mailbox: Mailbox, row: VerdictRow, folder: str, uids: Sequence[int]) -> int | None:
    """The lowest of `uids` whose fingerprint (and digest, where known) are the verdict's."""
    same_head = []
    for start in range(0, len(uids), 500):
        heads = mailbox.headers(folder, uids[start : start + 500])
        same_head += [u for u, h in heads.items() if fingerprint(h) == row.fingerprint]
    for uid in sorted(same_head):
        if row.digest is None:
            return uid
        raw = mailbox.fetch(folder, [uid]).get(uid)
        if raw is not None and content_digest(raw) == row.digest:
            return uid
    return None


def follow(
    state: State, mailbox: Mailbox, rows: Sequence[VerdictRow], folder: str, validity: int
) -> list[VerdictRow]:
    """`rows` (verdicts in `folder`) at their messages' places now, its UIDVALIDITY being
    `validity`: those of an older numbering looked for by Message-ID and content and, when
    found where no other verdict stands, recorded at the new place; the rest left out.

    For judging again (`rejudge`, held bounces) before any catch-up pass has re-identified a
    renumbered folder: without it their stored UIDs name nothing, or other messages.
    """
    current = [r for r in rows if r.uidvalidity == validity]
    stale = [r for r in rows if r.uidvalidity != validity]
    if not stale:
        return current
    for row in stale:
        place = search(mailbox, row, folder, everywhere=False)
        if place is None or place.uidvalidity != validity:
            continue
        if state.known(row.account, folder, validity, place.uid):
            continue  # judged afresh under the new numbering already: that verdict stands
        state.relocate(row.id, folder, validity, place.uid)
        current.append(replace(row, uidvalidity=validity, uid=place.uid))
    return current
