"""The parser (ndrguard/mail.py) on the malformed mail that real mailboxes hold.

Each test is one fault seen in the wild: mailboxes written with CR-only (classic Mac OS) line
endings, mbox "From " separators left in, 8-bit headers, "us-ascii" parts full of Latin-1,
RFC 2047 words split or broken, MIME boundaries that never close or never appear, multiparts
nested beyond reason by mail loops, and a 50 MB attachment that must not be decoded whole.
"""

from __future__ import annotations

import base64
import time
import tracemalloc

import pytest

from ndrguard import recognise_bytes
from ndrguard.mail import DEFAULT_LIMITS, parse

SIMPLE = (
    "From: Alice <alice@example.org>\n"
    "To: bob@example.org\n"
    "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "line one\n"
    "line two\n"
)


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_line_endings_give_the_same_message(eol: str) -> None:
    mail = parse(SIMPLE.replace("\n", eol).encode())
    assert mail.headers.get("subject") == "Grüße"
    assert mail.headers.get("to") == "bob@example.org"
    assert mail.text() == "line one\nline two\n"


def test_mixed_line_endings() -> None:
    raw = b"From: a@example.org\r\nSubject: x\nTo: b@example.org\r\r\nbody\r\n"
    mail = parse(raw)
    assert mail.headers.get("to") == "b@example.org"
    assert "body" in mail.text()


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_mbox_from_line_is_not_a_header(eol: str) -> None:
    # CR-only once lost the whole message after the separator (it was cut at the first LF).
    raw = "From MAILER-DAEMON  Mon Sep 20 19:29:27 2021\n" + SIMPLE
    mail = parse(raw.replace("\n", eol).encode())
    assert mail.headers.get("from") == "Alice <alice@example.org>"
    assert mail.headers.get("subject") == "Grüße"
    assert not any("no header" in d for d in mail.defects)


def test_folded_headers_are_unfolded() -> None:
    mail = parse(b"Subject: one\n two\n\tthree\nFrom: a@example.org\n\nx\n")
    assert mail.headers.get("subject") == "one two three"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Subject: Gr\u00fc\u00dfe\n".encode(), "Grüße"),  # raw UTF-8 in a header
        ("Subject: Gr\u00fc\u00dfe\n".encode("latin-1"), "Grüße"),  # raw Latin-1
        (b"Subject: =?iso-8859-1?q?Gr=FC=DFe?=\n", "Grüße"),
        (b"Subject: =?UTF-8?B?R3LDvMOfZQ==?=\n", "Grüße"),
        (b"Subject: =?utf-8?q?a?= =?utf-8?q?b?=\n", "ab"),  # white space between words is dropped
        (b"Subject: =?utf-8?q?a_b?=\n", "a b"),
        (b"Subject: =?utf-8?B?R3LDvMOfZQ?=\n", "Grüße"),  # padding missing
        (b"Subject: =?x-unknown?q?abc?=\n", "abc"),  # unknown charset
        (b"Subject: =?utf-8?q?broken\n", "=?utf-8?q?broken"),  # never closed: left as written
        (b"Subject: =?utf-8?B?###?=\n", "=?utf-8?B?###?="),
        (b"Subject: =?utf-8*en?q?hi?=\n", "hi"),  # RFC 2231 language suffix
        (b"Subject: =?gb2312?b?zcu0ztPKvP4=?=\n", "退次邮件"),
    ],
)
def test_header_decoding(raw: bytes, expected: str) -> None:
    mail = parse(b"From: a@example.org\n" + raw + b"\nbody\n")
    assert mail.headers.get("subject") == expected


@pytest.mark.parametrize(
    "declared, body, expected",
    [
        ("us-ascii", "caf\u00e9 cr\u00e8me".encode(), "café crème"),  # UTF-8 under us-ascii
        ("us-ascii", "caf\u00e9".encode("latin-1"), "café"),  # Latin-1 under us-ascii
        ("utf-8", "caf\u00e9".encode("latin-1"), "café"),  # Latin-1 under utf-8
        ("x-no-such-charset", b"plain", "plain"),
        ("unknown-8bit", "caf\u00e9".encode(), "café"),
        ("ks_c_5601-1987", "\ud55c\uad6d".encode("cp949"), "한국"),
        ("shift_jis", "\u2460".encode("cp932"), "①"),  # cp932 extension under Shift_JIS
    ],
)
def test_body_charset_that_lies(declared: str, body: bytes, expected: str) -> None:
    raw = f"From: a@example.org\nContent-Type: text/plain; charset={declared}\n\n".encode() + body
    assert parse(raw).text().strip() == expected


def test_base64_padding_keeps_the_last_bytes() -> None:
    """An ISO-2022-JP text ends with an escape back to ASCII; lose it and nothing decodes."""
    text = "配信できませんでした"
    payload = base64.encodebytes(text.encode("iso-2022-jp")).decode()
    assert payload.rstrip().endswith("=")
    raw = (
        "From: a@example.org\nContent-Type: text/plain; charset=iso-2022-jp\n"
        f"Content-Transfer-Encoding: base64\n\n{payload}"
    ).encode()
    assert parse(raw).text() == text


def _multipart(body: str, boundary: str | None = "b1") -> bytes:
    ctype = "multipart/mixed" + (f'; boundary="{boundary}"' if boundary else "")
    return f"From: a@example.org\nContent-Type: {ctype}\n\n{body}".encode()


def test_multipart_without_closing_delimiter() -> None:
    mail = parse(_multipart("--b1\nContent-Type: text/plain\n\nfirst\n--b1\n\nsecond\n"))
    assert [p.content_type for p in mail.walk()] == ["multipart/mixed", "text/plain", "text/plain"]
    assert "first" in mail.text() and "second" in mail.text()
    assert any("no closing delimiter" in d for d in mail.defects)


def test_boundary_that_never_appears_is_read_as_text() -> None:
    mail = parse(_multipart("just text, no parts\n"))
    assert mail.root.content_type == "text/plain"
    assert "just text" in mail.text()
    assert any("never appears" in d for d in mail.defects)


def test_multipart_without_boundary_parameter() -> None:
    mail = parse(_multipart("--b1\n\nhello\n--b1--\n", boundary=None))
    assert "hello" in mail.text()
    assert any("without a boundary" in d for d in mail.defects)


def test_longer_boundary_that_starts_alike_is_not_a_delimiter() -> None:
    body = "--b1\n\nouter\n--b1x\nnot a delimiter\n--b1--\n"
    mail = parse(_multipart(body))
    assert len(mail.root.children) == 1
    assert "not a delimiter" in mail.text()


def test_deep_nesting_stops_at_the_limit() -> None:
    depth = 200
    head = "".join(
        f'--n{i}\nContent-Type: multipart/mixed; boundary="n{i + 1}"\n\n' for i in range(depth)
    )
    tail = "".join(f"--n{i}--\n" for i in reversed(range(depth)))
    raw = 'From: a@example.org\nContent-Type: multipart/mixed; boundary="n0"\n\n' + head
    raw += f"--n{depth}\n\ninnermost\n" + tail
    mail = parse(raw.encode())
    parts = list(mail.walk())
    assert max(p.depth for p in parts) <= DEFAULT_LIMITS.depth
    assert any("nesting deeper" in d for d in mail.defects)
    assert str(recognise_bytes(raw.encode()).kind) == "other"


def test_many_parts_stop_at_the_limit() -> None:
    body = "".join(f"--b1\n\npart {i}\n" for i in range(5000)) + "--b1--\n"
    mail = parse(_multipart(body))
    assert len(list(mail.walk())) <= DEFAULT_LIMITS.parts + 1
    assert any("MIME parts" in d for d in mail.defects)


def test_attached_message_with_transfer_encoding_is_decoded() -> None:
    inner = base64.encodebytes(b"From: x@example.org\nSubject: inner\n\nhi\n").decode()
    body = (
        f"--b1\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n{inner}--b1--\n"
    )
    mail = parse(_multipart(body))
    inner_part = mail.root.children[0].children[0]
    assert inner_part.headers.get("subject") == "inner"


def test_no_header_block_at_all() -> None:
    mail = parse(b"\njust a body\n")
    assert len(mail.headers) == 0
    assert "no header fields" in mail.defects
    assert str(recognise_bytes(b"\njust a body\n").kind) == "other"


@pytest.mark.parametrize(
    "raw", [b"", b"\n", b"\r\n\r\n", b"From ", b"From x\n", b":\n\n", b"\x00" * 64]
)
def test_degenerate_input(raw: bytes) -> None:
    assert str(recognise_bytes(raw).kind) == "other"


def test_html_only_text_is_reduced_to_words() -> None:
    raw = (
        b"From: a@example.org\nContent-Type: text/html\n\n"
        b"<html><style>p{x}</style><p>Delivery&nbsp;failed&#33;</p><br>next</html>"
    )
    assert parse(raw).text().split() == ["Delivery", "failed!", "next"]


def test_fifty_megabyte_attachment_is_never_decoded_whole() -> None:
    """A 50 MB base64 attachment after a bounce text: the text is read, memory stays flat."""
    chunk = base64.encodebytes(bytes(range(256)) * 3).replace(b"\n", b"\n")  # 76-char lines
    body_size = 50 * 1024 * 1024
    attachment = chunk * (body_size // len(chunk))
    raw = (
        b"From: MAILER-DAEMON@example.org\nReturn-Path: <>\nSubject: Undelivered Mail\n"
        b'Content-Type: multipart/mixed; boundary="b1"\n\n'
        b"--b1\nContent-Type: text/plain\n\n"
        b"Your message could not be delivered to bob@example.net: 550 5.1.1 unknown user\n"
        b"--b1\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
        + attachment
        + b"\n--b1--\n"
    )
    del attachment
    tracemalloc.start()
    started = time.perf_counter()
    try:
        report = recognise_bytes(raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    mail = parse(raw)
    text = mail.text()
    for part in mail.walk():
        assert len(part.decoded()) <= DEFAULT_LIMITS.decoded_bytes
    assert len(text) <= DEFAULT_LIMITS.text_chars
    assert "could not be delivered" in text
    assert str(report.kind) == "failure"
    assert peak < 25 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB beyond the input"
    assert elapsed < 10, f"{elapsed:.1f} s"  # a bound against blow-up, not a speed target
    assert any("only the first" in d for d in mail.defects)
