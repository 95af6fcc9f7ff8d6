"""A parsed, size-bounded view of one message.

`parse()` never raises: bad input becomes defects. It reads the header block at once and the
MIME tree only when a recogniser asks for it, so that ordinary mail costs one pass over its
headers. Everything decoded is capped (`Limits`): a 50 MB attachment is never decoded whole, and
only the first `Limits.scan_bytes` of a message are looked at below its top-level headers.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import wraps
from typing import TypeVar, cast

from ndrguard.charsets import decode_text
from ndrguard.headers import Headers, parse_params


@dataclass(frozen=True, slots=True)
class Limits:
    scan_bytes: int = 4 * 1024 * 1024  # how much of a message the MIME parser reads at all
    header_bytes: int = 256 * 1024  # a header block longer than this is cut
    decoded_bytes: int = 256 * 1024  # per part, after transfer decoding
    text_chars: int = 128 * 1024  # the report text handed to recognisers
    depth: int = 24  # nesting of multiparts and attached messages
    parts: int = 400  # parts in the whole tree


DEFAULT_LIMITS = Limits()

_MBOX_FROM = re.compile(rb"From [^\n]*\n")
_BLANK_LINE = re.compile(rb"\n[ \t]*\n")
_HTML_TAG = re.compile(r"<(?:style|script)\b.*?</(?:style|script)\s*>|<[^>]*>", re.S | re.I)
_HTML_BREAK = re.compile(r"<\s*(?:br|/p|/div|/tr|/li|/h\d)\b[^>]*>", re.I)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|nbsp|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "nbsp": " ", "apos": "'"}


def normalise_newlines(data: bytes) -> bytes:
    """CRLF and lone CR become LF: recognisers and the MIME parser see one line ending."""
    if b"\r" not in data:
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def split_head(data: bytes) -> tuple[bytes, bytes]:
    """Header block and body of LF-normalised data; no blank line means no body."""
    if data.startswith(b"\n"):
        return b"", data[1:]
    end = data.find(b"\n\n")
    if end < 0:
        loose = _BLANK_LINE.search(data)  # a "blank" line holding only spaces
        if loose is None:
            return data, b""
        return data[: loose.start()], data[loose.end() :]
    return data[:end], data[end + 2 :]


class Part:
    """One MIME entity: its headers, type, raw body slice and children."""

    __slots__ = (
        "_decoded",
        "body",
        "children",
        "content_type",
        "depth",
        "headers",
        "in_attachment",
        "params",
        "raw_head",
        "truncated",
    )

    def __init__(
        self,
        headers: Headers,
        raw_head: bytes,
        body: bytes,
        depth: int,
        in_attachment: bool,
        truncated: bool = False,
    ) -> None:
        self.headers = headers
        self.raw_head = raw_head
        self.body = body
        self.depth = depth
        self.in_attachment = in_attachment  # inside a returned message/rfc822
        self.truncated = truncated
        self.children: list[Part] = []
        ctype = headers.get("content-type")
        if ctype:
            self.content_type, self.params = parse_params(ctype)
            if "/" not in self.content_type:
                self.content_type = "text/plain"
        else:
            self.content_type, self.params = "text/plain", {}
        self._decoded: bytes | None = None

    @property
    def maintype(self) -> str:
        return self.content_type.partition("/")[0]

    @property
    def filename(self) -> str | None:
        disp = self.headers.get("content-disposition")
        if disp:
            name = parse_params(disp)[1].get("filename")
            if name:
                return name
        return self.params.get("name")

    def decoded(self, limit: int = DEFAULT_LIMITS.decoded_bytes) -> bytes:
        """The body after Content-Transfer-Encoding, at most `limit` bytes."""
        if self._decoded is None or len(self._decoded) > limit:
            cte = (self.headers.get("content-transfer-encoding") or "").strip().lower()
            self._decoded = _transfer_decode(self.body, cte, limit)
        return self._decoded[:limit]

    def text(self, limit: int = DEFAULT_LIMITS.decoded_bytes) -> tuple[str, str | None]:
        """The body as text, and a defect note when the charset was wrong."""
        return decode_text(self.decoded(limit), self.params.get("charset"))


def _transfer_decode(body: bytes, cte: str, limit: int) -> bytes:
    if cte == "base64":
        # 4 input characters make 3 bytes; line breaks and junk are skipped by the decoder, so
        # read a little more than needed and cut afterwards.
        chunk = body[: limit * 4 // 3 + limit // 38 + 8]
        chunk = re.sub(rb"[^A-Za-z0-9+/]", b"", chunk)
        # The "=" padding went with the junk; put back what the last quantum needs, else its
        # one or two bytes are lost (the end of an ISO-2022-JP text, say, whose final escape
        # sequence then never comes and the whole part fails to decode).
        rest = len(chunk) % 4
        chunk = chunk[: len(chunk) - 1] if rest == 1 else chunk + b"=" * ((4 - rest) % 4)
        try:
            return base64.b64decode(chunk)[:limit]
        except (binascii.Error, ValueError):
            return body[:limit]
    if cte == "quoted-printable":
        return binascii.a2b_qp(body[: limit * 3])[:limit]
    return body[:limit]


class Mail:
    """A message: top-level headers at once, the MIME tree on demand."""

    __slots__ = (
        "_by_type",
        "_parts",
        "_root",
        "_text",
        "body",
        "defects",
        "head",
        "headers",
        "limits",
        "memo",
        "size",
    )

    def __init__(self, raw: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.size = len(raw)
        self.defects: list[str] = []
        data = raw[: limits.scan_bytes]
        if len(raw) > limits.scan_bytes:
            self.defects.append(
                f"message is {len(raw)} bytes; only the first {limits.scan_bytes} were read"
            )
        # Line ends first: the mbox separator's end is found in the normalised bytes, else a
        # CR-only message (classic Mac OS) lost everything after a "From " line (no LF).
        data = normalise_newlines(data)
        if data.startswith(b"From ") and _MBOX_FROM.match(data[:1024]):  # mbox separator
            data = data[data.find(b"\n") + 1 :]
        head, body = split_head(data)
        if len(head) > limits.header_bytes:
            self.defects.append(f"header block longer than {limits.header_bytes} bytes, cut")
            head = head[: limits.header_bytes]
        self.head = head
        self.body = body
        self.headers = Headers.parse(head, self.defects)
        if not len(self.headers):
            self.defects.append("no header fields")
        self._root: Part | None = None
        self._parts: tuple[Part, ...] | None = None
        self._by_type: dict[str, list[Part]] | None = None
        self._text: str | None = None
        self.memo: dict[object, object] = {}  # per_mail answers about this message

    # -- MIME tree -------------------------------------------------------------------------

    @property
    def root(self) -> Part:
        if self._root is None:
            budget = [self.limits.parts]
            self._root = Part(self.headers, self.head, self.body, 0, False, self._truncated)
            self._fill(self._root, budget)
        return self._root

    @property
    def _truncated(self) -> bool:
        return self.size > self.limits.scan_bytes

    def _fill(self, part: Part, budget: list[int]) -> None:
        """Parse the children of `part` in place, within depth and part-count limits."""
        if part.depth >= self.limits.depth:
            if part.maintype in ("multipart", "message"):
                self._defect(f"nesting deeper than {self.limits.depth} levels not parsed")
            return
        if part.maintype == "multipart":
            self._split_multipart(part, budget)
        elif part.content_type in ("message/rfc822", "message/global", "text/rfc822-headers"):
            if part.content_type == "text/rfc822-headers":
                return
            body = part.body
            cte = (part.headers.get("content-transfer-encoding") or "").strip().lower()
            if cte in ("base64", "quoted-printable"):
                self._defect(f"attached message has Content-Transfer-Encoding {cte}")
                body = normalise_newlines(_transfer_decode(body, cte, self.limits.scan_bytes))
            head, inner = split_head(body.lstrip(b"\n"))
            head = self._cut_head(head)
            if budget[0] <= 0:
                return
            budget[0] -= 1
            child = Part(
                Headers.parse(head, self.defects), head, inner, part.depth + 1, True, part.truncated
            )
            part.children.append(child)
            self._fill(child, budget)

    def _split_multipart(self, part: Part, budget: list[int]) -> None:
        boundary = part.params.get("boundary")
        body = part.body
        if not boundary:
            self._defect(f"{part.content_type} without a boundary; read as text")
            part.content_type, part.params = "text/plain", {}
            return
        delim = b"--" + boundary.encode("utf-8", "replace")
        starts = _delimiter_positions(body, delim)
        if not starts:
            self._defect(f"boundary {boundary!r} never appears; read as text")
            part.content_type = "text/plain"
            return
        closed = False
        # Where each piece lies, not the pieces: each is cut out only when its turn comes and
        # dropped before its children are parsed, so that parts nested to the depth limit
        # hold one copy of the rest per level, not two (a 7.7 MB message: 205 MB, now ~110).
        spans: list[tuple[int, int]] = []
        for i, (_, end, closing) in enumerate(starts):
            if closing:
                closed = True
                break
            stop = starts[i + 1][0] if i + 1 < len(starts) else len(body)
            spans.append((end, stop))
        if not closed and not part.truncated:
            self._defect(f"multipart with boundary {boundary!r} has no closing delimiter")
        for end, stop in spans:
            if budget[0] <= 0:
                self._defect(f"more than {self.limits.parts} MIME parts; the rest not parsed")
                return
            budget[0] -= 1
            if stop > end and body[stop - 1 : stop] == b"\n":
                stop -= 1  # the line break before a delimiter belongs to it
            piece = body[end:stop]
            head, inner = split_head(piece)
            del piece
            head = self._cut_head(head)
            child = Part(
                Headers.parse(head, self.defects),
                head,
                inner,
                part.depth + 1,
                part.in_attachment,
                part.truncated,
            )
            if not head and part.content_type == "multipart/digest":
                child.content_type = "message/rfc822"
            part.children.append(child)
            self._fill(child, budget)

    def _cut_head(self, head: bytes) -> bytes:
        """A part's header block within the same bound as the message's own."""
        if len(head) > self.limits.header_bytes:
            self._defect(
                f"a part's header block is longer than {self.limits.header_bytes} bytes, cut"
            )
            return head[: self.limits.header_bytes]
        return head

    def _defect(self, note: str) -> None:
        if note not in self.defects:
            self.defects.append(note)

    def walk(self) -> Iterator[Part]:
        """Every part, depth first, the root included."""
        return iter(self.parts)

    @property
    def parts(self) -> tuple[Part, ...]:
        """Every part, depth first, the root included: flattened once, since the tree does
        not change after parsing and a bounce is walked by a dozen recognisers."""
        if self._parts is None:
            found: list[Part] = []
            stack = [self.root]
            while stack:
                part = stack.pop()
                found.append(part)
                stack.extend(reversed(part.children))
            self._parts = tuple(found)
        return self._parts

    def report_parts(self, content_type: str) -> list[Part]:
        """The parts of `content_type` that belong to the message itself, not to an attached
        one, in walk order (indexed once: recognisers ask for their report type in turn)."""
        if self._by_type is None:
            index: dict[str, list[Part]] = {}
            for part in self.parts:
                if not part.in_attachment:
                    index.setdefault(part.content_type, []).append(part)
            self._by_type = index
        return list(self._by_type.get(content_type, ()))

    # -- text for recognisers --------------------------------------------------------------

    def text(self) -> str:
        """The human-readable text of the report itself (not of an attached original).

        Plain-text parts are joined; HTML is reduced to text only where no plain part exists,
        since some servers (Office 365, Exchange) send the explanation as HTML alone.
        """
        if self._text is None:
            self._text = self._collect_text()
        return self._text

    def _collect_text(self) -> str:
        plain: list[str] = []
        html: list[str] = []
        room = self.limits.text_chars
        for part in self.walk():
            if part.in_attachment or part.maintype != "text" or room <= 0:
                continue
            if part.content_type == "text/rfc822-headers":
                continue
            disp = (part.headers.get("content-disposition") or "").lower()
            if disp.startswith("attachment") and part.depth > 0 and plain:
                continue
            text, note = part.text(min(self.limits.decoded_bytes, room * 4))
            if note:
                self._defect(f"{part.content_type}: {note}")
            if part.content_type == "text/html":
                html.append(html_to_text(text))
            else:
                plain.append(text)
                room -= len(text)
        chosen = plain if any(p.strip() for p in plain) else html
        return "\n".join(chosen)[: self.limits.text_chars]


def _delimiter_positions(body: bytes, delim: bytes) -> list[tuple[int, int, bool]]:
    """(start, end-of-line, is-closing) for every boundary delimiter line in `body`.

    A delimiter must start a line; trailing white space (transport padding) is allowed, and so is
    junk after it, which broken mailers write.
    """
    found = []
    pos = 0 if body.startswith(delim) else body.find(b"\n" + delim)
    while pos >= 0:
        start = pos if body.startswith(delim, pos) else pos + 1
        after = start + len(delim)
        follow = body[after : after + 1]
        if follow and follow not in b"-\n \t":  # a longer boundary that merely starts alike
            pos = body.find(b"\n" + delim, after)
            continue
        closing = body.startswith(b"--", after)
        eol = body.find(b"\n", after)
        eol = len(body) if eol < 0 else eol + 1
        found.append((start, eol, closing))
        if closing:
            break
        pos = body.find(b"\n" + delim, eol - 1)
    return found


def html_to_text(html: str) -> str:
    """Markup to plain lines: enough for reading a bounce, not a renderer."""
    text = _HTML_BREAK.sub("\n", html)
    text = _HTML_TAG.sub("", text)
    return _ENTITY.sub(_entity, text)


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16)) if int(name[2:], 16) < 0x110000 else ""
    if name.startswith("#"):
        return chr(int(name[1:])) if int(name[1:]) < 0x110000 else ""
    return _ENTITIES[name]


T = TypeVar("T")


def per_mail(question: Callable[[Mail], T]) -> Callable[[Mail], T]:
    """Answer `question` once per message and keep the answer on it.

    For the questions about a message that many recognisers ask in turn (is the sender a
    mail system, is the envelope null, does its status part name recipients): a bounce passes
    a dozen recognisers before the one that reads it, and each used to work the answer out
    again. Only for pure questions of the message's own bytes: a Mail never changes after
    parsing, except for its defect list, which no such question reads.
    """

    @wraps(question)
    def ask(mail: Mail) -> T:
        memo = mail.memo
        if question in memo:
            return cast(T, memo[question])
        answer = memo[question] = question(mail)
        return answer

    return ask


def parse(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> Mail:
    """Parse raw message bytes; never raises on malformed input."""
    return Mail(raw, limits)
