"""Recovering the returned original from a delivery report.

Three places hold it, in order of trust: an attached message/rfc822 (RFC 3464 section 2), an
attached text/rfc822-headers (RFC 6522), or a copy quoted in the report's text, which older
MTAs (qmail, Exim without DSN, Sendmail v5, Exchange 2003, Office 365's "Original message
headers:") write after a marker line. Office 365 even quotes the headers quoted-printable
encoded inside an already decoded part, so a quote that still shows `=3D` is decoded once more.
"""

from __future__ import annotations

import binascii
import re

from ndrguard.headers import Headers, first_address, message_ids
from ndrguard.mail import Mail, Part, normalise_newlines, split_head
from ndrguard.report import Original, Shape

# Header names that, quoted in a report text, mark the start of a copied header block.
_QUOTED_FIELD = re.compile(
    r"^[ \t>|]*(Return-Path|Received|Message-ID|Message-Id|From|To|Subject|Date|Reply-To|Cc|"
    r"MIME-Version|Content-Type|DKIM-Signature|X-[A-Za-z0-9-]+|In-Reply-To|References|Sender|"
    r"Content-Transfer-Encoding|Authentication-Results|Received-SPF|List-[A-Za-z-]+|"
    r"Delivered-To|Envelope-To|X-Original-To|Thread-[A-Za-z]+|Importance|Priority|"
    r"ARC-[A-Za-z-]+|Precedence|User-Agent|Organization|Errors-To)[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
_KEY_FIELDS = ("message-id", "received", "return-path", "dkim-signature")
_QP_SOFT = re.compile(r"=\n|=[0-9A-F]{2}")


def extract(mail: Mail) -> tuple[Shape, Original | None]:
    """Find the returned original anywhere in a report; say how much of it came back."""
    for part in mail.walk():
        if part.depth == 0 or (part.in_attachment and part.depth > 2):
            continue
        if part.content_type in ("message/rfc822", "message/global") and part.children:
            found = _from_attached(part.children[0])
            if found is not None:
                return found
        if part.content_type in ("text/rfc822-headers", "message/rfc822-headers"):
            found = _from_header_part(part, mail.limits.decoded_bytes)
            if found is not None:
                return found
    for part in mail.walk():
        if part.in_attachment or (part.maintype != "text" and part.depth > 0):
            continue
        if part.maintype == "multipart":
            continue
        text, _ = part.text(mail.limits.decoded_bytes)
        if part.content_type == "text/html":
            from ndrguard.mail import html_to_text

            text = html_to_text(text)
        found = quoted_original(text)
        if found is not None:
            return found
    return Shape.EMPTY, None


def _from_attached(inner: Part) -> tuple[Shape, Original] | None:
    """The attached original; None when the attachment is empty (cut off in transit)."""
    original = _from_header_block(inner.raw_head, inner.headers)
    body = inner.body.strip()
    if original is None:
        if not body and not len(inner.headers):
            return None
        original = Original(raw_headers=inner.raw_head)
    if body or inner.children:
        original.body_returned = True
        if not inner.truncated:
            original.raw = inner.raw_head + b"\n\n" + inner.body
        return Shape.FULL, original
    return Shape.PARTIAL, original


def _from_header_part(part: Part, limit: int) -> tuple[Shape, Original] | None:
    """An attached header block (RFC 6522). Some MTAs put the whole original under that label
    (OpenSMTPD 6.8 does, even for RET=HDRS): a body after the header block's blank line came
    back too, and is kept, as it is for message/rfc822, so that the original's own DKIM
    signature can be checked against it."""
    data = part.decoded(limit)
    whole = normalise_newlines(data).lstrip(b"\n")
    head, body = split_head(whole)
    original = _from_header_block(head, None)
    if original is None:
        return None
    if not body.strip():
        return Shape.PARTIAL, original
    original.body_returned = True
    if len(data) < limit and not part.truncated:
        original.raw = head + b"\n\n" + body
    return Shape.FULL, original


def _from_header_block(block: bytes, headers: Headers | None) -> Original | None:
    headers = headers or Headers.parse(block)
    if not len(headers):
        return None
    names = headers.names()
    if not (names & set(_KEY_FIELDS) or {"from", "subject"} <= names or {"from", "to"} <= names):
        return None
    mid = message_ids(headers.get("message-id"))
    return Original(
        message_id=mid[0] if mid else None,
        from_=headers.get("from"),
        to=headers.get("to"),
        subject=headers.get("subject"),
        date=headers.get("date"),
        return_path=first_address(headers.get("return-path")) or headers.get("return-path"),
        received=headers.get_all("received"),
        dkim_signatures=headers.get_all("dkim-signature"),
        in_reply_to=headers.get("in-reply-to"),
        references=message_ids(headers.get("references")),
        raw_headers=block,
    )


def quoted_original(text: str) -> tuple[Shape, Original] | None:
    """A header block copied into report text, and whatever body follows it.

    Linear in the text: each run of header-looking lines is read once, from its first quoted
    field name, and the search goes on after the run. (Trying every field line of a run as a
    new start, each time re-splitting the rest of the text, took 15-28 s on a 150 KB bounce of
    "To: x" lines; a later start in the same run only sees fewer of the same fields anyway.)
    """
    resume = 0
    for match in _QUOTED_FIELD.finditer(text):
        start = match.start()
        if start < resume:
            continue
        block_lines, end = _take_header_lines(text, start)
        resume = end
        if len(block_lines) < 2:
            continue
        rest = text[end:]
        first = block_lines[0]
        prefix = first[: len(first) - len(first.lstrip(" \t>|"))]
        if prefix:
            block_lines = [ln[len(prefix) :] if ln.startswith(prefix) else ln for ln in block_lines]
        block = "\n".join(block_lines)
        if (_QP_SOFT.search(block) and "=3D" in block) or "=\n" in block:
            block = binascii.a2b_qp(block.encode("utf-8", "replace")).decode("utf-8", "replace")
            block = "\n".join(ln for ln in block.split("\n") if ln.strip())
        raw = block.encode("utf-8", "replace")
        original = _from_header_block(raw, None)
        if original is None:
            continue
        if prefix:
            rest = "\n".join(
                ln[len(prefix) :] if ln.startswith(prefix) else ln for ln in rest.split("\n")
            )
        if _has_body(rest):
            original.body_returned = True
            original.raw = raw + b"\n\n" + rest.encode("utf-8", "replace")
            return Shape.FULL, original
        return Shape.PARTIAL, original
    return None


_ANY_FIELD = re.compile(r"[ \t>|]*[!-9;-~]+:")


def _take_header_lines(text: str, start: int) -> tuple[list[str], int]:
    """The header-looking lines (with continuations) from `start`, and where what follows
    begins; reads only those lines, never the rest of the text."""
    taken: list[str] = []
    pos = start
    size = len(text)
    while pos < size:
        eol = text.find("\n", pos)
        stop = size if eol < 0 else eol
        line = text[pos:stop]
        continues = taken and (
            (line[:1] in (" ", "\t") and line.strip())
            or taken[-1].rstrip().endswith("=")  # a quoted-printable soft break split it
        )
        if not (continues or _QUOTED_FIELD.match(line) or _ANY_FIELD.match(line)):
            return taken, pos
        taken.append(line)
        pos = stop + 1
    return taken, size


def _has_body(rest: str) -> bool:
    """Whether real content follows the quoted headers (not just the report's own footer)."""
    body = rest.strip()
    if not body:
        return False
    first = body.split("\n", 1)[0].strip().lower()
    return not (first.startswith("--") and len(body) < 200)
