"""OpenSMTPD: the text notices of older releases and the DSNs of newer ones.

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers.mta import opensmtpd
from tests.core.recognisers.mta.cases import (
    Expect,
    check_module,
    check_pipeline,
    corpus_files,
    corpus_raw,
    own_raw,
)

CORPUS = [
    Expect(
        "bounces/lhost-opensmtpd-01.eml",
        "failure",
        "full",
        (("apdugoaidugoaidugoaeiudggadi@gmail.com", "5.1.1"),),
    ),
    Expect(
        "bounces/lhost-opensmtpd-02.eml",
        "failure",
        "full",
        (("mailboxfull@example.jp", "5.2.2"), ("userunknown@example.jp", "5.1.1")),
    ),
    # labelled failure in the corpus, but OpenSMTPD says "this is only a temporary failure report"
    Expect(
        "bounces/lhost-opensmtpd-04.eml", "delay", "full", (("kijitora@neko.example.jp", "4.0.0"),)
    ),
    Expect(
        "bounces/lhost-opensmtpd-05.eml",
        "failure",
        "full",
        (("kijitora@mail.example.co.jp", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-opensmtpd-10.eml",
        "failure",
        "full",
        (("postmaster@cx.libsisimai.org", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-opensmtpd-11.eml",
        "failure",
        "full",
        (("authfailure@libsisimai.net", "5.0.0"),),
    ),
    # labelled failure in the corpus, but it is a delay warning with Action: delayed
    Expect(
        "bounces/lhost-opensmtpd-13.eml",
        "delay",
        "full",
        (("pseudo-local-part-of-yahoo-inc@yahoo.com", "4.0.0"),),
    ),
    Expect(
        "bounces/lhost-opensmtpd-14.eml",
        "failure",
        "full",
        (("blocked@libsisimai.net", "5.0.0"),),
    ),
    # labelled failure in the corpus, but it is a delay warning with Action: delayed
    Expect(
        "bounces/lhost-opensmtpd-16.eml",
        "delay",
        "full",
        (("systemfull@libsisimai.net", "4.4.7"),),
    ),
    Expect(
        "bounces/lhost-opensmtpd-17.eml",
        "failure",
        "full",
        (("userunknown@libsisimai.net", "5.0.0"), ("mailboxfull@libsisimai.net", "5.0.0")),
    ),
]
OWN = [
    Expect(
        "opensmtpd-failure.eml",
        "failure",
        "full",
        (("bob@example.com", "5.1.1"), ("carol@example.net", "5.2.2")),
        by="opensmtpd",
    ),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-opensmtpd") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(opensmtpd, raw, expect)
    check_pipeline(raw, expect)
