"""What content filters do to a message on its way to the inbox, undone before it is read.

A spam filter in front of the mailbox (SpamAssassin at a hosting provider, amavisd-new with
SpamAssassin, a commercial gateway) changes the message it flags in two documented ways, and
backscatter is exactly what such filters flag:

- it tags the subject: SpamAssassin's `rewrite_header Subject *****SPAM*****` (the example in
  Debian's local.cf) or `[SPAM _SCORE_]`, amavisd-new's `$sa_spam_subject_tag` ('***SPAM*** ',
  '{Spam?} '), gateways' "[EXTERNAL]" and "[SUSPECTED SPAM]". A recogniser that reads a bounce
  by its subject ("Mail failure - ...", "Warning: message ... delayed") must read it without
  the tag: `subject()`.
- it wraps the message: SpamAssassin's `report_safe 1` (its default) sends a new multipart/mixed
  message with a text report first and the message itself attached as message/rfc822;
  `report_safe 2` attaches it as text/plain. The wrapper copies From, To, Subject, Date and
  Message-ID from the message it wraps, so that the user's client shows it as that message;
  what the user received *is* the attached message. `delivered()` gives that message back,
  with the trace fields added after the filter (Received, Delivered-To, X-Original-To ...) put
  in front, as the delivery would have written them without the filter.

A wrapper is told by the identity it kept: the attached message carries the wrapper's own
Message-ID (when it has one), From and Date. A person's forward as attachment, a gateway's own
notice about a message (read by `wrapped`) and a bounce returning a message are written by
someone else, at another time: even a bounce whose Message-ID was made the same as the
original's (anonymised samples do that) has a From and Date of its own. A multipart/report is
a report, never a wrapper.
"""

from __future__ import annotations

import re

from ndrguard.headers import Headers
from ndrguard.mail import Mail, Part, parse, per_mail

# One tag a filter puts in front of a subject: [..], {..}, ***..*** (at least two stars each
# side), or a bare "SPAM:"; short, single-line, not nested, and holding a word of a filter's
# verdict. Other bracketed prefixes mean something to the recognisers ("[Auto-Reply]",
# "[Automatyczna odpowiedź]") or are a list's name, and stay.
_VERDICT_WORDS = (
    "spam|junk|bulk|extern|suspect|suspicious|phish|virus|infected|malware|unchecked|banned"
    "|caution|unverified"
)


def _holding_a_verdict(inside: str) -> str:
    """A lookahead: a verdict word before the tag's end (`inside` is what the tag holds)."""
    return f"(?={inside}{{0,40}}?(?:{_VERDICT_WORDS}))"


_TAG = re.compile(
    r"[ \t]*(?:\[" + _holding_a_verdict(r"[^\[\]\n]") + r"[^\[\]\n]{1,40}\]"
    r"|\{" + _holding_a_verdict(r"[^{}\n]") + r"[^{}\n]{1,40}\}"
    r"|\*{2,}" + _holding_a_verdict(r"[^*\n]") + r"[^*\n]{1,30}\*{2,}"
    r"|(?:(?:possible|suspected|probable)[ \t]+)?(?:spam|junk)[ \t]*:)",
    re.IGNORECASE,
)
_MAX_TAGS = 3

# Fields that record the message's way and are written after a filter ran, outside its wrapper.
_TRACE_FIELDS = frozenset({
    "return-path", "received", "delivered-to", "x-original-to", "envelope-to",
    "x-envelope-to", "x-envelope-from", "x-delivered-to", "x-rcpt-to",
})  # fmt: skip


def untagged(subject: str) -> str:
    """`subject` without the tags filters put in front of it (the whole subject when it is
    nothing but tags: "[Bug 12]" is somebody's subject, not a tag on nothing)."""
    pos = 0
    for _ in range(_MAX_TAGS):
        m = _TAG.match(subject, pos)
        if m is None:
            break
        pos = m.end()
    rest = subject[pos:].strip()
    return rest if pos and rest else subject


@per_mail
def subject(mail: Mail) -> str:
    """The decoded Subject without filters' tags, "" when there is none."""
    return untagged(mail.headers.get("subject") or "")


def delivered(mail: Mail) -> Mail | None:
    """The message a content filter wrapped, as it would have been delivered; None when
    `mail` is not such a wrapper.

    Cheap for ordinary mail: it needs a multipart type and the Message-ID (or, for a message
    without one, the Date) written again somewhere in the body, one bytes search, before any
    MIME part is read.
    """
    ctype = (mail.headers.raw("content-type") or b"").lower().lstrip()
    if not ctype.startswith(b"multipart/") or ctype.startswith(b"multipart/report"):
        return None
    kept = _identity(mail.headers)
    key = kept[0] or kept[2]  # the Message-ID, else the Date
    if not key or not kept[1] or key not in mail.body:
        return None
    for part in mail.root.children:
        inner = _attached_message(part, mail, key)
        if inner is not None and _identity(inner.headers) == kept:
            return parse(_trace_block(mail.headers) + _raw_of(inner), mail.limits)
    return None


def _identity(headers: Headers) -> tuple[bytes, ...]:
    """Message-ID, From and Date, as a wrapper copies them (blanks aside)."""
    return tuple(b" ".join((headers.raw(n) or b"").split()) for n in ("message-id", "from", "date"))


def _attached_message(part: Part, mail: Mail, key: bytes) -> Mail | None:
    """The message a top-level part holds, if `key` is written in it: message/rfc822, or
    text/plain (SpamAssassin's report_safe 2, inline or attached). Whether it is a message at
    all is the caller's identity test."""
    if part.content_type not in ("message/rfc822", "message/global", "text/plain"):
        return None
    data = part.decoded(mail.limits.decoded_bytes)
    return parse(data, mail.limits) if key in data else None


def _raw_of(inner: Mail) -> bytes:
    """The inner message's bytes again: its header block and body as parsed."""
    return inner.head + b"\n\n" + inner.body


def _trace_block(headers: Headers) -> bytes:
    """The wrapper's trace fields, in their order, as a header block to put in front."""
    return b"".join(
        name.encode("ascii") + b": " + value + b"\n"
        for name, value in headers.raw_items()
        if name in _TRACE_FIELDS
    )
