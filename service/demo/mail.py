"""Sample mail the project makes itself, for the demo and for tests that need no corpus.

Every message is built from the way the named software really writes it (its fixed phrases,
MIME layout and headers), with example.org / example.com / example.net addresses. The set
mixes ordinary mail with bounces of several shapes and the look-alikes, so that `ndrguard demo`
shows every kind of answer on a machine with no mail account and no shared corpus.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

USER = "alice@example.org"
RELAY = "mail.example.org"

_FIRST = ["Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory"]
_TOPICS = [
    "Lunch on Friday?",
    "Minutes of the board meeting",
    "Your invoice 2024-{n:04d}",
    "Re: holiday photos",
    "Quarterly figures",
    "Fwd: conference programme",
    "Re: Re: the new printer",
    "Newsletter #{n}",
]
_SPAM_SUBJECTS = [
    "Cheap watches {n}% off",
    "You have won a prize",
    "Re: your account is suspended",
    "Enlarge your portfolio",
    "Invoice overdue - pay now",
]
_FOREIGN_DOMAINS = ["example.com", "example.net", "mail.example.com", "corp.example.net"]


@dataclass(frozen=True, slots=True)
class Sample:
    name: str  # file name in the demo folder
    expected: str  # the kind ndrguard should answer
    note: str  # what the message stands for
    data: bytes


def _date(rng: random.Random, base: datetime) -> str:
    return format_datetime(base - timedelta(minutes=rng.randint(0, 60 * 24 * 3)))


def _mid(rng: random.Random, host: str) -> str:
    return f"<{rng.getrandbits(64):016x}.{rng.randint(1000, 9999)}@{host}>"


def original_message(
    rng: random.Random,
    base: datetime,
    sender: str,
    rcpt: str,
    subject: str,
    return_path: str | None = None,
    message_id: str | None = None,
    via: str | None = None,
) -> str:
    """An outgoing message as the server `via` sent it (headers and a short body): by default
    the sender's own relay; spam forging the sender comes from somewhere else."""
    host = sender.split("@", 1)[1]
    via = via or (RELAY if host == "example.org" else "smtp." + host)
    return (
        f"Return-Path: <{return_path or sender}>\n"
        f"Received: from [192.0.2.{rng.randint(2, 250)}] (unknown [192.0.2.10])\n"
        f"\tby {via} (Postfix) with ESMTPSA id "
        f"{rng.getrandbits(40):010X}\n\tfor <{rcpt}>; {_date(rng, base)}\n"
        f"Message-ID: {message_id or _mid(rng, host)}\n"
        f"Date: {_date(rng, base)}\n"
        f"From: {sender}\n"
        f"To: {rcpt}\n"
        f"Subject: {subject}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "Hello,\n\nplease find the details below.\n\nRegards\n"
    )


def ordinary(rng: random.Random, base: datetime, n: int) -> bytes:
    who = rng.choice(_FIRST)
    dom = rng.choice(_FOREIGN_DOMAINS)
    subj = rng.choice(_SPAM_SUBJECTS if n % 5 == 0 else _TOPICS).format(n=n)
    return (
        f"Return-Path: <{who.lower()}@{dom}>\n"
        f"Received: from smtp.{dom} (smtp.{dom} [198.51.100.{rng.randint(2, 250)}])\n"
        f"\tby mx.example.org (Postfix) with ESMTPS id {rng.getrandbits(40):010X}\n"
        f"\tfor <{USER}>; {_date(rng, base)}\n"
        f"From: {who} <{who.lower()}@{dom}>\n"
        f"To: Alice <{USER}>\n"
        f"Subject: {subj}\n"
        f"Date: {_date(rng, base)}\n"
        f"Message-ID: {_mid(rng, dom)}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        f"Hi Alice,\n\nabout {subj.lower()}: shall we talk tomorrow?\n\n{who}\n"
    ).encode()


def postfix_failure(
    rng: random.Random,
    base: datetime,
    to: str,
    rcpt: str,
    subject: str,
    reporter: str = RELAY,
    original: str | None = None,
) -> bytes:
    """Postfix's bounce(8): multipart/report with the original attached whole.

    `reporter` is the Postfix host that gave up: the user's relay (the default) when the remote
    server refused during the SMTP session, a remote server when it accepted and bounced later.
    """
    host = rcpt.split("@", 1)[1]
    qid = f"{rng.getrandbits(40):010X}"
    boundary = f"{qid}.{rng.randint(10**9, 10**10 - 1)}/{reporter}"
    sender = to.split("=", 2)[-1] if to.startswith("prvs=") else to
    returned = original or original_message(rng, base, sender, rcpt, subject)
    return (
        f"Return-Path: <>\n"
        f"Received: by {reporter} (Postfix)\n\tid {qid}; {_date(rng, base)}\n"
        f"Date: {_date(rng, base)}\n"
        f"From: MAILER-DAEMON@{reporter} (Mail Delivery System)\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        f"To: {to}\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        f'\tboundary="{boundary}"\n'
        f"Message-Id: <{qid}.{rng.randint(1, 99)}@{reporter}>\n\n"
        "This is a MIME-encapsulated message.\n\n"
        f"--{boundary}\n"
        "Content-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
        f"This is the mail system at host {reporter}.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\n"
        "For further assistance, please send mail to postmaster.\n\n"
        "If you do so, please include this problem report. You can\n"
        "delete your own text from the attached returned message.\n\n"
        "                   The mail system\n\n"
        f"<{rcpt}>: host mx.{host}[203.0.113.5] said: 550 5.1.1 <{rcpt}>:\n"
        "    Recipient address rejected: User unknown in virtual mailbox table (in\n"
        "    reply to RCPT TO command)\n\n"
        f"--{boundary}\n"
        "Content-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; {reporter}\nX-Postfix-Queue-ID: {qid}\n"
        f"X-Postfix-Sender: rfc822; {to}\nArrival-Date: {_date(rng, base)}\n\n"
        f"Final-Recipient: rfc822; {rcpt}\nOriginal-Recipient: rfc822;{rcpt}\n"
        "Action: failed\nStatus: 5.1.1\n"
        f"Remote-MTA: dns; mx.{host}\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: User\n"
        "    unknown in virtual mailbox table\n\n"
        f"--{boundary}\n"
        "Content-Description: Undelivered Message\nContent-Type: message/rfc822\n\n"
        f"{returned}\n"
        f"--{boundary}--\n"
    ).encode()


def exim_failure(
    rng: random.Random,
    base: datetime,
    to: str,
    rcpt: str,
    subject: str,
    original: str | None = None,
) -> bytes:
    """Exim's plain-text bounce, the original quoted after its copy marker line."""
    host = rcpt.split("@", 1)[1]
    eid = f"1{rng.getrandbits(30):X}-000{rng.randint(100, 999)}-{rng.randint(10, 99)}"
    sender = to.split("=", 2)[-1] if to.startswith("prvs=") else to
    return (
        f"Return-path: <>\n"
        f"Received: from Debian-exim by smtp.{host} with local (Exim 4.96)\n"
        f"\tid {eid}\n\tfor {to}; {_date(rng, base)}\n"
        f"X-Failed-Recipients: {rcpt}\n"
        "Auto-Submitted: auto-replied\n"
        f"From: Mail Delivery System <Mailer-Daemon@smtp.{host}>\n"
        f"To: {to}\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "Subject: Mail delivery failed: returning message to sender\n"
        f"Message-Id: <E{eid}@smtp.{host}>\n"
        f"Date: {_date(rng, base)}\n\n"
        "This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n"
        f"  {rcpt}\n"
        "    LMTP error after RCPT TO:<" + rcpt + ">:\n"
        "    550 5.2.2 <" + rcpt + "> Mailbox is full / Blocks limit exceeded / Inode limit "
        "exceeded\n\n"
        "------ This is a copy of the message, including all the headers. ------\n\n"
        f"{original or original_message(rng, base, sender, rcpt, subject)}"
    ).encode()


def sendmail_failure(
    rng: random.Random,
    base: datetime,
    to: str,
    rcpt: str,
    subject: str,
    original: str | None = None,
) -> bytes:
    """Sendmail's DSN returning only the original's headers (text/rfc822-headers)."""
    host = rcpt.split("@", 1)[1]
    qid = f"{rng.getrandbits(32):08x}"
    boundary = f"{qid}.{rng.randint(10**9, 10**10 - 1)}/smtp.{host}"
    sender = to.split("=", 2)[-1] if to.startswith("prvs=") else to
    head = (original or original_message(rng, base, sender, rcpt, subject)).split("\n\n", 1)[0]
    return (
        "Return-Path: <>\n"
        f"Date: {_date(rng, base)}\n"
        f"From: Mail Delivery Subsystem <MAILER-DAEMON@smtp.{host}>\n"
        f"Message-Id: <{qid}@smtp.{host}>\n"
        f"To: <{to}>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        f'\tboundary="{boundary}"\n'
        "Subject: Returned mail: see transcript for details\n"
        "Auto-Submitted: auto-generated (failure)\n\n"
        "This is a MIME-encapsulated message\n\n"
        f"--{boundary}\n\n"
        "The original message was received at "
        f"{_date(rng, base)}\nfrom {RELAY} [192.0.2.25]\n\n"
        "   ----- The following addresses had permanent fatal errors -----\n"
        f"<{rcpt}>\n    (reason: 550 5.1.1 <{rcpt}>... User unknown)\n\n"
        "   ----- Transcript of session follows -----\n"
        f"... while talking to mx.{host}.:\n>>> DATA\n<<< 550 5.1.1 <{rcpt}>... User unknown\n"
        "550 5.1.1 <" + rcpt + ">... User unknown\n<<< 503 5.0.0 Need RCPT (recipient)\n\n"
        f"--{boundary}\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; smtp.{host}\nReceived-From-MTA: DNS; {RELAY}\n"
        f"Arrival-Date: {_date(rng, base)}\n\n"
        f"Final-Recipient: RFC822; {rcpt}\nAction: failed\nStatus: 5.1.1\n"
        f"Remote-MTA: DNS; mx.{host}\nDiagnostic-Code: SMTP; 550 5.1.1 <{rcpt}>... User unknown\n"
        f"Last-Attempt-Date: {_date(rng, base)}\n\n"
        f"--{boundary}\nContent-Type: text/rfc822-headers\n\n{head}\n\n"
        f"--{boundary}--\n"
    ).encode()


def qmail_empty(rng: random.Random, base: datetime, to: str, rcpt: str) -> bytes:
    """qmail-send's text bounce with nothing of the original: the 'empty' shape."""
    host = rcpt.split("@", 1)[1]
    return (
        "Return-Path: <>\n"
        f"Received: (qmail {rng.randint(1000, 99999)} invoked for bounce); {_date(rng, base)}\n"
        f"Date: {_date(rng, base)}\n"
        f"From: MAILER-DAEMON@mx.{host}\n"
        f"To: {to}\n"
        "Subject: failure notice\n\n"
        f"Hi. This is the qmail-send program at mx.{host}.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        f"<{rcpt}>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
    ).encode()


def postfix_delay(rng: random.Random, base: datetime, to: str, rcpt: str, subject: str) -> bytes:
    """Postfix's delay warning (delay_warning_time): Action: delayed, headers returned."""
    host = rcpt.split("@", 1)[1]
    qid = f"{rng.getrandbits(40):010X}"
    boundary = f"{qid}.{rng.randint(10**9, 10**10 - 1)}/{RELAY}"
    head = original_message(rng, base, to, rcpt, subject).split("\n\n", 1)[0]
    return (
        "Return-Path: <>\n"
        f"Date: {_date(rng, base)}\n"
        f"From: MAILER-DAEMON@{RELAY} (Mail Delivery System)\n"
        "Subject: Delayed Mail (still being retried)\n"
        f"To: {to}\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        f'\tboundary="{boundary}"\n\n'
        f"--{boundary}\nContent-Description: Notification\nContent-Type: text/plain\n\n"
        f"This is the mail system at host {RELAY}.\n\n"
        "####################################################################\n"
        "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
        "####################################################################\n\n"
        "Your message could not be delivered for more than 4 hour(s).\n"
        "It will be retried until it is 5 day(s) old.\n\n"
        f"<{rcpt}>: connect to mx.{host}[203.0.113.9]:25: Connection timed out\n\n"
        f"--{boundary}\nContent-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; {RELAY}\nX-Postfix-Queue-ID: {qid}\n\n"
        f"Final-Recipient: rfc822; {rcpt}\nAction: delayed\nStatus: 4.4.1\n"
        f"Diagnostic-Code: X-Postfix; connect to mx.{host}[203.0.113.9]:25: Connection\n"
        "    timed out\nWill-Retry-Until: " + _date(rng, base) + "\n\n"
        f"--{boundary}\nContent-Description: Undelivered Message Headers\n"
        f"Content-Type: text/rfc822-headers\n\n{head}\n\n--{boundary}--\n"
    ).encode()


def vacation(rng: random.Random, base: datetime, to: str) -> bytes:
    """A Sieve vacation reply (RFC 5230 / RFC 3834)."""
    who = rng.choice(_FIRST)
    dom = rng.choice(_FOREIGN_DOMAINS)
    return (
        f"Return-Path: <>\n"
        f"Date: {_date(rng, base)}\n"
        f"From: {who} <{who.lower()}@{dom}>\n"
        f"To: <{to}>\n"
        "Subject: Auto: Out of office until Monday\n"
        "Auto-Submitted: auto-replied (vacation)\n"
        "Precedence: bulk\n"
        f"Message-ID: {_mid(rng, dom)}\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
        "I am out of the office until Monday and will read your message on my return.\n"
    ).encode()


def arf(rng: random.Random, base: datetime, to: str) -> bytes:
    """An RFC 5965 abuse report about a message sent with the user's address."""
    boundary = f"arf{rng.getrandbits(32):08x}"
    return (
        "Return-Path: <abuse@example.net>\n"
        "From: Abuse Desk <abuse@example.net>\n"
        f"To: {to}\n"
        "Subject: FW: Abuse report\n"
        f"Date: {_date(rng, base)}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=feedback-report;\n"
        f'\tboundary="{boundary}"\n\n'
        f"--{boundary}\nContent-Type: text/plain\n\n"
        "This is an email abuse report for a message received from IP 203.0.113.77.\n\n"
        f"--{boundary}\nContent-Type: message/feedback-report\n\n"
        "Feedback-Type: abuse\nUser-Agent: ExampleFBL/1.0\nVersion: 1\n"
        "Source-IP: 203.0.113.77\n"
        f"Original-Mail-From: <{to}>\n\n"
        f"--{boundary}\nContent-Type: text/rfc822-headers\n\n"
        f"From: {to}\nTo: victim@example.net\nSubject: Cheap pills\n"
        f"Message-ID: {_mid(rng, 'botnet.example.com')}\n\n--{boundary}--\n"
    ).encode()


def _lookalike(
    tag: str, rng: random.Random, base: datetime, to: str, rcpt: str, subject: str
) -> bytes:
    """One non-ordinary message of the kind `tag` names."""
    if tag == "postfix-full":
        return postfix_failure(rng, base, to, rcpt, subject)
    if tag == "exim-text":
        return exim_failure(rng, base, to, rcpt, subject)
    if tag == "sendmail-headers":
        return sendmail_failure(rng, base, to, rcpt, subject)
    if tag == "qmail-empty":
        return qmail_empty(rng, base, to, rcpt)
    if tag == "postfix-delay":
        return postfix_delay(rng, base, to, rcpt, subject)
    if tag == "vacation":
        return vacation(rng, base, to)
    return arf(rng, base, to)


_MAKERS = (
    ("postfix-full", "failure", "Postfix bounce, original attached"),
    ("exim-text", "failure", "Exim text bounce, original quoted"),
    ("sendmail-headers", "failure", "Sendmail DSN, headers only"),
    ("qmail-empty", "failure", "qmail bounce, nothing returned"),
    ("postfix-delay", "delay", "Postfix delay warning"),
    ("vacation", "autoreply", "Sieve vacation reply"),
    ("arf", "feedback", "ARF abuse report"),
)


def generate(count: int = 60, seed: int = 1) -> Iterator[Sample]:
    """A reproducible mix: two ordinary messages for each bounce or look-alike."""
    rng = random.Random(seed)
    base = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    for i in range(count):
        if i % 3:
            yield Sample(f"{i:04d}-ordinary.eml", "other", "ordinary mail", ordinary(rng, base, i))
            continue
        tag, kind, note = _MAKERS[(i // 3) % len(_MAKERS)]
        rcpt = f"{rng.choice(_FIRST).lower()}{rng.randint(1, 99)}@{rng.choice(_FOREIGN_DOMAINS)}"
        subject = rng.choice(_SPAM_SUBJECTS).format(n=i)
        data = _lookalike(tag, rng, base, USER, rcpt, subject)
        yield Sample(f"{i:04d}-{tag}.eml", kind, note, data)
