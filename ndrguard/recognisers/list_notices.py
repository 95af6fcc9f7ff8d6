"""A mailing-list manager's notice about the user's own post: refused, or held for a moderator.

List managers do not write delivery reports when they refuse a post. mlmmj, Mailman, Sympa
and their kin send a notice of their own from the list's administrative address (`list+owner`,
`list-owner`, `list-request`, `list-bounces`, `owner-list`, or the manager's own `sympa@` /
`mailman@`), usually with the post attached as message/rfc822, and no null sender, no
Auto-Submitted and no report part. For the user such a notice is exactly a bounce: the post
did not reach the list. When the user never posted (a spammer posted with her address), it is
backscatter like any other, and the attached post is the evidence either way (her Sent folder,
her DKIM signature).

Three things together make the notice, so that list traffic and a list's other mail (a
sign-up confirmation, a probe about mail to her bouncing) stay ordinary:
  - it comes from a list's administrative address;
  - it returns a post written by the person it is addressed to (the attached original's From
    is the notice's To), or, without an attachment, it speaks of "your message/post/mail";
  - its text says the post was refused (denied, rejected, not a subscriber, too large, in a
    few languages) or is held for a moderator. A hold only acknowledges the post; nothing is
    asked of the user, so it is read as an auto-reply, and a hold wins over refusal words,
    since a hold notice gives its reason ("post by non-member to a members-only list").
The failed recipient is the list address: the administrative address without its suffix when
the post was sent there, else the post's first To.
"""

from __future__ import annotations

import re

from ndrguard.headers import first_address
from ndrguard.mail import Mail
from ndrguard.recognisers import filters
from ndrguard.recognisers.common import LIST_MANAGERS, clean_line, list_admin_local, make_report
from ndrguard.recognisers.text import recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "list-notice"


_HOLD = re.compile(
    r"\b(?:held|awaits?|awaiting|pending)\b[^.]{0,100}?\b(?:moderat|approv|review|release)"
    r"|\bmoderators?\b[^.]{0,80}?\b(?:review|approv)",
    re.IGNORECASE,
)
_REFUSAL = re.compile(
    r"\b(?:denied|rejected|refused|discarded|bounced"
    r"|not (?:be )?(?:allowed|permitted|accepted|delivered|distributed)"
    r"|unable to be (?:delivered|distributed|posted)"
    r"|could not be (?:delivered|distributed|posted)"
    r"|not an? (?:list )?(?:member|subscriber)|non-?(?:member|subscriber)"
    r"|too (?:large|big|long)|exceeds"
    r"|rejet[ée]e?|refus[ée]e?|abgelehnt|zur[üu]ckgewiesen|rechazad[oa])",
    re.IGNORECASE,
)
_YOUR_POST = re.compile(r"\byour (?:message|post(?:ing)?|mail|e-?mail|submission)\b", re.I)
_TEXT_CHARS = 4000  # the notice's own words come first; an attached post is not its text


def recognise(mail: Mail) -> Report | None:
    admin = _admin_address(mail)
    if admin is None:
        return None
    report = make_report(mail, Kind.FAILURE, NAME, "")
    original = report.original
    addressed = _addressed_to(mail)
    poster = first_address(original.from_) if original is not None and original.from_ else None
    subject = filters.subject(mail)
    body = " ".join(mail.text()[:_TEXT_CHARS].split())
    text = subject + " " + body
    if poster is not None:
        if poster.lower() not in addressed:
            return None  # a post by someone else (a moderation request to the owner)
    elif not _YOUR_POST.search(text):
        return None
    if _HOLD.search(text):
        report.kind, report.shape, report.reporting_mta = Kind.AUTOREPLY, None, None
        report.reason = f"{admin} says the post waits for a list moderator"
        return report
    # The body's sentence says why ("... because you are not a list subscriber"); the
    # subject ("Post to ... denied: ...") only that it happened.
    where = body if _REFUSAL.search(body) else subject
    refusal = _REFUSAL.search(where)
    if refusal is None:
        return None
    listed = _list_address(admin, original.to if original is not None else None)
    diagnostic = clean_line(_sentence(where, refusal.start(), refusal.end())) or refusal.group(0)
    report.recipients = [recipient_of_kind(listed, Kind.FAILURE, diagnostic)]
    report.reason = f"mailing list manager ({admin}) refused the post: {diagnostic}"
    return report


def _admin_address(mail: Mail) -> str | None:
    """The list's administrative address the notice comes from (From, else Return-Path)."""
    for field in ("from", "return-path"):
        address = first_address(mail.headers.get(field) or "")
        if not address or "@" not in address:
            continue
        if list_admin_local(address.rsplit("@", 1)[0]) is not None:
            return address
    return None


def _addressed_to(mail: Mail) -> set[str]:
    found = set()
    for field in ("to", "delivered-to", "envelope-to", "x-original-to"):
        for value in mail.headers.get_all(field):
            for part in value.split(","):
                address = first_address(part)
                if address:
                    found.add(address.lower())
    return found


def _list_address(admin: str, post_to: str | None) -> str:
    """The list the post was meant for: the admin address's own list, or for a manager's
    own address (`sympa@`) the post's first To."""
    local, domain = admin.rsplit("@", 1)
    bare = list_admin_local(local) or local
    sent_to = [a for a in (first_address(p) for p in (post_to or "").split(",")) if a]
    if bare.lower() in LIST_MANAGERS and sent_to:
        return sent_to[0]
    return f"{bare}@{domain}"


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around a match, for the user to read as the reason."""
    stop_before = text.rfind(". ", 0, start)
    begin = max(stop_before + 2 if stop_before >= 0 else 0, start - 200)
    stop = text.find(".", end)
    return text[begin : stop + 1 if stop >= 0 and stop - end < 300 else end + 120]
