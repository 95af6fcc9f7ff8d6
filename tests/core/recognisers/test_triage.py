"""Triage: the headers-only gate. Recall first (every bounce and look-alike sample must pass),
then speed (ordinary mail is dismissed from a few header look-ups)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ndrguard.mail import parse
from ndrguard.recognisers import triage
from tests.core.corpus import samples

DATA = Path(__file__).resolve().parents[2] / "data"


def head(fields: str) -> list[str]:
    return triage.hints(parse((fields + "\nbody\n").encode("utf-8")))


PERSON = "From: Carol <carol@example.net>\nTo: alice@example.com\nMessage-ID: <1@example.net>\n"


@pytest.mark.parametrize(
    "why, fields",
    [
        ("null envelope sender", "Return-Path: <>\nFrom: x@example.org\nSubject: hi\n"),
        ("multipart/report", PERSON + "Subject: hi\nContent-Type: multipart/report; b=1\n"),
        ("Auto-Submitted", PERSON + "Subject: hi\nAuto-Submitted: auto-replied\n"),
        ("daemon From", "From: MAILER-DAEMON@mx.example.org\nSubject: hi\n"),
        ("daemon display name", "From: Mail Delivery System <x@mx.example.org>\nSubject: hi\n"),
        ("Exim X-Failed-Recipients", PERSON + "Subject: hi\nX-Failed-Recipients: b@example.org\n"),
        ("Exchange OOF loop field", PERSON + "Subject: hi\nX-MS-Exchange-Inbox-Rules-Loop: c\n"),
        ("TMDA product field", PERSON + "Subject: hi\nX-TMDA-Fingerprint: abc\n"),
        ("Exchange receipt class", PERSON + "Subject: x\nContent-Class: urn:content-classes:mdn\n"),
        ("bounce subject", PERSON + "Subject: Undelivered Mail Returned to Sender\n"),
        ("German subject", PERSON + "Subject: Unzustellbar: Angebot\n"),
        ("Chinese subject", PERSON + "Subject: =?utf-8?b?57O757uf6YCA5L+h?=\n"),
        ("autoreply prefix", PERSON + "Subject: Automatische Antwort: Angebot\n"),
        ("read receipt prefix", PERSON + "Subject: Gelesen: Angebot\n"),
        ("challenge subject", PERSON + "Subject: Please confirm your message\n"),
        ("JMRP subject", PERSON + "Subject: complaint about message from 192.0.2.1\n"),
        ("no subject, no Message-ID", "From: x@example.org\nTo: a@example.com\n"),
    ],
)
def test_sign(why: str, fields: str) -> None:
    assert head(fields), why


@pytest.mark.parametrize(
    "why, fields",
    [
        ("a person", PERSON + "Subject: lunch?\n"),
        (
            "Outlook's ordinary Content-Class",
            PERSON + "Subject: x\nContent-Class: urn:content-classes:message\n",
        ),
        (
            "asks for a read receipt",
            PERSON + "Subject: x\nDisposition-Notification-To: c@example.net\n",
        ),
        ("newsletter", PERSON + "Subject: Confirm your subscription\nPrecedence: bulk\n"),
        ("shop", PERSON + "Subject: Your delivery is on its way\n"),
        ("travel spam", PERSON + "Subject: Win a free vacation\n"),
        (
            "list bounce address in Sender",
            PERSON + "Subject: news\nSender: bounce-news-1@example.org\n",
        ),
        ("mail.example.org in the From domain", "From: Ann <ann@mail.example.org>\nSubject: hi\n"),
    ],
)
def test_no_sign(why: str, fields: str) -> None:
    assert head(fields) == [], why


def _own_sample_files() -> list[Path]:
    out = []
    for folder in ("generic", "lookalikes", "mta_bounces", "provider_bounces"):
        out.extend(sorted((DATA / folder).glob("*.eml")))
    return [p for p in out if not p.name.startswith(("ordinary-", "phishing-"))]


@pytest.mark.parametrize("path", _own_sample_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_passes_triage(path: Path) -> None:
    assert triage.hints(parse(path.read_bytes())), f"{path.name}: dismissed by triage"


@pytest.mark.corpus
def test_corpus_recall_and_ordinary_pass_rate() -> None:
    """No labelled bounce or look-alike is dismissed, and few ordinary messages pass."""
    lost, passed, ordinary = [], 0, 0
    for sample in samples():
        hints = triage.hints(parse(sample.read()))
        if sample.file.startswith("ordinary/"):
            ordinary += 1
            passed += bool(hints)
        elif not hints:
            lost.append(sample.file)
    assert not lost, "\n".join(lost)
    assert passed <= ordinary * 0.02, f"{passed} of {ordinary} ordinary messages pass triage"
