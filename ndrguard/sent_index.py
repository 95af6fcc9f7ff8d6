"""The user's Sent folder, reduced to the one question evidence asks of it.

A bounce whose returned original carries a Message-ID the user really sent is a real bounce:
a spammer forging the user's address cannot know those IDs. The service builds the index from
the Sent folder (and keeps it in SQLite); the core only asks `message_id in sent`.

Message-IDs are compared as written apart from white space and angle brackets: RFC 5322 makes
the local part (left of "@") case-sensitive, and mail software that rewrites the case of a
domain in a Message-ID is rare enough that guessing would cost more than it saves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable


@runtime_checkable
class SentIndex(Protocol):
    """Anything that can say whether a Message-ID is in the user's Sent folder.

    Evidence hands in Message-IDs as the mail wrote them, brackets and all; an implementation
    compares them through `normalise_message_id` so that `<a@b>` and `a@b` are the same ID.
    """

    def __contains__(self, message_id: str) -> bool: ...


def normalise_message_id(message_id: str) -> str:
    """`  <abc@Example.org> ` -> `abc@Example.org`: white space and brackets off, case kept."""
    bare = "".join(message_id.split())
    if bare.startswith("<"):
        bare = bare[1:]
    if bare.endswith(">"):
        bare = bare[:-1]
    return bare


class FrozenSentIndex:
    """A Sent index held in memory: for tests, the CLI and small mailboxes."""

    __slots__ = ("_ids",)

    def __init__(self, message_ids: Iterable[str] = ()) -> None:
        self._ids = frozenset(n for n in map(normalise_message_id, message_ids) if n)

    def __contains__(self, message_id: object) -> bool:
        if not isinstance(message_id, str):
            return False
        bare = normalise_message_id(message_id)
        return bool(bare) and bare in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def __repr__(self) -> str:
        return f"FrozenSentIndex({len(self._ids)} message-ids)"
