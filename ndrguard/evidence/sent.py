"""Evidence from the user's Sent folder: did the user really send the message this answers?

A spammer who forges the user's address cannot know the Message-IDs of the user's real mail,
so finding the returned original's Message-ID in the Sent index proves the bounce real. The
same holds for an auto-reply or a challenge that names the user's message in its own
In-Reply-To or References: those often return nothing of the original but still say what they
answer.
"""

from __future__ import annotations

from ndrguard.evidence.model import KIND_WORDS, Evidence, Source, Strength
from ndrguard.headers import message_ids
from ndrguard.mail import Mail
from ndrguard.report import Report
from ndrguard.sent_index import SentIndex


def evidence(
    report: Report,
    sent: SentIndex | None,
    message: Mail | None,
    unreadable: str | None = None,
) -> Evidence:
    """Whether any Message-ID this report names is one the user sent.

    `unreadable` is why the Sent folder could not be read: a named Message-ID then could not be
    looked up, which is not the same as "not sent" (see Strength.UNREADABLE).
    """
    what = KIND_WORDS[report.kind]
    candidates = _candidates(report, message, what)
    if not candidates:
        return _none(f"nothing in the {what} names the Message-ID of the message it answers")
    if unreadable:
        return Evidence(
            Source.SENT,
            Strength.UNREADABLE,
            f"{candidates[0][0]} {candidates[0][1]} could not be looked up: {unreadable}",
        )
    if sent is None:
        return _none(
            f"no index of your Sent folder was available, so {candidates[0][1]} was not looked up"
        )
    for label, mid in candidates:
        if mid in sent:
            return Evidence(
                Source.SENT,
                Strength.PROVES_LEGIT,
                f"{label} {mid} is in your Sent folder: you really sent the message this "
                f"{what} answers",
            )
    ids = ", ".join(dict.fromkeys(mid for _, mid in candidates))
    return _none(f"your Sent folder holds none of the Message-IDs the {what} names ({ids})")


def _candidates(report: Report, message: Mail | None, what: str) -> list[tuple[str, str]]:
    """(words for the user, Message-ID) pairs, the strongest first."""
    found: list[tuple[str, str]] = []
    if report.original is not None and report.original.message_id:
        found.append(("the returned message's Message-ID", report.original.message_id))
    if message is not None:
        for mid in message_ids(message.headers.get("in-reply-to")):
            found.append((f"the {what}'s In-Reply-To", mid))
        for mid in message_ids(message.headers.get("references")):
            found.append((f"the {what}'s References", mid))
    return found


def _none(detail: str) -> Evidence:
    return Evidence(Source.SENT, Strength.NONE, detail)
