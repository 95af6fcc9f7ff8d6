"""Header blocks: splitting, unfolding, RFC 2047 words and addresses.

The header block is parsed with one regular expression pass and values are decoded only when
somebody asks for them: ordinary mail is dismissed from a handful of headers, so decoding all of
them up front would be most of the cost of reading a mailbox.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, KeysView

from ndrguard.charsets import codec_for, decode_header_bytes

# A header line: a field name, a colon, and continuation lines that start with white space.
# Lines that are neither (garbage inside the block) are skipped and counted as a defect.
# `[^\n]*` rather than `.*`: the same lines, and the engine's fastest loop for them.
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:[ \t]*([^\n]*(?:\n[ \t][^\n]*)*)", re.MULTILINE)
_FOLD = re.compile(rb"\n[ \t]+")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_ENCODED_GAP = re.compile(r"(\?=)[ \t]+(=\?)")
_QP_HEADER = re.compile(rb"=([0-9A-Fa-f]{2})")

# addr-spec good enough for mail headers and bounce texts: a local part and a dotted domain (or
# an address literal). Quoted local parts are rare in bounces and not worth the cost.
ADDRESS = re.compile(
    r"(?<![\w.+=/-])([\w.!#$%&'*+/=?^`{|}~-]+@(?:[\w-]+(?:\.[\w-]+)+|\[[0-9A-Fa-f:.]+\]))"
)


# Field names already decoded and lower-cased. A mailbox repeats a few dozen names over and over,
# and decoding each one again was a tenth of reading a header block. Bounded, because a hostile
# mailbox can invent names without end.
_NAMES: dict[bytes, str] = {}
_NAMES_MAX = 2048


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words; broken ones are left as written."""
    if "=?" not in text:
        return text
    text = _ENCODED_GAP.sub(r"\1\2", text)  # white space between adjacent words is not text
    return _ENCODED_WORD.sub(_decode_word, text)


def _decode_word(match: re.Match[str]) -> str:
    charset, encoding, payload = match.groups()
    charset = charset.split("*", 1)[0]  # RFC 2231 language suffix
    try:
        if encoding in "bB":
            # validate: a payload of non-base64 junk is a broken word, left as written,
            # not an empty string
            data = base64.b64decode(payload + "=" * (-len(payload) % 4), validate=True)
        else:
            data = _QP_HEADER.sub(
                lambda m: bytes([int(m.group(1), 16)]), payload.replace("_", " ").encode("latin-1")
            )
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return match.group(0)
    codec = codec_for(charset)
    try:
        return data.decode(codec or "utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class Headers:
    """An ordered header block with case-insensitive lookup and lazy decoding."""

    __slots__ = ("_fields", "_index")

    def __init__(self, fields: list[tuple[str, bytes]], index: dict[str, list[bytes]]) -> None:
        self._fields = fields
        self._index = index

    @classmethod
    def parse(cls, block: bytes) -> Headers:
        """A header block (LF line endings): (lower-case name, raw unfolded value) pairs in
        order, and the index by name built in the same pass, since triage asks at once."""
        fields: list[tuple[str, bytes]] = []
        index: dict[str, list[bytes]] = {}
        known = _NAMES
        for raw_name, value in _FIELD.findall(block):
            if b"\n" in value:
                value = _FOLD.sub(b" ", value)
            value = value.rstrip()
            name = known.get(raw_name)
            if name is None:
                name = raw_name.decode("ascii").lower()
                if len(known) < _NAMES_MAX:
                    known[raw_name] = name
            fields.append((name, value))
            values = index.get(name)
            if values is None:
                index[name] = [value]
            else:
                values.append(value)
        return cls(fields, index)

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._index

    def __len__(self) -> int:
        return len(self._fields)

    def names(self) -> KeysView[str]:
        """The field names present, lower case (a live, read-only view: no copy per call)."""
        return self._index.keys()

    def raw(self, name: str) -> bytes | None:
        """The first value as raw bytes, unfolded but not decoded."""
        values = self._index.get(name.lower())
        return values[0] if values else None

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value, decoded (8-bit bytes and RFC 2047 words)."""
        value = self.raw(name)
        if value is None:
            return default
        return decode_words(decode_header_bytes(value))

    def get_all(self, name: str) -> list[str]:
        return [decode_words(decode_header_bytes(v)) for v in self._index.get(name.lower(), ())]

    def items(self) -> Iterator[tuple[str, str]]:
        for name, value in self._fields:
            yield name, decode_words(decode_header_bytes(value))


def parse_params(value: str) -> tuple[str, dict[str, str]]:
    """`type/sub; a=b; c="d"` to ("type/sub", {"a": "b", "c": "d"}); never raises."""
    head, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for m in re.finditer(r"([\w*.-]+)\s*=\s*(\"(?:[^\"\\]|\\.)*\"?|[^;\s]*)", rest):
        key = m.group(1).lower()
        val = m.group(2)
        if val.startswith('"'):
            val = val[1:-1] if val.endswith('"') and len(val) > 1 else val[1:]
            val = val.replace('\\"', '"').replace("\\\\", "\\")
        if key.endswith("*") and "''" in val:  # RFC 2231: charset'lang'pct-encoded
            key = key[:-1]
            val = re.sub(r"%([0-9A-Fa-f]{2})", lambda x: chr(int(x.group(1), 16)), val)
            val = val.split("'", 2)[-1]
        params.setdefault(key, val)
    return head.strip().lower(), params


def addresses(text: str) -> list[str]:
    """Every mail address in `text`, in order, without duplicates."""
    seen: dict[str, None] = {}
    for addr in ADDRESS.findall(text):
        seen.setdefault(addr.strip(".'"), None)
    return list(seen)


def first_address(text: str | None) -> str | None:
    if not text:
        return None
    angle = re.search(r"<([^<>\s]+@[^<>\s]+)>", text)
    if angle:
        return angle.group(1)
    found = ADDRESS.search(text)
    return found.group(1).rstrip(".") if found else None


def message_ids(text: str | None) -> list[str]:
    """Message-IDs (`<...>` tokens) in a Message-ID, In-Reply-To or References value."""
    if not text:
        return []
    return re.findall(r"<[^<>\s]+>", text)
