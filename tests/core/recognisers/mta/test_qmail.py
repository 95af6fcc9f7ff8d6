"""qmail and its layout: qmail-send, netqmail, vpopmail, qmail-ldap and qmail-based providers
(Yahoo).

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers.mta import qmail
from tests.core.recognisers.mta.cases import (
    Expect,
    check_module,
    check_pipeline,
    corpus_files,
    corpus_raw,
    own_raw,
)

CORPUS = [
    Expect("bounces/lhost-qmail-01.eml", "failure", "full", (("kijitora@example.ne.jp", "5.5.0"),)),
    Expect(
        "bounces/lhost-qmail-02.eml",
        "failure",
        "full",
        (("userunknown@example.jp", "5.1.1"), ("filtered@example.jp", "5.2.1")),
    ),
    Expect("bounces/lhost-qmail-04.eml", "failure", "full", (("kijitora@example.net", "5.0.0"),)),
    Expect("bounces/lhost-qmail-05.eml", "failure", "full", (("kijitora@example.net", "4.4.3"),)),
    Expect("bounces/lhost-qmail-07.eml", "failure", "empty", (("kijitora@example.jp", "4.4.1"),)),
    Expect(
        "bounces/lhost-qmail-08.eml", "failure", "empty", (("shironeko@example.ad.jp", "5.0.0"),)
    ),
    Expect(
        "bounces/lhost-qmail-10.eml",
        "failure",
        "full",
        (("kijitora@neko2.example.co.jp", "5.0.0"),),
    ),
    Expect("bounces/lhost-qmail-11.eml", "failure", "full", (("neko@nyaan.jp", "5.4.4"),)),
    Expect(
        "bounces/lhost-qmail-13.eml", "failure", "full", (("nekochan@cx.libsisimai.com", "5.1.2"),)
    ),
    Expect(
        "bounces/lhost-qmail-14.eml",
        "failure",
        "full",
        (("pseudo-local-part-of-google-gmail@gmail.com", "5.7.26"),),
    ),
    Expect(
        "bounces/lhost-qmail-16.eml", "failure", "full", (("userunknown@libsisimai.net", "5.1.1"),)
    ),
    Expect(
        "bounces/lhost-qmail-17.eml",
        "failure",
        "full",
        (("userunknown@libsisimai.net", "5.1.1"), ("mailboxfull@libsisimai.net", "5.2.2")),
    ),
    Expect(
        "bounces/lhost-qmail-19.eml",
        "failure",
        "full",
        (("pseudo-local-part-of-yahoo-inc@yahoo.com", "4.7.0"),),
    ),
    Expect(
        "bounces/lhost-qmail-20.eml",
        "failure",
        "full",
        (("pseudo-local-part-of-each-esp@gmail.com", "5.7.26"),),
    ),
    Expect(
        "bounces/lhost-qmail-22.eml",
        "failure",
        "full",
        (("pseudo-local-part-of-each-esp@outlook.com", "5.7.509"),),
    ),
    Expect(
        "bounces/lhost-qmail-23.eml", "failure", "full", (("userunknown@libsisimai.net", "5.1.1"),)
    ),
    Expect(
        "bounces/lhost-qmail-25.eml",
        "failure",
        "full",
        (("mailboxfull@libsisimai.net", "5.2.2"), ("userunknown@libsisimai.net", "5.1.1")),
    ),
    Expect("bounces/lhost-yahoo-01.eml", "failure", "full", (("kijitora@example.org", "5.1.1"),)),
    Expect("bounces/lhost-yahoo-02.eml", "failure", "full", (("kijitora@example.ed.jp", "5.2.2"),)),
    Expect("bounces/lhost-yahoo-04.eml", "failure", "full", (("kijitora@example.co.jp", "5.2.2"),)),
    Expect("bounces/lhost-yahoo-05.eml", "failure", "full", (("kijitora@example.co.jp", "5.2.1"),)),
    Expect(
        "bounces/lhost-yahoo-07.eml",
        "failure",
        "full",
        (("otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-yahoo-08.eml", "failure", "full", (("mailboxfull@libsisimai.org", "5.2.2"),)
    ),
    Expect(
        "bounces/lhost-yahoo-10.eml", "failure", "full", (("userunknown@cubicroot.jp", "5.1.1"),)
    ),
    Expect("bounces/lhost-yahoo-11.eml", "failure", "full", (("kijitora@example.jp", "5.1.8"),)),
    Expect("bounces/lhost-yahoo-13.eml", "failure", "full", (("neko@sijo.example.jp", "5.4.7"),)),
    Expect("bounces/lhost-yahoo-14.eml", "failure", "full", (("kijitora@example.org", "5.0.0"),)),
    Expect("bounces/lhost-x2-01.eml", "failure", "full", (("kijitora@example.co.jp", "5.0.0"),)),
    Expect(
        "bounces/lhost-x2-02.eml",
        "failure",
        "full",
        (
            ("kijitora@example.com", "5.0.0"),
            ("mikeneko@example.com", "5.0.0"),
            ("sabineko@example.com", "5.0.0"),
        ),
    ),
    Expect("bounces/lhost-x2-04.eml", "failure", "full", (("kijitora@example.jp", "5.0.0"),)),
    Expect("bounces/lhost-x2-05.eml", "failure", "empty", (("kijitora@y.example.com", "4.1.9"),)),
    Expect("bounces/lhost-x4-01.eml", "failure", "full", (("kijitora@example.com", "5.0.0"),)),
]
OWN = [
    Expect(
        "qmail-failure.eml",
        "failure",
        "full",
        (("bob@example.com", "5.1.1"), ("carol@example.net", "4.4.1")),
        by="qmail",
    ),
    Expect(
        "qmail-derived-quota.eml", "failure", "full", (("bob@example.net", "5.0.0"),), by="qmail"
    ),
    Expect(
        "qmail-derived-mailfolder-full.eml",
        "failure",
        "full",
        (("bob@example.com", "5.0.0"),),
        by="qmail",
    ),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-qmail", "lhost-yahoo", "lhost-x2", "lhost-x4") == {
        e.file for e in CORPUS
    }


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(qmail, raw, expect)
    check_pipeline(raw, expect)
