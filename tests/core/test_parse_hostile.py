"""Hostile header and body encodings: every one is read as data and noted as a defect.

The drills of issue 12 found `=?base64?...?=` and its kin ending `ndrguard classify` with a
LookupError: Python has bytes-to-bytes codecs under those names, which `bytes.decode` refuses.
Each case here names what a hostile or broken sender can put where a charset label goes.
"""

from __future__ import annotations

import pytest

from ndrguard import recognise_bytes
from ndrguard.charsets import codec_for, decode_text
from ndrguard.headers import decode_words
from ndrguard.mail import parse

# Codec names Python knows that are not charsets (bytes-to-bytes, escapes, internals), names a
# mangled or made-up label may be, and labels with bytes no codec name can hold.
NOT_CHARSETS = [
    "base64", "hex", "zlib", "bz2", "rot13", "rot_13", "uu", "quopri", "base_64", "zip",
    "undefined", "unicode_escape", "raw_unicode_escape", "idna", "punycode", "charmap",
    "x-made-up", "utf-99", "", "utf\x00-8", "\udcff", "a" * 5000,
]  # fmt: skip


@pytest.mark.parametrize("label", NOT_CHARSETS, ids=lambda x: repr(x[:12]))
def test_label_that_names_no_charset_has_no_codec(label: str) -> None:
    assert codec_for(label) is None


@pytest.mark.parametrize("label", ["utf-8", "UTF8", "utf_8_", "ks_c_5601-1987", "koi8-r"])
def test_real_and_lightly_mangled_labels_still_work(label: str) -> None:
    assert codec_for(label) is not None


@pytest.mark.parametrize("label", [x for x in NOT_CHARSETS if x and "\x00" not in x][:16])
@pytest.mark.parametrize("encoding", ["q", "B"])
def test_encoded_word_in_a_non_charset_is_read_and_noted(label: str, encoding: str) -> None:
    payload = "aGVsbG8=" if encoding == "B" else "hello"
    raw = f"From: MAILER-DAEMON@x.example\nSubject: =?{label}?{encoding}?{payload}?=\n\nhi\n"
    mail = parse(raw.encode("utf-8", "surrogateescape"))
    assert mail.headers.get("subject") == "hello"
    assert any("unusable charset" in d for d in mail.defects), mail.defects
    report = recognise_bytes(raw.encode("utf-8", "surrogateescape"))
    assert report.kind is not None


@pytest.mark.parametrize(
    "value, note",
    [
        ("=?utf-8?q?cut off", "not closed"),
        ("=?utf-8?B?###?=", "broken payload"),
        ("=?utf-8?q?=FF=FE?=", "does not fit"),
        ("=?utf-16?B?AA?=", "does not fit"),  # an odd number of bytes for a 16-bit charset
        ("=?iso-2022-jp?B?GyRCJCIk?=", "does not fit"),  # escape sequence with half a character
    ],
)
def test_broken_encoded_words_are_noted(value: str, note: str) -> None:
    defects: list[str] = []
    text = decode_words(value, defects)
    assert isinstance(text, str)
    assert any(note in d for d in defects), defects


@pytest.mark.parametrize("label", ["base64", "zlib", "undefined", "x-made-up", "utf\x00"])
def test_body_part_in_a_non_charset_is_read(label: str) -> None:
    text, note = decode_text("Grüße".encode(), label)
    assert text == "Grüße"
    assert note is not None and "unknown charset" in note


def test_nul_bytes_and_8bit_junk_in_headers_are_data() -> None:
    raw = b"From: MAILER-DAEMON@x.example\nSubject: a\x00b\xff\xfe=?bz2?q?x?=\nTo: \x00\n\nhi\n"
    mail = parse(raw)
    assert mail.headers.get("subject") is not None
    assert "NUL bytes in a header block" in mail.defects
    assert recognise_bytes(raw).kind is not None


def test_megabyte_header_line_of_encoded_words_in_made_up_charsets() -> None:
    line = b"Subject: " + b"=?x-bogus?q?a?= =?base64?B?YQ==?= " * 40_000 + b"\n"
    mail = parse(b"From: MAILER-DAEMON@x.example\n" + line + b"\nhi\n")
    assert (mail.headers.get("subject") or "").startswith("aa")
    assert any("unusable charset" in d for d in mail.defects)
