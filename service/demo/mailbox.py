"""The demo's mailbox: a user whose address spammers forge, with a relay that tags with BATV.

Alice (alice@example.org) sends through mail.example.org, which signs every envelope sender
with BATV key 0. Her inbox holds ordinary mail, a few real bounces (tagged, written by her
relay, or answering a message in her Sent folder), look-alikes, and backscatter; a burst of
forged bounces arrives while the service watches. Every message says which verdict it should
get, so the demo can show that the service reached it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from ndrguard.batv import sign
from ndrguard.service.demo import mail as demo_mail
from ndrguard.service.demo.mail import RELAY, USER
from ndrguard.vocabulary import Outcome

# A demo key, printed in the demo's identity file for all to see: never use it for real mail.
DEMO_SECRET = b"ndrguard-demo-key-not-secret"
DEMO_KEY = 0
MX = "mx.example.org"

IDENTITY = f"""\
# The demo user's identity (docs/identity.md). The BATV key is a demo key: never reuse it.
addresses = ["{USER}"]
domains = ["example.org"]
relays = ["{RELAY}"]
dkim_domains = ["example.org"]

[batv]
lifetime_days = 7
grace_days = 3

[[batv.keys]]
number = {DEMO_KEY}
secret_file = "keys/batv-{DEMO_KEY}"
"""


@dataclass(frozen=True, slots=True)
class Message:
    name: str
    expected: Outcome  # the verdict it should get
    note: str
    data: bytes


@dataclass(frozen=True, slots=True)
class DemoMailbox:
    inbox: list[Message]  # there when the service starts (its catch-up)
    burst: list[Message]  # arrives while the service watches
    sent: list[bytes]  # the Sent folder


def delivered(raw: bytes, rcpt: str, when: datetime, via: str = "relay.example.net") -> bytes:
    """What the user's MX and delivery agent put on top of a message when it arrives from
    `via` (a remote server, or the user's own relay handing over a bounce it wrote)."""
    stamp = format_datetime(when)
    return (
        f"Return-Path: <>\nDelivered-To: {USER}\nX-Original-To: {rcpt}\n"
        f"Received: from {via} ({via} [198.51.100.7])\n"
        f"\tby {MX} (Postfix) with ESMTPS\n\tfor <{rcpt}>; {stamp}\n"
    ).encode() + _without_return_path(raw)


def _without_return_path(raw: bytes) -> bytes:
    return raw[raw.index(b"\n") + 1 :] if raw.startswith(b"Return-Path: <>") else raw


def build(now: datetime | None = None, ordinary: int = 240, burst: int = 60) -> DemoMailbox:
    """The whole demo mailbox, reproducible apart from the dates (tags must be fresh)."""
    now = now or datetime.now(UTC)
    rng = random.Random(7)
    sent_day = (now - timedelta(days=1)).date()
    tagged = sign(USER, DEMO_KEY, DEMO_SECRET, sent_day)
    inbox: list[Message] = []
    sent: list[bytes] = []

    def arrive(minutes_ago: float) -> datetime:
        return now - timedelta(minutes=minutes_ago)

    for i in range(ordinary):
        raw = demo_mail.ordinary(rng, now, i)
        inbox.append(Message(f"ordinary-{i:03d}", Outcome.NOT_A_BOUNCE, "ordinary mail",
                             _stamped(raw, arrive(600 - i))))  # fmt: skip

    # Real bounces: the remote refused mail Alice really sent.
    for i in range(3):
        rcpt = f"bob{i}@example.com"
        sent_mail = demo_mail.original_message(rng, now, USER, rcpt, "Minutes", return_path=tagged)
        raw = demo_mail.postfix_failure(
            rng, now, tagged, rcpt, "Minutes", reporter="mx.example.com", original=sent_mail
        )
        inbox.append(Message(f"real-batv-{i}", Outcome.LEGIT, "real bounce carrying the relay's "
                             "BATV tag", delivered(raw, tagged, arrive(300 - i))))  # fmt: skip
    raw = demo_mail.postfix_failure(rng, now, USER, "carol@example.net", "Quarterly figures")
    note = "bounce written by Alice's own relay (the remote refused during SMTP)"
    inbox.append(
        Message("real-relay", Outcome.LEGIT, note, delivered(raw, USER, arrive(200), RELAY))
    )
    sent_id = "<quarterly-report-2026@example.org>"
    sent.append(demo_mail.original_message(rng, now, USER, "dave@example.com", "Report",
                                    message_id=sent_id).encode())  # fmt: skip
    raw = demo_mail.exim_failure(rng, now, USER, "dave@example.com", "Report")
    raw = _returned_id(raw, sent_id)
    inbox.append(Message("real-sent", Outcome.LEGIT, "bounce of a message in Alice's Sent folder",
                         delivered(raw, USER, arrive(150))))  # fmt: skip
    raw = demo_mail.postfix_delay(rng, now, tagged, "erin@example.net", "Lunch")
    inbox.append(Message("real-delay", Outcome.LEGIT, "delay warning carrying the relay's BATV tag",
                         delivered(raw, tagged, arrive(120))))  # fmt: skip
    raw = demo_mail.arf(rng, now, USER)
    inbox.append(Message("feedback", Outcome.UNDECIDED, "abuse report about mail sent in Alice's "
                         "name", delivered(raw, USER, arrive(100))))  # fmt: skip

    # Backscatter already waiting, and the burst that arrives while the service watches.
    for i in range(12):
        inbox.append(_forged(rng, now, i, arrive(90 - i)))
    burst_msgs = [_forged(rng, now, 100 + i, arrive(-i / 60)) for i in range(burst)]
    # prvs=K DDD SSSSSS=...: a spammer cannot compute SSSSSS, so a made-up one is proof.
    made_up = "000000" if tagged[9:15] != "000000" else "111111"
    forged_tag = tagged[:9] + made_up + tagged[15:]
    raw = demo_mail.exim_failure(rng, now, forged_tag, "spamtrap@example.net", "Cheap pills")
    burst_msgs.append(Message("forged-bad-tag", Outcome.BACKSCATTER,
                              "bounce with a made-up BATV tag",
                              delivered(raw, forged_tag, now)))  # fmt: skip
    raw = demo_mail.postfix_failure(rng, now, tagged, "frank@exmaple.com", "Holiday photos",
                                    reporter="mx.exmaple.com")  # fmt: skip
    burst_msgs.append(Message("real-in-burst", Outcome.LEGIT, "a real bounce among the forged ones",
                              delivered(raw, tagged, now)))  # fmt: skip
    return DemoMailbox(inbox, burst_msgs, sent)


def _forged(rng: random.Random, now: datetime, i: int, when: datetime) -> Message:
    """Backscatter: a bounce or auto-reply for spam that carried Alice's untagged address."""
    victim = f"{rng.choice(['info', 'sales', 'admin', 'kim', 'lee'])}{i}@example.net"
    subject = f"Cheap watches {i}% off"
    bot = f"dsl-{rng.randint(1, 254)}.dyn.example.com"  # the spam never passed Alice's relay
    spam = demo_mail.original_message(rng, now, USER, victim, subject, via=bot)
    shape = i % 5
    if shape == 0:
        raw = demo_mail.postfix_failure(rng, now, USER, victim, subject, "mx.example.net", spam)
    elif shape == 1:
        raw = demo_mail.exim_failure(rng, now, USER, victim, subject, spam)
    elif shape == 2:
        raw = demo_mail.sendmail_failure(rng, now, USER, victim, subject, spam)
    elif shape == 3:
        raw = demo_mail.qmail_empty(rng, now, USER, victim)
    else:
        raw = demo_mail.vacation(rng, now, USER)
    forged = delivered(raw, USER, when)
    return Message(f"forged-{i:03d}", Outcome.BACKSCATTER, "backscatter", forged)


def _returned_id(raw: bytes, message_id: str) -> bytes:
    """Give the original quoted in a bounce the Message-ID of a message Alice really sent."""
    marker = b"------ This is a copy of the message"
    head, sep, tail = raw.partition(marker)
    start = tail.index(b"Message-ID: ")
    end = tail.index(b"\n", start)
    return head + sep + tail[:start] + b"Message-ID: " + message_id.encode() + tail[end:]


def _stamped(raw: bytes, when: datetime) -> bytes:
    return (
        f"Received: from smtp.example.com (smtp.example.com [198.51.100.9])\n"
        f"\tby {MX} (Postfix) with ESMTPS; {format_datetime(when)}\n"
    ).encode() + raw
