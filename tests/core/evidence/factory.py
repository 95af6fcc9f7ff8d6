"""Generated mail for evidence, verdict and scenario tests: one user, one relay, known keys.

Everything here is made up for the tests and marked so: the user is alice@example.org, whose
relay relay.example.org (198.51.100.25) tags envelope senders with BATV key 3 and signs with
DKIM for example.org. Bounces are RFC 3464 reports written the way Postfix writes them, with
the original attached whole (full), as text/rfc822-headers (partial), or left out (empty).
"""

from __future__ import annotations

import base64
import ipaddress
from datetime import UTC, datetime, timedelta
from functools import cache

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ndrguard import Mail, Report, parse
from ndrguard import batv as batv_tags
from ndrguard.evidence import KeyLookup
from ndrguard.identity import Identity
from ndrguard.recognise import recognise

USER = "alice@example.org"
DOMAIN = "example.org"
RELAY = "relay.example.org"
RELAY_IP = "198.51.100.25"
MAILBOX = "mx.example.org"  # the user's mailbox server, not a relay
REMOTE = "mx.remote.example"  # the server that bounces
REMOTE_IP = "203.0.113.7"
SECRET = b"test secret for key 3"
KEY = 3
LIFETIME = 7
GRACE = 2
ARRIVED = datetime(2024, 5, 20, 9, 30, tzinfo=UTC)
SELECTOR = b"test"
ORIGINAL_ID = "<20240518101010.4F2A1@example.org>"


def identity(**changes: object) -> Identity:
    """Alice as ndrguard knows her; keyword arguments replace single fields."""
    fields: dict[str, object] = {
        "addresses": frozenset({USER}),
        "domains": frozenset({DOMAIN}),
        "batv_keys": {KEY: SECRET},
        "lifetime_days": LIFETIME,
        "grace_days": GRACE,
        "relay_hosts": frozenset({RELAY}),
        "relay_networks": (ipaddress.ip_network("198.51.100.0/24"),),
        "dkim_domains": frozenset({DOMAIN}),
    }
    fields.update(changes)
    return Identity(**fields)  # type: ignore[arg-type]


def tagged(days_before: int = 2, *, key: int = KEY, secret: bytes = SECRET) -> str:
    """Alice's address as her relay tagged it `days_before` the bounce arrived."""
    day = ARRIVED.date() - timedelta(days=days_before)
    return batv_tags.sign(USER, key, secret, day, LIFETIME)


def original(
    *,
    sender: str = USER,
    message_id: str = ORIGINAL_ID,
    subject: str = "Lunch on Friday",
    received: tuple[str, ...] | None = None,
    body: str = "Shall we meet at noon?\n",
) -> bytes:
    """A message as Alice's relay sent it: Return-Path is the (maybe tagged) envelope sender."""
    if received is None:
        received = (
            f"from laptop.example.org (laptop.example.org [192.0.2.50]) by {RELAY} "
            f"(Postfix) with ESMTPSA id 4F2A1 (envelope-from <{sender}>) for "
            "<bob@remote.example>; Sat, 18 May 2024 10:10:10 +0000",
        )
    head = [f"Return-Path: <{sender}>"]
    head += [f"Received: {r}" for r in received]
    head += [
        f"From: Alice <{USER}>",
        "To: Bob <bob@remote.example>",
        f"Subject: {subject}",
        "Date: Sat, 18 May 2024 10:10:10 +0000",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
    ]
    return ("\n".join(head) + "\n\n" + body).encode()


def remote_chain(rcpt: str) -> tuple[str, ...]:
    """A remote server's bounce as the user's mailbox server received it (newest first)."""
    return (
        f"from {REMOTE} ({REMOTE} [{REMOTE_IP}]) by {MAILBOX} (Postfix) with ESMTPS id 7C3D "
        f"for <{rcpt}>; Mon, 20 May 2024 09:30:00 +0000",
        f"by {REMOTE} (Postfix) id 9F1E2; Mon, 20 May 2024 09:29:58 +0000",
    )


def relay_chain(rcpt: str) -> tuple[str, ...]:
    """The user's relay's own bounce, handed to the mailbox server (newest first)."""
    return (
        f"from {RELAY} ({RELAY} [{RELAY_IP}]) by {MAILBOX} (Postfix) with ESMTPS id 8D4E "
        f"for <{rcpt}>; Mon, 20 May 2024 09:30:00 +0000",
        f"by {RELAY} (Postfix) id 9F1E2; Mon, 20 May 2024 09:29:58 +0000",
    )


def dsn(
    returned: bytes | None,
    *,
    rcpt: str = USER,
    shape: str = "full",
    reporter: str = REMOTE,
    received: tuple[str, ...] | None = None,
    action: str = "failed",
) -> bytes:
    """An RFC 3464 report delivered to `rcpt`, returning `returned` as `shape` says."""
    if received is None:
        received = remote_chain(rcpt)
    status = "5.1.1" if action == "failed" else "4.4.1"
    head = [f"Delivered-To: {rcpt}", "Return-Path: <>"]
    head += [f"Received: {r}" for r in received]
    head += [
        f"From: MAILER-DAEMON@{reporter} (Mail Delivery System)",
        f"To: {rcpt}",
        "Subject: Undelivered Mail Returned to Sender",
        "Date: Mon, 20 May 2024 09:29:58 +0000",
        f"Message-Id: <20240520092958.9F1E2@{reporter}>",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"',
    ]
    parts = [
        "Content-Type: text/plain; charset=us-ascii\n\n"
        f"This is the mail system at host {reporter}.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n\n"
        "<bob@remote.example>: host mx.remote.example said: 550 5.1.1 User unknown\n",
        "Content-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; {reporter}\n\n"
        "Final-Recipient: rfc822; bob@remote.example\n"
        f"Action: {action}\n"
        f"Status: {status}\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <bob@remote.example>: User unknown\n",
    ]
    if returned is not None and shape == "full":
        parts.append("Content-Type: message/rfc822\n\n" + returned.decode())
    elif returned is not None and shape == "partial":
        headers = returned.split(b"\n\n", 1)[0]
        parts.append("Content-Type: text/rfc822-headers\n\n" + headers.decode() + "\n")
    elif returned is not None and shape == "whole-as-headers":
        # What OpenSMTPD 6.8 writes: the whole original under the headers-only label.
        parts.append("Content-Type: text/rfc822-headers\n\n" + returned.decode())
    body = "".join(f"--BOUNDARY\n{p}\n" for p in parts) + "--BOUNDARY--\n"
    return ("\n".join(head) + "\n\n" + body).encode()


def autoreply(
    *, rcpt: str = USER, in_reply_to: str = ORIGINAL_ID, challenge: bool = False
) -> bytes:
    """An RFC 3834 out-of-office reply (or a challenge-response request) to Alice."""
    subject = "Please confirm your message" if challenge else "Out of office: Lunch on Friday"
    text = (
        "Your message is held until you confirm that you are human: reply to this mail.\n"
        if challenge
        else "I am away until Monday and will read your message when I am back.\n"
    )
    head = [
        f"Delivered-To: {rcpt}",
        *(f"Received: {r}" for r in remote_chain(rcpt)),
        "From: Bob <bob@remote.example>",
        f"To: {rcpt}",
        f"Subject: {subject}",
        "Date: Mon, 20 May 2024 09:29:58 +0000",
        "Message-ID: <reply-1@remote.example>",
        f"In-Reply-To: {in_reply_to}",
        f"References: {in_reply_to}",
        "Auto-Submitted: auto-replied",
        "X-Autoreply: yes",
        "Content-Type: text/plain; charset=us-ascii",
    ]
    return ("\n".join(head) + "\n\n" + text).encode()


def read(raw: bytes) -> tuple[Mail, Report]:
    mail = parse(raw)
    return mail, recognise(mail)


@cache
def dkim_key() -> tuple[bytes, bytes]:
    """A throwaway RSA key made for this test run: (private PEM, TXT record)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, b"v=DKIM1; k=rsa; p=" + base64.b64encode(spki)


def dkim_signed(message: bytes, domain: str = DOMAIN) -> bytes:
    """`message` with a DKIM-Signature of `domain` on top, as the user's server would add it."""
    pem, _ = dkim_key()
    signature = dkim.sign(
        message,
        SELECTOR,
        domain.encode(),
        pem,
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
    )
    return signature.replace(b"\r\n", b"\n") + message


def key_table(domain: str = DOMAIN) -> dict[bytes, bytes]:
    """The DNS the tests pretend to have: the test key under test._domainkey.<domain>."""
    return {SELECTOR + b"._domainkey." + domain.encode() + b".": dkim_key()[1]}


def lookup(table: dict[bytes, bytes]) -> KeyLookup:
    """A key lookup over `table`, in the shape ndrguard expects (name -> TXT or None)."""
    return table.get
