"""What a burst of verdicts is called in a notification: sentences for people, no Qt here.

One notification tells a whole burst: how many forged bounces were moved away, how many
nobody could vouch for, and, always and by name, each real bounce kept, because a real bounce
is mail the user sent that did not arrive and they need to act on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MOVED = ("quarantine-pending", "quarantined")
REAL_NAMED = 3  # real bounces told one by one; more are counted

# Enhanced status codes (RFC 3463) as a person would say them.
_STATUS_WORDS = {
    "5.1.1": "no such user",
    "5.1.2": "no such domain",
    "5.1.10": "no such user",
    "5.2.1": "the mailbox is disabled",
    "5.2.2": "the mailbox is full",
    "4.2.2": "the mailbox is full",
    "5.2.3": "the message is too big",
    "5.3.4": "the message is too big",
    "5.4.4": "the domain has no mail server",
    "5.7.1": "refused by the recipient's server",
    "5.7.26": "refused: it failed the recipient's authentication checks",
}


@dataclass(frozen=True, slots=True)
class Note:
    title: str
    body: str
    urgent: bool  # a real bounce is in it: the user should act


def count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def why_failed(details: dict[str, Any] | None) -> str:
    """'mail to bob@example.com failed: no such user', from a bounce's first recipient."""
    recipients = (details or {}).get("recipients") or []
    if not recipients:
        subject = ((details or {}).get("original") or {}).get("subject")
        return (
            f'your message "{subject}" was not delivered'
            if subject
            else ("a message you sent was not delivered")
        )
    r = recipients[0]
    status = r.get("status") or ""
    words = _STATUS_WORDS.get(status)
    if words is None:
        diagnostic = (r.get("diagnostic") or "").strip()
        words = (
            diagnostic[:90] + ("…" if len(diagnostic) > 90 else "")
            if diagnostic
            else ("delayed, still being retried" if status.startswith("4") else "refused")
        )
    verb = "is delayed" if r.get("action") == "delayed" else "failed"
    return f"mail to {r.get('address')} {verb}: {words}"


def burst_note(items: Iterable[dict[str, Any]], minutes: float, folder: str) -> Note | None:
    """The notification for the verdicts of one burst, or None when nothing is worth telling."""
    forged = undecided = monitored = real_moved = 0
    real_kept: list[dict[str, Any]] = []
    for item in items:
        verdict, state = item.get("verdict"), item.get("state")
        if verdict == "not-a-bounce":
            continue
        if state == "monitored":
            monitored += 1
        elif verdict == "legit" and state in MOVED:
            real_moved += 1
        elif verdict == "legit":
            real_kept.append(item)
        elif verdict == "backscatter" and state in MOVED:
            forged += 1
        elif verdict == "undecided" and state in MOVED:
            undecided += 1
    span = f"in the last {count(max(1, round(minutes)), 'minute')}"
    parts = []
    if forged:
        parts.append(f"{count(forged, 'forged bounce')} moved to {folder} {span}")
    if undecided:
        parts.append(
            f"{count(undecided, 'bounce')} nobody could vouch for moved to {folder} "
            "(see the summary)"
        )
    if monitored:
        parts.append(
            f"{count(monitored, 'bounce')} found that would be moved "
            "(monitor only: nothing was moved)"
        )
    if real_moved:
        parts.append(f"{count(real_moved, 'real bounce')} moved anyway under the block-all policy")
    if real_kept:
        named = "; ".join(why_failed(i.get("details")) for i in real_kept[:REAL_NAMED])
        more = len(real_kept) - REAL_NAMED
        parts.append(
            f"{count(len(real_kept), 'real bounce')} kept in your inbox: {named}"
            + (f" (and {more} more)" if more > 0 else "")
        )
    if not parts:
        return None
    if real_kept:
        title = (
            "A message you sent was not delivered"
            if len(real_kept) == 1
            else (f"{len(real_kept)} messages you sent were not delivered")
        )
    elif forged or undecided:
        title = f"ndrguard moved {count(forged + undecided, 'bounce')} away"
    else:
        title = "ndrguard"
    return Note(title, "; ".join(parts) + ".", urgent=bool(real_kept))
