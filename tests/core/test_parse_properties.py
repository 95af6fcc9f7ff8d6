"""Property tests: whatever bytes arrive, `recognise_bytes` answers, and answers in bounded time.

A mailbox holds truncated downloads, messages re-encoded by gateways, MIME trees broken by
list software, mail loops that nest a message in itself thousands of times, and plain binary
garbage. Hypothesis makes such messages from well-formed seeds (a bounce, an ARF report, an MDN
and an auto-reply) and from nothing. Each must give a Report without an exception, in well
under a second: a generous bound against pathological blow-up, not a speed target.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ndrguard import recognise_bytes
from ndrguard.report import Kind

BOUND = 1.0  # seconds per message

SEEDS = [
    (
        b"Return-Path: <>\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
        b"To: alice@example.com\nSubject: Undelivered Mail Returned to Sender\n"
        b"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; "
        b'boundary="b1"\n\n--b1\nContent-Type: text/plain; charset=utf-8\n'
        b"Content-Transfer-Encoding: quoted-printable\n\nYour message could not be delivered to"
        b" <bob@example.net>: 550 5.1.1 unknown user =C3=A9\n--b1\n"
        b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
        b"Final-Recipient: rfc822; bob@example.net\nAction: failed\nStatus: 5.1.1\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 unknown user\n--b1\nContent-Type: message/rfc822\n\n"
        b"From: alice@example.com\nTo: bob@example.net\nSubject: hi\n"
        b"Message-ID: <1@example.com>\n\nhello\n--b1--\n"
    ),
    (
        b"From: fbl@example.net\nSubject: FW: hi\nContent-Type: multipart/report; "
        b'report-type=feedback-report; boundary="a"\n\n--a\nContent-Type: text/plain\n\nreport\n'
        b"--a\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: x/1\n"
        b"Version: 1\n--a\nContent-Type: text/rfc822-headers\n\nFrom: a@example.com\n"
        b"Subject: hi\n--a--\n"
    ),
    (
        b"From: bob@example.net\nSubject: Read: hi\nContent-Type: multipart/report; "
        b'report-type=disposition-notification; boundary="m"\n\n--m\nContent-Type: text/plain'
        b"\n\nDisplayed.\n--m\nContent-Type: message/disposition-notification\n\n"
        b"Final-Recipient: rfc822;bob@example.net\nDisposition: manual-action/MDN-sent-manually;"
        b" displayed\n--m--\n"
    ),
    (
        b"Return-Path: <>\nFrom: bob@example.net\nSubject: =?utf-8?b?6Ieq5YuV5b+c562UOiBoaQ==?=\n"
        b"Auto-Submitted: auto-replied\nContent-Type: text/plain; charset=iso-2022-jp\n"
        b"Content-Transfer-Encoding: base64\n\nGyRCSVs6XxsoQg==\n"
    ),
]


def _check(raw: bytes) -> None:
    started = time.perf_counter()
    report = recognise_bytes(raw)
    elapsed = time.perf_counter() - started
    assert isinstance(report.kind, Kind)
    assert not any("recogniser" in d and "failed" in d for d in report.defects), report.defects
    assert elapsed < BOUND, f"{elapsed:.2f} s for {len(raw)} bytes"


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed message put through what transport and broken software do to mail."""
    raw = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 4))):
        op = draw(
            st.sampled_from(
                ["truncate", "insert", "delete", "crlf", "cr", "boundary", "reencode", "dup"]
            )
        )
        if not raw:
            break
        at = draw(st.integers(0, len(raw)))
        if op == "truncate":
            raw = raw[:at]
        elif op == "insert":
            raw = raw[:at] + draw(st.binary(max_size=64)) + raw[at:]
        elif op == "delete":
            raw = raw[:at] + raw[at + draw(st.integers(1, 64)) :]
        elif op == "crlf":
            raw = raw.replace(b"\n", b"\r\n")
        elif op == "cr":
            raw = raw.replace(b"\n", b"\r")
        elif op == "boundary":  # a gateway that rewrites or drops MIME delimiters
            raw = raw.replace(b"--b1", draw(st.sampled_from([b"--B1", b"-- b1", b"--b1--", b""])))
            raw = raw.replace(b"--a\n", b"--a").replace(b"--m--", b"")
        elif op == "reencode":  # mangled charsets and transfer encodings
            raw = raw.replace(b"utf-8", draw(st.sampled_from([b"koi8-r", b"x-bogus", b"utf-7"])))
            raw = raw.replace(b"base64", b"quoted-printable").replace(b"=C3", b"=Z")
        elif op == "dup":  # mail loops: the message wrapped into itself
            raw = raw + b"\n" + raw
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_messages(raw: bytes) -> None:
    _check(raw)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_binary_garbage(raw: bytes) -> None:
    _check(raw)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "From: MAILER-DAEMON@x.example\n",
                "Return-Path: <>\n",
                "Subject: =?utf-8?b?",
                "Subject: Undeliverable\n",
                "Auto-Submitted: auto-replied\n",
                "Content-Type: multipart/report; boundary=z\n",
                "Content-Type: message/rfc822\n",
                "Content-Transfer-Encoding: base64\n",
                "\n",
                "--z\n",
                "--z--\n",
                "550 5.1.1 <a@example.org> could not be delivered\n",
                "=?iso-2022-jp?b?GyRC?=",
                "\r",
                "From x\n",
                " folded\n",
            ]
        ),
        max_size=60,
    )
)
def test_shuffled_mail_fragments(fragments: list[str]) -> None:
    _check("".join(fragments).encode())


def test_ten_thousand_nested_parts() -> None:
    """A multipart nested 10,000 levels deep (each level its own boundary)."""
    n = 10_000
    head = "".join(
        f'--n{i}\nContent-Type: multipart/mixed; boundary="n{i + 1}"\n\n' for i in range(n)
    )
    raw = 'From: MAILER-DAEMON@example.org\nContent-Type: multipart/mixed; boundary="n0"\n\n'
    _check((raw + head + "innermost\n").encode())


def test_ten_thousand_attached_messages() -> None:
    """A mail loop's message/rfc822 inside message/rfc822, 10,000 times."""
    layer = "Return-Path: <>\nFrom: MAILER-DAEMON@example.org\nContent-Type: message/rfc822\n\n"
    _check((layer * 10_000 + "From: a@example.org\n\nhi\n").encode())


def test_ten_thousand_sibling_parts() -> None:
    body = "".join(
        f"--z\nContent-Type: text/plain\n\n{i} could not be delivered\n" for i in range(10_000)
    )
    raw = "Return-Path: <>\nFrom: MAILER-DAEMON@example.org\n"
    raw += "Content-Type: multipart/mixed; boundary=z\n\n"
    _check((raw + body + "--z--\n").encode())


def test_huge_header_block() -> None:
    raw = b"From: MAILER-DAEMON@example.org\n" + b"Received: from x by y\n" * 200_000 + b"\nbody\n"
    _check(raw)


def test_one_endless_header_line() -> None:
    _check(b"Subject: " + b"=?utf-8?q?a?= " * 100_000 + b"\nFrom: a@example.org\n\nx\n")


def test_endless_line_of_addresses_in_a_bounce() -> None:
    body = " ".join(f"u{i}@example.org" for i in range(50_000))
    raw = "Return-Path: <>\nFrom: MAILER-DAEMON@example.org\nSubject: Undelivered\n\n"
    _check((raw + "could not be delivered to " + body + "\n").encode())
