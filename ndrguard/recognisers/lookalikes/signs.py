"""Header signs the look-alike recognisers share: who wrote the message and how it travels.

A look-alike is told from ordinary mail by *two* kinds of evidence at once: a sign of automation
in its headers (RFC 3834 Auto-Submitted, a null envelope sender, a vendor's own X- field) and the
words or MIME type of its kind. Either alone fires on ordinary mail: newsletters say "confirm",
spam says "vacation", and people reply to out-of-office threads.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail, Part
from ndrguard.recognisers import filters
from ndrguard.recognisers.common import null_sender

# Subject prefixes that mail programs put before a reply or a forward: "Re:", "AW:", "TR :"...
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|wg|fw|fwd|tr|rv|r|odp|ответ|回复|回覆|返信)\s*(?:\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def auto_submitted(mail: Mail) -> str:
    """The RFC 3834 Auto-Submitted keyword, lower case; "" when absent or `no`."""
    value = (mail.headers.get("auto-submitted") or "").strip().lower()
    keyword = value.split(";", 1)[0].strip()
    return "" if keyword in ("", "no") else keyword


def precedence(mail: Mail) -> str:
    return (mail.headers.get("precedence") or "").strip().lower()


def subject(mail: Mail) -> str:
    return " ".join(filters.subject(mail).split())


def strip_reply_prefix(text: str) -> str:
    return _REPLY_PREFIX.sub("", text, count=1)


def report_parts(mail: Mail, content_type: str) -> list[Part]:
    """Parts of the given type that belong to the report itself, not to a returned message."""
    return mail.report_parts(content_type)


def report_type(mail: Mail) -> str:
    """The report-type parameter of a top-level multipart/report, lower case."""
    root = mail.root
    if root.content_type != "multipart/report":
        return ""
    return root.params.get("report-type", "").strip().lower()


def strong_automation(mail: Mail) -> bool:
    """Signs that only software sets: Auto-Submitted, a null envelope sender."""
    return bool(auto_submitted(mail)) or null_sender(mail)


def head_text(mail: Mail, limit: int = 4000) -> str:
    """The start of the report's own text, where every kind states what it is."""
    return mail.text()[:limit]
