"""When a message reached the user, read from its own headers.

BATV tags expire, and a failure notice often arrives days after the mail it answers, so a
bounce must be judged on the day it arrived, not on the day ndrguard reads it. The service
knows that day from IMAP INTERNALDATE; for a saved file the best witness is the topmost
Received: header, which the user's own server wrote on delivery. Date: is the sender's claim
and only a last resort.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from ndrguard.mail import Mail


def arrival_time(mail: Mail) -> datetime | None:
    """The topmost Received: timestamp, else Date:, as an aware datetime; None if neither."""
    candidates = mail.headers.get_all("received")[:1]
    candidates = [c.rpartition(";")[2] for c in candidates]
    candidates += mail.headers.get_all("date")[:1]
    for value in candidates:
        stamp = _parse(value)
        if stamp is not None:
            return stamp
    return None


def _parse(value: str) -> datetime | None:
    try:
        stamp = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
