"""Adversarial messages of a chosen size, for the scaling tests and bench/fuzz.py's reports.

Each maker returns a bounce-looking message (null sender, MAILER-DAEMON, a failure subject) so
that triage lets it through and every recogniser reads its body; `n` scales the hostile part
linearly in bytes. The shapes are those that made parsers quadratic elsewhere: many header-like
lines (quoted originals re-split per line), many recipients, one long line, deep nesting, many
DSN blocks, a huge base64 part, long runs of bounce phrases.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

HEAD = (
    b"Return-Path: <>\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
    b"To: alice@example.org\nSubject: Undelivered Mail Returned to Sender\n"
    b"Auto-Submitted: auto-replied\nMIME-Version: 1.0\n"
)


def _plain(body: bytes) -> bytes:
    return HEAD + b"Content-Type: text/plain; charset=utf-8\n\n" + body


def header_lines(n: int) -> bytes:
    """A report text of n quoted "To: x" lines (the 150 KB bounce of issue 13 took 28 s)."""
    return _plain(b"This message could not be delivered.\n\n" + b"To: x\n" * n)


def quoted_fields(n: int) -> bytes:
    """n quoted header lines of many names, prefixed by "> " as a reply quotes them."""
    names = [b"Received: from a by b", b"X-Spam: yes", b"Subject: hi", b"To: x@example.net"]
    return _plain(b"Your message:\n" + b"".join(b"> " + names[i % 4] + b"\n" for i in range(n)))


def recipients(n: int) -> bytes:
    """A failure text naming n recipients, one per line, each with a reason."""
    rows = b"".join(b"<u%d@example.net>: 550 5.1.1 user unknown\n" % i for i in range(n))
    return _plain(
        b"I'm sorry to have to inform you that your message could not\n"
        b"be delivered to one or more recipients.\n\n" + rows
    )


def long_line(n: int) -> bytes:
    """One body line of n address-like and punctuation-heavy words, no line break."""
    return _plain(b"could not be delivered to " + b"a!b#c@ x.y= " * n + b"\n")


def nesting(n: int) -> bytes:
    """Multiparts nested n deep (each its own boundary), the report text innermost."""
    head = b"".join(
        b'--n%d\nContent-Type: multipart/mixed; boundary="n%d"\n\n' % (i, i + 1) for i in range(n)
    )
    return (
        HEAD
        + b'Content-Type: multipart/mixed; boundary="n0"\n\n'
        + head
        + b"--n%d\nContent-Type: text/plain\n\n550 5.1.1 could not be delivered\n" % n
    )


def dsn_blocks(n: int) -> bytes:
    """An RFC 3464 report with n per-recipient blocks."""
    blocks = b"".join(
        b"Final-Recipient: rfc822; u%d@example.net\nAction: failed\nStatus: 5.1.1\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 unknown\n\n" % i
        for i in range(n)
    )
    return (
        HEAD + b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nDelivery failed.\n--b\n"
        b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
        + blocks
        + b"--b--\n"
    )


def base64_part(n: int) -> bytes:
    """A report whose attached original carries n lines of base64."""
    line = base64.b64encode(bytes(range(57))) + b"\n"
    return (
        HEAD + b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
        b"550 5.1.1 could not be delivered\n--b\nContent-Type: text/plain\n"
        b"Content-Transfer-Encoding: base64\n\n" + line * n + b"--b--\n"
    )


def phrases(n: int) -> bytes:
    """n repetitions of bounce phrases in several languages, no structure at all."""
    run = (
        "could not be delivered, unzustellbar, non remis, 配信できませんでした, "
        "mailbox full, user unknown 550 5.1.1; "
    ).encode()
    return _plain(run * n)


def header_block(n: int) -> bytes:
    """The message's own header block: n Received lines and an n-word encoded Subject."""
    received = b"Received: from h.example by mx.example.org; Mon, 3 Mar 2025 10:00:00 +0000\n" * n
    subject = b"Subject: " + b"=?utf-8?q?Unzustellbar?= " * n + b"\n"
    return HEAD + received + subject + b"\n550 5.1.1 could not be delivered\n"


def folded_blanks(n: int) -> bytes:
    """A From: of n continuation lines holding only white space (a regex with two `\\s*` in a
    row tried every split of it: 34 s for a 200 KB message)."""
    return HEAD.replace(b"From: ", b"From:" + b"\n " * n + b"\n x\nX-Was-From: ") + b"\n550 5.1.1\n"


def _returned(original_head: bytes) -> bytes:
    """A Postfix-like report whose attached original has the header block given."""
    return (
        HEAD + b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\n550 5.1.1 could not be delivered\n--b\n"
        b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
        b"Final-Recipient: rfc822; bob@example.net\nAction: failed\nStatus: 5.1.1\n\n"
        b"--b\nContent-Type: message/rfc822\n\n" + original_head
        + b"From: alice@example.org\nTo: bob@example.net\nSubject: hi\n"
        b"Message-ID: <m@example.org>\n\nthe body\n--b--\n"
    )


def dkim_signatures(n: int) -> bytes:
    """The returned original carries n DKIM signatures of the user's domain, each a selector
    of its own (each check read the whole message again: 400 of them took 9 s)."""
    sig = (b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s%d;\n"
           b" h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hLuFU=; b=AAAA\n")
    return _returned(b"".join(sig % i for i in range(n)))


def batv_tags(n: int) -> bytes:
    """The bounce's own headers name n BATV-tagged addresses of the user (Received ... for)."""
    rows = b"".join(
        b"Received: from mx%d.example.net by mx.example.org for <prvs=3%03d%06x=alice@example.org>;"
        b" Mon, 3 Mar 2025 10:00:00 +0000\n" % (i, i % 1000, i) for i in range(n)
    )
    return rows + dkim_signatures(0)


def received_chain(n: int) -> bytes:
    """The returned original's Received chain has n hops, relays' names and addresses among
    them (the own-relay and Received evidence walk it)."""
    rows = b"".join(
        b"Received: from h%d.example.net (h%d.example.net [192.0.2.%d]) by relay.example.org"
        b" with ESMTPS id x%d; Mon, 3 Mar 2025 10:00:00 +0000\n" % (i, i, i % 250, i)
        for i in range(n)
    )
    return _returned(rows)


def references(n: int) -> bytes:
    """The returned original refers to n earlier messages (the Sent evidence looks them up)."""
    ids = b" ".join(b"<r%d@example.org>" % i for i in range(n))
    return _returned(b"References: " + ids + b"\nIn-Reply-To: <r0@example.org>\n")


MAKERS: dict[str, Callable[[int], bytes]] = {
    f.__name__: f
    for f in (
        header_lines,
        quoted_fields,
        recipients,
        long_line,
        nesting,
        dsn_blocks,
        base64_part,
        phrases,
        header_block,
        folded_blanks,
        dkim_signatures,
        batv_tags,
        received_chain,
        references,
    )
}

# An n for each maker whose 4n still fits inside the default Limits (so the scaling is the
# code's, not a cap's) and whose time is well above the clock's noise.
SIZES = {
    "header_lines": 5_000,
    "quoted_fields": 2_500,
    "recipients": 700,
    "long_line": 2_500,
    "nesting": 5,
    "dsn_blocks": 300,
    "base64_part": 800,
    "phrases": 200,
    "header_block": 600,
    "folded_blanks": 2_000,
    "dkim_signatures": 300,
    "batv_tags": 400,
    "received_chain": 500,
    "references": 150,
}
