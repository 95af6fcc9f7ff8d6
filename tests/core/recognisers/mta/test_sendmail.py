"""Sendmail 8: DSNs (read by the DSN reader) and the section text without one, failures and
warnings.

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers.mta import sendmail
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
        "bounces/lhost-sendmail-01.eml",
        "failure",
        "full",
        (("userunknown@bouncehammer.jp", "5.1.1"),),
    ),
    Expect(
        "bounces/lhost-sendmail-02.eml",
        "failure",
        "full",
        (("userunknown@example.org", "5.1.1"), ("filtered@example.com", "5.2.1")),
    ),
    Expect(
        "bounces/lhost-sendmail-04.eml", "failure", "full", (("kijitora@example.com", "5.1.8"),)
    ),
    Expect(
        "bounces/lhost-sendmail-05.eml", "failure", "partial", (("kijitora@example.org", "5.2.3"),)
    ),
    Expect(
        "bounces/lhost-sendmail-07.eml", "failure", "full", (("kijitora@example.org", "5.0.0"),)
    ),
    Expect("bounces/lhost-sendmail-08.eml", "failure", "partial", (("neko@example.org", "4.4.7"),)),
    Expect(
        "bounces/lhost-sendmail-10.eml",
        "failure",
        "partial",
        (("kijitora@example.or.jp", "4.4.7"),),
    ),
    Expect(
        "bounces/lhost-sendmail-11.eml",
        "failure",
        "partial",
        (("kijitora@example.co.jp", "4.4.7"),),
    ),
    Expect(
        "bounces/lhost-sendmail-13.eml", "failure", "full", (("kijitora@example.or.jp", "5.3.0"),)
    ),
    # labelled failure in the corpus, but a person forwarded the bounce ("Fwd:", quoted with ">"):
    # ordinary mail by our rules, which read only notices sent by a mail system
    Expect("bounces/lhost-sendmail-14.eml", "other", None, ()),
    Expect(
        "bounces/lhost-sendmail-16.eml",
        "failure",
        "full",
        (("aoduigoadiugoaiugaodiugao@example.org", "5.5.0"),),
    ),
    Expect(
        "bounces/lhost-sendmail-17.eml", "failure", "full", (("kijitora@example.net", "5.1.6"),)
    ),
    Expect(
        "bounces/lhost-sendmail-19.eml",
        "failure",
        "partial",
        (("kijitora@ntt.example.ne.jp", "5.2.0"),),
    ),
    Expect(
        "bounces/lhost-sendmail-20.eml", "failure", "full", (("kijitora@example.com", "5.4.6"),)
    ),
    Expect(
        "bounces/lhost-sendmail-22.eml", "failure", "full", (("kijitora@example.net", "5.1.6"),)
    ),
    Expect(
        "bounces/lhost-sendmail-24.eml", "failure", "full", (("neko@xn--cesupi09d.jp", "5.1.2"),)
    ),
    Expect(
        "bounces/lhost-sendmail-26.eml",
        "failure",
        "partial",
        (("this-local-part-does-not-exist-on-the-system@gol.com", "5.1.1"),),
    ),
    Expect(
        "bounces/lhost-sendmail-27.eml",
        "failure",
        "partial",
        (("this-local-part-does-not-exist-on-the-system@mineo.jp", "5.0.0"),),
    ),
    # labelled failure in the corpus, but it is sendmail's "THIS IS A WARNING MESSAGE ONLY"
    # with Action: delayed
    Expect(
        "bounces/lhost-sendmail-29.eml",
        "delay",
        "full",
        (("this-local-part-does-not-exist-on-the-system@y-mobile.ne.jp", "4.5.0"),),
    ),
    Expect(
        "bounces/lhost-sendmail-30.eml",
        "failure",
        "full",
        (("this-local-part-does-not-exist-on-the-system@y-mobile.ne.jp", "4.4.7"),),
    ),
    Expect(
        "bounces/lhost-sendmail-32.eml", "failure", "full", (("nyaaan@neko.example.jp", "5.1.1"),)
    ),
    Expect(
        "bounces/lhost-sendmail-33.eml",
        "failure",
        "full",
        (("mailboxfull@neko.example.org", "5.1.1"),),
    ),
    Expect(
        "bounces/lhost-sendmail-35.eml", "failure", "full", (("kijitora@example.org", "5.7.13"),)
    ),
    Expect(
        "bounces/lhost-sendmail-36.eml",
        "failure",
        "full",
        (("kijitora@nyaan.example.com", "5.1.1"),),
    ),
    Expect(
        "bounces/lhost-sendmail-38.eml", "failure", "full", (("kijitora@example.com", "5.7.1"),)
    ),
    Expect(
        "bounces/lhost-sendmail-39.eml",
        "failure",
        "partial",
        (("kijitora@nekochan.example.ne.jp", "4.4.7"),),
    ),
    Expect(
        "bounces/lhost-sendmail-41.eml",
        "failure",
        "full",
        (("this-local-part-does-not-exist@yahoo.com", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-sendmail-42.eml", "failure", "full", (("nekochan@libsisimai.org", "5.1.2"),)
    ),
    Expect(
        "bounces/lhost-sendmail-44.eml",
        "failure",
        "full",
        (("kijitora@rokujo.example.jp", "5.6.0"),),
    ),
    Expect(
        "bounces/lhost-sendmail-45.eml",
        "failure",
        "full",
        (("pseudo-local-part-kijitora-nyaaan@orange.fr", "5.1.1"),),
    ),
    Expect(
        "bounces/lhost-sendmail-47.eml",
        "failure",
        "full",
        (("pseudo-local-part-kijitora-nyaan@free.fr", "5.1.1"),),
    ),
    Expect(
        "bounces/lhost-sendmail-48.eml",
        "failure",
        "full",
        (("pseudo-local-part-kijitora-nyaan@sfr.fr", "5.7.1"),),
    ),
    Expect(
        "bounces/lhost-sendmail-50.eml",
        "failure",
        "full",
        (("otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp", "5.2.0"),),
    ),
    Expect(
        "bounces/lhost-sendmail-51.eml",
        "failure",
        "full",
        (("otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp", "5.2.0"),),
    ),
    Expect(
        "bounces/lhost-sendmail-53.eml", "failure", "full", (("sironeko@example.com", "5.0.0"),)
    ),
    Expect(
        "bounces/lhost-sendmail-54.eml", "failure", "full", (("kijitora@neko.example.jp", "4.4.7"),)
    ),
    Expect(
        "bounces/lhost-sendmail-56.eml",
        "failure",
        "full",
        (("neko-nyaan@icloud.example.com", "5.5.0"),),
    ),
    Expect(
        "bounces/lhost-sendmail-57.eml", "failure", "partial", (("neko@libsisimai.org", "5.7.27"),)
    ),
    Expect("bounces/lhost-sendmail-59.eml", "failure", "partial", (("info@example.jp", "5.7.1"),)),
    Expect(
        "bounces/lhost-sendmail-60.eml",
        "failure",
        "full",
        (("kijitora-cat@google.example.com", "5.7.26"),),
    ),
    Expect("bounces/lhost-x1-01.eml", "failure", "empty", (("kijitora@example.co.jp", "5.0.0"),)),
    Expect("bounces/lhost-x1-02.eml", "failure", "empty", (("kijitora@example.org", "5.0.0"),)),
]
OWN = [
    Expect("sendmail-warning.eml", "delay", "full", (("bob@example.com", "4.0.0"),), by="sendmail"),
    Expect(
        "sendmail-failure-nodsn.eml",
        "failure",
        "full",
        (("carol@example.com", "5.1.1"),),
        by="sendmail",
    ),
    Expect(
        "sendmail-derived-userunknown.eml",
        "failure",
        "empty",
        (("bob@example.com", "5.0.0"),),
        by="sendmail",
    ),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-sendmail", "lhost-x1") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(sendmail, raw, expect)
    check_pipeline(raw, expect)
