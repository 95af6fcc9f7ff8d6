"""Automated mail that is not a report about the user's message, and the reports beside it.

Each row stands for a false positive a QA pass found with real headers: a DMARC failure report
called an auto-reply, a bug tracker's "I'm out of ideas" and cron output with 不在 ("not in") or
отсутствует ("is missing") called auto-replies, a Lyris newsletter titled "Delivery delayed"
called a delay, a web contact form sent as nobody@ called a bounce, a shop's "$250 credit"
read as an SMTP reply. The samples are hand-written on those headers with example.org
addresses (tests/data/generic/); the ordinary-* rows are traps that must stay `other`, the rest
show that the real reports beside them are still recognised.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ndrguard import recognise_bytes
from ndrguard.mail import parse
from ndrguard.recognisers import generic
from ndrguard.recognisers.common import smtp_reply

DATA = Path(__file__).resolve().parents[2] / "data" / "generic"


@dataclass(frozen=True)
class Case:
    file: str
    kind: str
    by: str  # the recogniser that must answer ("none" or "triage" for no recogniser at all)

    def __str__(self) -> str:
        return self.file


CASES = (
    # 1. Exim's DMARC failure report: multipart/report with no report-type, one text part,
    # Auto-Submitted: auto-replied. Feedback (RFC 6591), not an auto-reply. Aggregate and TLS
    # reports are statistics about the domain: `other`, answered by the DMARC recogniser so that
    # nothing later reads their "failed" counts ("550 sessions") as a bounce.
    Case("feedback-dmarc-exim-forensic.eml", "feedback", "dmarc"),
    Case("ordinary-dmarc-aggregate.eml", "other", "dmarc"),
    Case("ordinary-tls-report.eml", "other", "dmarc"),
    # 2. Auto-Submitted: auto-generated is not a reply: "I'm out of ideas", "I am out of time",
    # even "I'm away from the test box" in a bug tracker's comment stay ordinary.
    Case("ordinary-bugtracker-out-of-ideas.eml", "other", "none"),
    # 3. Cron output: 配置文件不在 ("the file is not in"), файл отсутствует ("is missing").
    Case("ordinary-cron-zh.eml", "other", "none"),
    Case("ordinary-cron-ru.eml", "other", "none"),
    # ...while whole absence phrases from a responder's null envelope still are auto-replies.
    Case("autoreply-ru.eml", "autoreply", "autoreply"),
    Case("autoreply-zh.eml", "autoreply", "autoreply"),
    # 4. A list's bounce-collecting Sender (Lyris bounce-list-NNN@, Mailgun bounce+...@) is not a
    # mail system, and list or bulk mail is no report without a report's own evidence.
    Case("ordinary-list-delivery-delayed.eml", "other", "none"),
    Case("ordinary-bulk-bounce-sender.eml", "other", "none"),
    # 5. nobody@ (a web form) with "order not delivered", an address and the form's own From:
    # and Subject: lines; root@ with a quoted SMTP reply and the returned headers is still a
    # bounce.
    Case("ordinary-contact-form-nobody.eml", "other", "none"),
    Case("generic-root-sender.eml", "failure", "generic"),
    # 6. "$250 store credit" and a wrapped line starting "450 bonus points" are no SMTP replies.
    Case("ordinary-marketing-dollar-reply.eml", "other", "none"),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_sample(case: Case) -> None:
    report = recognise_bytes((DATA / case.file).read_bytes())
    assert (str(report.kind), report.recognised_by) == (case.kind, case.by), report.reason


BASE = "To: alice@example.org\nDate: Tue, 4 Mar 2025 10:00:00 +0000\nMessage-ID: <x@example.org>\n"
LIST = "List-Unsubscribe: <mailto:leave@news.example.org>\nList-Id: <news.example.org>\n"
SHOP_MAILER = "From: Example Shop <mailer@news.example.org>\n"
DELAYED = "Delivery of your order to bob@example.org has been delayed.\n"


@pytest.mark.parametrize(
    "why, headers, body, kind",
    [
        (
            "a list post from a mailer@ address saying 'delayed': news, not a report",
            SHOP_MAILER + LIST + "Subject: Delivery delayed\n",
            DELAYED,
            None,
        ),
        (
            "Precedence: bulk works as the list fields do",
            SHOP_MAILER + "Precedence: bulk\nSubject: Delivery delayed\n",
            DELAYED,
            None,
        ),
        (
            "without list fields the same mailer@ text is read as before",
            SHOP_MAILER + "Subject: Delivery delayed\n",
            DELAYED,
            "delay",
        ),
        (
            "a bounce sent on through a list keeps its null envelope",
            "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.org\n"
            + LIST
            + "Subject: Undelivered Mail\n",
            "Your message could not be delivered to bob@example.org: 550 5.1.1 unknown user\n",
            "failure",
        ),
        (
            "a bounce-collecting Sender is not a mail system",
            "From: News <news@example.org>\nSender: bounce-news-12@example.org\n"
            "Subject: Undeliverable parcels\n",
            "Parcels to bob@example.org could not be delivered: 550 5.1.1 unknown user\n",
            None,
        ),
        (
            "root@ with only 'not delivered' and an address: a script's mail",
            "From: root@web1.example.org\nSubject: order not delivered\n",
            "Order 20511 for bob@example.org was not delivered.\n",
            None,
        ),
        (
            "www-data@ echoing the form's From: and Subject: lines: no returned original",
            "From: www-data@web1.example.org\nSubject: Enquiry\n",
            "From: Jane <jane@example.org>\nSubject: parcel\nDate: Tue, 4 Mar 2025\n\n"
            "My parcel for bob@example.org was not delivered.\n",
            None,
        ),
        (
            "root@ quoting the receiving server's refusal: a bounce",
            "From: root@relay.example.org\nSubject: Returned mail\n",
            "Mail to bob@example.org could not be delivered.\n"
            "host mx.example.org said: 550 5.1.1 User unknown\n",
            "failure",
        ),
        (
            "nobody@ with a null envelope: the envelope speaks for it",
            "Return-Path: <>\nFrom: nobody@relay.example.org\nSubject: Returned mail\n",
            "Mail to bob@example.org could not be delivered.\n",
            "failure",
        ),
        (
            "MAILER-DAEMON stays strong: a terse report with an address is enough",
            "From: MAILER-DAEMON@mx.example.org\nSubject: Undeliverable Mail\n",
            "Delivery failed 20 attempts: bob@example.org\n",
            "failure",
        ),
    ],
)
def test_rule(why: str, headers: str, body: str, kind: str | None) -> None:
    report = generic.recognise(parse((BASE + headers + "\n" + body).encode()))
    got = str(report.kind) if report else None
    assert got == kind, f"{why}: {report.reason if report else 'no answer'}"


@pytest.mark.parametrize(
    "text, code",
    [
        ("host mx.example.org[192.0.2.1] said: 550 5.1.1 <bob@example.org>", "550"),
        ("<<< 554 Transaction failed", "554"),
        ("SMTP error from remote mail server after RCPT TO:<bob@example.org>: 550 no", "550"),
        ("Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound'", "550"),
        ("550 5.1.1 The email account that you tried to reach does not exist", "550"),
        ("bob@example.org: 452 Insufficient system storage", "452"),
        ("refused to talk to me: 421 mwinf5c77 ME Service refuse", "421"),
        ("Get $250 off today only", None),
        ("450 bonus points are waiting", None),
        ("Order 5512 - 221 items ship free", None),
        ('He said "550 failed attempt" on the tracking page', None),
        ("Use code 250 at checkout", None),
    ],
)
def test_smtp_reply_needs_smtp_context(text: str, code: str | None) -> None:
    m = smtp_reply(text)
    assert (m.group(1) if m else None) == code, text


def test_top_level_report_is_never_an_autoreply() -> None:
    """A multipart/report marked auto-replied with vacation words is a report, not a reply."""
    raw = (
        BASE + "From: reports@example.org\nAuto-Submitted: auto-replied\n"
        "Subject: Automatic reply: out of office\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nI am out of the office until Monday.\n--b--\n"
    ).encode()
    assert str(recognise_bytes(raw).kind) != "autoreply"


FORENSIC_TEXT = (
    "A message claiming to be from you has failed the published DMARC policy for your domain.\n"
    "  Sender Domain: example.org\n"
)


@pytest.mark.parametrize(
    "why, headers, body, kind",
    [
        (
            "a person discussing a failure report, no sign of automation",
            "From: Carol <carol@example.org>\nSubject: Re: DMARC Failure Report for example.org\n",
            "Why did we get this?\n> " + FORENSIC_TEXT,
            "other",
        ),
        (
            "a plain-text failure report with Auto-Submitted",
            "From: dmarc@mx.example.org\nAuto-Submitted: auto-generated\n"
            "Subject: DMARC Failure Report for example.org\n",
            FORENSIC_TEXT,
            "feedback",
        ),
        (
            "an aggregate report that bounced is a bounce",
            "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.org\n"
            "Subject: Report Domain: example.org Submitter: mx.example.org Report-ID: 1\n"
            "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; "
            'boundary="b"\n',
            "--b\nContent-Type: text/plain\n\nDelivery to dmarc@example.net failed.\n"
            "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
            "Final-Recipient: rfc822; dmarc@example.net\nAction: failed\nStatus: 5.1.1\n--b--\n",
            "failure",
        ),
    ],
)
def test_dmarc_rule(why: str, headers: str, body: str, kind: str) -> None:
    report = recognise_bytes((BASE + headers + "\n" + body).encode())
    assert str(report.kind) == kind, f"{why}: {report.recognised_by}: {report.reason}"
