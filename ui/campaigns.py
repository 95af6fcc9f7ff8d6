"""Grouping bounces into campaigns: the same forged subject, or the same sending network.

A spam run forges one address on thousands of messages; their bounces share the subject of
the forged original, or the network it was sent from when the subject varies. Two bounces
belong to one campaign when either is shared, directly or through others (union-find), so a
run that rotates subjects from one botnet, or one subject over many networks, stays one group.
A group of one is no campaign: the summary shows it as a plain row. No Qt here: a campaign
carries what names it (`Name`), and the window puts that into translated words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ndrguard.service.api.protocol import Outcome

_REPLY = re.compile(r"^\s*((re|fwd?|aw|wg|sv|vs)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Name:
    """What a group is called after: its commonest forged subject (and how many other
    subjects it holds), else the network its originals came from, else the bounces' subject."""

    subject: str | None = None
    others: int = 0
    network: str | None = None
    bounce_subject: str | None = None

    def english(self) -> str:
        if self.subject is not None:
            more = f" and {self.others} other subject(s)" if self.others else ""
            return f'"{self.subject}"{more}'
        if self.network is not None:
            return f"sent from {self.network}"
        return f'bounces titled "{self.bounce_subject or "(no subject)"}" (no original returned)'


@dataclass
class Campaign:
    name: Name
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The name in English (the window translates `name` itself)."""
        return self.name.english()

    @property
    def single(self) -> bool:
        return len(self.items) == 1


def subject_key(subject: str | None) -> str | None:
    """A forged subject with its Re:/Fwd: and numbers taken out ("Invoice 2041" ~ "Invoice 7")."""
    if not subject:
        return None
    key = _NUMBER.sub("#", _REPLY.sub("", subject)).strip().lower()
    return key or None


def group(items: Sequence[dict[str, Any]]) -> list[Campaign]:
    """Campaigns, biggest first; each item may carry `details` (see the API's `details`)."""
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_by_key: dict[tuple[str, str], int] = {}
    for i, item in enumerate(items):
        for key in _keys(item):
            j = first_by_key.setdefault(key, i)
            parent[find(i)] = find(j)
    members: dict[int, list[dict[str, Any]]] = {}
    for i, item in enumerate(items):
        members.setdefault(find(i), []).append(item)
    campaigns = [Campaign(_name(group_items), group_items) for group_items in members.values()]
    return sorted(campaigns, key=lambda c: (-len(c.items), c.title))


def _keys(item: dict[str, Any]) -> list[tuple[str, str]]:
    details = item.get("details") or {}
    keys = []
    subject = subject_key((details.get("original") or {}).get("subject"))
    if subject:
        keys.append(("subject", subject))
    # Real bounces of the user's own mail all left through the user's network: joining them
    # by it would make one "campaign" of everything the user sent that failed.
    if details.get("network") and item.get("verdict") != Outcome.LEGIT:
        keys.append(("network", str(details["network"])))
    if not keys:  # nothing of the original came back: group by the bounce's own subject
        keys.append(("bounce", subject_key(item.get("subject")) or "(no subject)"))
    return keys


def _name(items: list[dict[str, Any]]) -> Name:
    """The group's most common forged subject (and how many others it holds), else its network,
    else the bounces' own subject: the first member alone can name a group after an outlier."""
    keys: Counter[str] = Counter()
    shown: dict[str, str] = {}  # one real subject per key, as the user saw it
    for subject in filter(None, map(_original_subject, items)):
        key = subject_key(subject) or subject
        keys[key] += 1
        shown.setdefault(key, subject)
    if keys:
        top, _ = keys.most_common(1)[0]
        return Name(subject=shown[top], others=len(keys) - 1)
    networks = Counter(
        str(n) for n in ((i.get("details") or {}).get("network") for i in items) if n
    )
    if networks:
        return Name(network=networks.most_common(1)[0][0])
    return Name(bounce_subject=items[0].get("subject") or None)


def _original_subject(item: dict[str, Any]) -> str | None:
    return ((item.get("details") or {}).get("original") or {}).get("subject")
