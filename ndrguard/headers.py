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
VALUE_BYTES = 32 * 1024  # one field's value; real To: lists of 1,000 addresses fit
_OPEN_WORD = re.compile(r"=\?[^?\s]{1,64}\?[bBqQ]\?")  # what is left of a word cut off

# addr-spec good enough for mail headers and bounce texts: a local part and a dotted domain (or
# an address literal). Quoted local parts are rare in bounces and not worth the cost.
ADDRESS = re.compile(
    r"(?<![\w.+=/-])([\w.!#$%&'*+/=?^`{|}~-]+@(?:[\w-]+(?:\.[\w-]+)+|\[[0-9A-Fa-f:.]+\]))"
)


def decode_words(text: str, defects: list[str] | None = None) -> str:
    """Decode RFC 2047 encoded words; broken ones are left as written.

    Hostile mail names any charset (`base64`, `zlib`, a made-up label, NUL bytes) and cuts
    words off: all of it is read as best we can and noted in `defects`, never raised.
    """
    if "=?" not in text:
        return text
    text = _ENCODED_GAP.sub("?==?", text)  # white space between adjacent words is not text
    notes: list[str] = []
    decoded = _ENCODED_WORD.sub(lambda m: _decode_word(m, notes), text)
    if defects is not None:
        if not notes and "=?" in decoded and _OPEN_WORD.search(decoded):
            notes.append("encoded word not closed or not well formed; left as written")
        for note in notes:
            _note(defects, note)
    return decoded


def _decode_word(match: re.Match[str], notes: list[str]) -> str:
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
        notes.append("encoded word with a broken payload; left as written")
        return match.group(0)
    codec = codec_for(charset)
    if codec is None:
        notes.append(f"encoded word in an unusable charset {charset[:40]!r}")
        return decode_header_bytes(data)
    try:
        return data.decode(codec)
    except UnicodeError:
        notes.append(f"encoded word does not fit its charset {charset[:40]!r}")
        return decode_header_bytes(data)


class Headers:
    """An ordered header block with case-insensitive lookup and lazy decoding.

    Parsing is one regular-expression pass and a few C-level list operations: no Python loop
    per field. Values are unfolded and decoded only when asked for, because triage reads a
    handful of fields of every message and nothing else of ordinary mail.
    """

    __slots__ = ("_all", "_defects", "_first", "_got", "_names", "_values")

    def __init__(
        self,
        names: list[str],
        values: list[bytes],
        first: dict[str, bytes],
        defects: list[str] | None = None,
    ) -> None:
        self._names = names  # lower case, in order
        self._values = values  # raw: still folded, trailing blanks kept
        self._first = first  # name -> its first raw value
        self._all: dict[str, tuple[str, ...]] = {}  # get_all answers: evidence asks repeatedly
        self._got: dict[str, str] = {}  # get answers: recognisers ask for From and Subject often
        self._defects = defects  # the message's defect list: decoding notes what it had to mend

    @classmethod
    def parse(cls, block: bytes, defects: list[str] | None = None) -> Headers:
        """A header block with LF line endings; what is wrong with it goes to `defects`."""
        pairs = _FIELD.findall(block)
        if defects is not None and b"\x00" in block:
            _note(defects, "NUL bytes in a header block")
        if not pairs:
            return cls([], [], {}, defects)
        raw_names, values = zip(*pairs, strict=True)
        names = b"\n".join(raw_names).lower().decode("ascii").split("\n")
        values_list = list(values)
        # reversed, so that the first occurrence of a repeated name is the one kept
        first = dict(zip(reversed(names), reversed(values_list), strict=True))
        return cls(names, values_list, first, defects)

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._first

    def __len__(self) -> int:
        return len(self._values)

    def names(self) -> KeysView[str]:
        """The field names present, lower case (a live, read-only view: no copy per call)."""
        return self._first.keys()

    def raw(self, name: str) -> bytes | None:
        """The first value as raw bytes, unfolded but not decoded."""
        value = self._first.get(name.lower())
        return None if value is None else self._unfold(value)

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value, decoded (8-bit bytes and RFC 2047 words).

        Decoded once per name: a hostile value of 100,000 encoded words costs a quarter of a
        second, and a dozen recognisers ask for the same From and Subject.
        """
        found = self._got.get(name)  # callers ask in lower case; others are cached too
        if found is not None:
            return found
        value = self._first.get(name.lower())
        if value is None:
            return default
        found = decode_words(decode_header_bytes(self._unfold(value)), self._defects)
        self._got[name] = found
        return found

    def get_all(self, name: str) -> list[str]:
        key = name.lower()
        found = self._all.get(key)
        if found is None:
            if key not in self._first:
                return []
            found = self._all[key] = tuple(
                decode_words(decode_header_bytes(self._unfold(v)), self._defects)
                for n, v in zip(self._names, self._values, strict=True)
                if n == key
            )
        return list(found)

    def raw_items(self) -> Iterator[tuple[str, bytes]]:
        """(lower-case name, raw value still folded), in order: to write fields out again."""
        return zip(self._names, self._values, strict=True)

    def items(self) -> Iterator[tuple[str, str]]:
        for name, value in zip(self._names, self._values, strict=True):
            yield name, decode_words(decode_header_bytes(self._unfold(value)), self._defects)


    def _unfold(self, value: bytes) -> bytes:
        """Unfolded, and cut at VALUE_BYTES: recognisers search From and Subject dozens of
        times, so one megabyte field would cost each search its length."""
        if len(value) > VALUE_BYTES:
            value = value[:VALUE_BYTES]
            if self._defects is not None:
                _note(self._defects, f"a header field longer than {VALUE_BYTES} bytes, cut")
        return _unfold(value)


def _note(defects: list[str], note: str) -> None:
    if note not in defects:
        defects.append(note)


def _unfold(value: bytes) -> bytes:
    if b"\n" in value:
        value = _FOLD.sub(b" ", value)
    return value.rstrip()


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
