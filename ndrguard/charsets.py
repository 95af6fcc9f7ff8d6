"""Turning bytes of uncertain charset into text without ever raising.

Mail lies about its charset all the time: `us-ascii` parts full of 8-bit bytes, `unknown-8bit`,
Korean mail labelled `ks_c_5601-1987`, Japanese labelled `shift_jis` but written in cp932. The
recognisers only need readable text, so we prefer the declared charset, check it really fits,
and fall back to UTF-8 and then cp1252 (which maps almost every byte) when it does not.
"""

from __future__ import annotations

import codecs
from functools import lru_cache

from ndrguard import charset_guess

# Labels that Python does not know, or knows as a narrower charset than mail actually uses.
_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "windows-874": "cp874",
    "x-mac-roman": "mac_roman",
    "ansi_x3.4-1968": "ascii",
    "us-ascii": "ascii",
    "x-user-defined": "cp1252",
    "iso-8859-1": "cp1252",  # what senders mean by latin-1 almost always includes cp1252 extras
    "latin1": "cp1252",
    "unknown-8bit": "",
    "x-unknown": "",
    "unknown": "",
    "default": "",
    "8bit": "",
    "utf8": "utf-8",
}

# Text codecs that Python has but no mail charset label may name: they are escape syntaxes or
# Python internals, not charsets, and some raise UnicodeError on any input ("undefined").
_NOT_CHARSETS = frozenset(
    {"undefined", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "charmap"}
)


@lru_cache(maxsize=256)
def codec_for(label: str | None) -> str | None:
    """The Python codec for a declared charset label, or None when it names nothing usable.

    Labels come from hostile mail: anything that is not the name of a text charset (a binary
    codec, a Python-internal one, a name with NUL bytes, a megabyte of junk) is None, never an
    exception.
    """
    if not label or len(label) > 64:
        return None
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    if not name:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):  # unknown, or a name with NUL or surrogates in it
        return None
    # Only text codecs: `base64`, `hex`, `zlib`, `bz2`, `rot13`, `uu` and `quopri` are codecs
    # too, but bytes-to-bytes ones that `bytes.decode` refuses with LookupError.
    if not info._is_text_encoding or info.name in _NOT_CHARSETS:
        return None
    return info.name


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str | None]:
    """Decode `data`; return the text and a defect note when the declared charset lied.

    A declared charset that cannot decode the bytes, or that decodes them into what does not
    look like writing (single-byte charsets decode anything), gives way to the likeliest of
    the charsets mail is really written in (`ndrguard.charset_guess`); the note names both.
    """
    codec = codec_for(declared)
    if codec is not None:
        try:
            text = data.decode(codec)
        except UnicodeError:
            pass
        else:
            if data.isascii() or not _decodes_anything(codec):
                return text, None
            mark = charset_guess.score(text, codec)
            if mark >= _PLAUSIBLE:
                return text, None
            other = charset_guess.best(data, codec)
            if other is None or other[1] < mark + _BETTER:
                return text, None
            return data.decode(other[0], errors="replace"), (
                f"text declared {_label(declared or '')} reads as {other[0]}"
            )
    elif data.isascii():
        return data.decode("ascii"), None
    found = charset_guess.best(data, codec)
    if found is not None:
        used = found[0]
    else:
        # Nothing decodes it cleanly. A multi-byte charset that almost fits keeps most
        # characters with replacements; otherwise cp1252, which maps almost every byte.
        used = codec if codec and codec not in ("ascii", "utf-8") else "cp1252"
    text = data.decode(used, errors="replace")
    if declared and codec is None:
        return text, f"unknown charset {_label(declared)}; read as {used}"
    if declared:
        return text, f"text does not fit its declared charset {_label(declared)}; read as {used}"
    return text, None


# A decoding this plausible is kept without a second look; another charset must score this
# much better to replace a declared one that did decode.
_PLAUSIBLE = 0.6
_BETTER = 0.3


def _decodes_anything(codec: str) -> bool:
    """Single-byte charsets: they never fail, so only the look of their text can tell."""
    return codec.startswith(("cp125", "iso8859", "koi8", "mac-", "cp8", "latin"))


def _label(declared: str) -> str:
    return repr(declared.strip()[:40])


def decode_header_bytes(data: bytes) -> str:
    """Raw (8-bit) header bytes to text: UTF-8 when it is, else cp1252."""
    if data.isascii():
        return data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
