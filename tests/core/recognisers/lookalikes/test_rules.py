"""The look-alike rules one at a time, on small messages built here: each row is one real
program's habit (or one trap) reduced to the header fields and words that decide."""

from __future__ import annotations

import pytest

from ndrguard import recognise_bytes


def msg(headers: str, body: str = "Hello.\n") -> bytes:
    base = (
        "From: Bob <bob@example.net>\nTo: alice@example.com\nDate: Tue, 4 Mar 2025 10:00:00 +0000\n"
    )
    return (base + headers + "\n" + body).encode("utf-8")


@pytest.mark.parametrize(
    "why, headers, body, kind",
    [
        (
            "RFC 3834 auto-replied",
            "Subject: Re: plans\nAuto-Submitted: auto-replied\n",
            "x\n",
            "autoreply",
        ),
        ("vacation(1) Precedence", "Subject: away\nPrecedence: auto_reply\n", "x\n", "autoreply"),
        ("X-Autorespond", "Subject: Re: plans\nX-Autorespond: yes\n", "x\n", "autoreply"),
        (
            "Exchange OOF prefix + loop header",
            "Subject: Automatic reply: plans\nX-MS-Exchange-Inbox-Rules-Loop: bob@example.net\n",
            "x\n",
            "autoreply",
        ),
        (
            "Spanish Exchange prefix, null sender",
            "Return-Path: <>\nSubject: =?utf-8?q?Respuesta_autom=C3=A1tica=3A_plans?=\n",
            "x\n",
            "autoreply",
        ),
        (
            "auto-generated is no reply (RFC 3834): absence words from cron or a bug tracker",
            "Subject: Notice\nAuto-Submitted: auto-generated\n",
            "I am currently out of the office until Monday.\n",
            "other",
        ),
        (
            "auto-generated with a responder's subject prefix",
            "Subject: Out of office: plans\nAuto-Submitted: auto-generated\n",
            "I am currently out of the office until Monday.\n",
            "autoreply",
        ),
        (
            "Polish absence, null sender",
            "Return-Path: <>\nSubject: Re: plans\n",
            "Jestem na urlopie do poniedziałku.\n",
            "autoreply",
        ),
        (
            "prefix alone from a person",
            "Subject: Automatic reply: your robot idea\n",
            "x\n",
            "other",
        ),
        (
            "absence words from a person",
            "Subject: away next week\n",
            "I am out of the office next week, on vacation.\n",
            "other",
        ),
        (
            "vacation(1): absence subject and text saying what becomes of the message, no header",
            "Subject: away from my mail\n",
            "I will not be reading my mail for a while.\n"
            'Your mail concerning "plans" will be read when I return.\n',
            "autoreply",
        ),
        (
            "vacation(1) manual's example: Precedence: bulk, an urgent-matters contact",
            "Subject: I am on vacation\nPrecedence: bulk\n",
            "I am on vacation until July 22.  If you have something urgent,\n"
            "please contact Keith <keith@example.net>.\n",
            "autoreply",
        ),
        (
            "a person's holiday news: away, but nothing said of the reader's message",
            "Subject: On holiday in Spain\n",
            "I'm on holiday in Spain until Friday. I'll show you the photos when I get back.\n",
            "other",
        ),
        (
            "a newsletter about holidays that tells what it will do on its return",
            "Subject: Are you on vacation yet?\nPrecedence: bulk\n"
            "List-Unsubscribe: <mailto:u@example.org>\n",
            "I am on vacation too! Your message will be read when I return.\n",
            "other",
        ),
        (
            "list mail announcing a holiday",
            "Return-Path: <>\nSubject: Out of office: team\nList-Id: <team.example.net>\n",
            "on vacation\n",
            "other",
        ),
        (
            "Content-Class mdn",
            "Subject: Read: plans\nContent-Class: urn:content-classes:mdn\n",
            "x\n",
            "receipt",
        ),
        (
            "French Outlook receipt text",
            "Subject: Lu : plans\n",
            "Votre message\n\n  Objet : plans\n\na été lu le mardi 4 mars 2025 10:00.\n",
            "receipt",
        ),
        (
            "Read: prefix from a colleague",
            "Subject: Read: the contract\n",
            "Please read it before Friday.\n",
            "other",
        ),
        (
            "Apple Mail unsubscribe",
            "Subject: unsubscribe\nAuto-Submitted: auto-replied\nX-Apple-Unsubscribe: true\n",
            "Apple Mail sent this email to unsubscribe.\n",
            "feedback",
        ),
        (
            "newsletter's confirm request",
            "Subject: Please confirm your subscription\n"
            "Precedence: bulk\nList-Unsubscribe: <mailto:u@example.org>\n",
            "Confirm your e-mail address to verify you are human.\n",
            "other",
        ),
        (
            "sign-up verification with a null sender",
            "Return-Path: <>\nSubject: Verify your email address\n",
            "Click the link to verify your address.\n",
            "other",
        ),
    ],
)
def test_rule(why: str, headers: str, body: str, kind: str) -> None:
    report = recognise_bytes(msg(headers, body))
    assert str(report.kind) == kind, f"{why}: {report.recognised_by}: {report.reason}"


def test_bounce_with_auto_replied_is_not_an_autoreply() -> None:
    """Exim marks its bounces Auto-Submitted: auto-replied; the fallback must keep them."""
    raw = msg(
        "Return-Path: <>\nSubject: Mail delivery failed: returning message to sender\n"
        "Auto-Submitted: auto-replied\n",
        "A message that you sent could not be delivered to one or more of its recipients.\n"
        "This is a permanent error. The following address(es) failed:\n\n"
        "  carol@example.org\n    host mx.example.org [192.0.2.1]: 550 5.1.1 unknown user\n",
    ).replace(
        b"From: Bob <bob@example.net>", b"From: Mail Delivery System <Mailer-Daemon@mx.example.net>"
    )
    report = recognise_bytes(raw)
    assert str(report.kind) == "failure", report.reason
