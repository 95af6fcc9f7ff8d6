"""Postfix: bounce(8) notices with and without their RFC 3464 part, delay warnings, and the
SMTP server's error notice.

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers.mta import postfix
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
        "bounces/lhost-postfix-01.eml",
        "failure",
        "empty",
        (("r@p351355.pool.example.ne.jp", "5.1.1"),),
    ),
    Expect(
        "bounces/lhost-postfix-02.eml",
        "failure",
        "full",
        (("filtered@example.co.jp", "5.2.1"), ("userunknown@example.co.jp", "5.1.1")),
    ),
    Expect(
        "bounces/lhost-postfix-04.eml", "failure", "full", (("kijitora@example.co.jp", "5.1.1"),)
    ),
    Expect("bounces/lhost-postfix-05.eml", "failure", "full", (("kijitora@example.org", "4.1.1"),)),
    Expect(
        "bounces/lhost-postfix-07.eml",
        "failure",
        "full",
        (("kijitora@user.example.or.jp", "5.0.0"),),
    ),
    Expect("bounces/lhost-postfix-08.eml", "failure", "full", (("kijitora@example.com", "4.4.1"),)),
    Expect("bounces/lhost-postfix-10.eml", "failure", "full", (("kijitora@example.jp", "5.1.8"),)),
    Expect(
        "bounces/lhost-postfix-11.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.8"), ("noraneko@example.jp", "5.1.8")),
    ),
    Expect(
        "bounces/lhost-postfix-14.eml", "failure", "full", (("kijitora@2jo.example.jp", "5.1.1"),)
    ),
    Expect(
        "bounces/lhost-postfix-15.eml",
        "failure",
        "full",
        (("kijitora@bukkoji.example.org", "4.4.1"),),
    ),
    Expect("bounces/lhost-postfix-17.eml", "failure", "full", (("kijitora@example.org", "5.4.4"),)),
    Expect(
        "bounces/lhost-postfix-28.eml",
        "failure",
        "full",
        (("kijitora@gmail.example.com", "5.7.1"),),
    ),
    Expect("bounces/lhost-postfix-30.eml", "failure", "empty", (("kijitora@example.br", "5.4.1"),)),
    Expect("bounces/lhost-postfix-31.eml", "failure", "full", (("kijitora@gmail.com", "5.1.1"),)),
    Expect(
        "bounces/lhost-postfix-33.eml",
        "failure",
        "full",
        (("userunknown@libsisimai.org", "5.1.1"),),
    ),
    Expect("bounces/lhost-postfix-34.eml", "failure", "full", (("kijitora@example.com", "5.0.0"),)),
    Expect(
        "bounces/lhost-postfix-36.eml",
        "failure",
        "full",
        (("otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp", "5.0.0"),),
    ),
    Expect("bounces/lhost-postfix-37.eml", "failure", "full", (("nyaan@example.org", "4.4.1"),)),
    Expect("bounces/lhost-postfix-39.eml", "failure", "full", (("kijitora@example.com", "5.0.0"),)),
    Expect("bounces/lhost-postfix-40.eml", "failure", "full", (("kijitora@example.com", "4.0.0"),)),
    Expect("bounces/lhost-postfix-42.eml", "failure", "full", (("kijitora@example.com", "5.0.0"),)),
    Expect(
        "bounces/lhost-postfix-43.eml", "failure", "full", (("kijitora@example.net", "4.3.0"),)
    ),
    Expect(
        "bounces/lhost-postfix-45.eml", "failure", "full", (("kijitora@example.net", "4.3.0"),)
    ),
    Expect(
        "bounces/lhost-postfix-46.eml",
        "failure",
        "full",
        (("neko-nyaan@ne.auone-net.jp", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-postfix-48.eml",
        "failure",
        "full",
        (("neko-nyaan@ntt.example.net", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-postfix-49.eml",
        "failure",
        "full",
        (("kijitora-neko-nyaan@ntt.example.ne.jp", "4.0.0"),),
    ),
    Expect("bounces/lhost-postfix-51.eml", "failure", "full", (("neko@example.co.jp", "5.7.0"),)),
    Expect(
        "bounces/lhost-postfix-52.eml", "failure", "full", (("kijitora@example.co.jp", "5.0.0"),)
    ),
    Expect(
        "bounces/lhost-postfix-54.eml", "failure", "full", (("neko-nyaan@example.ne.jp", "5.7.1"),)
    ),
    Expect(
        "bounces/lhost-postfix-55.eml", "failure", "full", (("neko-nyaan@example.ne.jp", "5.0.0"),)
    ),
    Expect("bounces/lhost-postfix-57.eml", "failure", "full", (("kijitora@cr.nyaan.jp", "5.2.1"),)),
    Expect(
        "bounces/lhost-postfix-58.eml", "failure", "full", (("neko-1718501322@gmail.com", "5.7.1"),)
    ),
    Expect("bounces/lhost-postfix-60.eml", "failure", "full", (("neko@mail.example.jp", "4.0.0"),)),
    Expect(
        "bounces/lhost-postfix-61.eml", "failure", "full", (("neko@email.example.ua", "5.0.0"),)
    ),
    Expect(
        "bounces/lhost-postfix-63.eml", "failure", "full", (("neko@nyaaan.example.org", "5.2.2"),)
    ),
    Expect("bounces/lhost-postfix-64.eml", "failure", "full", (("xxxx@wanadoo.fr", "5.0.0"),)),
    Expect(
        "bounces/lhost-postfix-66.eml", "failure", "full", (("kijitora@aol.example.jp", "5.7.9"),)
    ),
    Expect(
        "bounces/lhost-postfix-67.eml", "failure", "full", (("kijitora@aol.example.jp", "5.7.9"),)
    ),
    Expect(
        "bounces/lhost-postfix-69.eml",
        "failure",
        "full",
        (("kijitora@yahoo.example.com", "5.7.9"),),
    ),
    Expect(
        "bounces/lhost-postfix-70.eml",
        "failure",
        "full",
        (("kijitora@google.example.com", "5.7.26"),),
    ),
    Expect(
        "bounces/lhost-postfix-72.eml", "failure", "full", (("kijitora@mail.example.ru", "5.7.1"),)
    ),
    Expect(
        "bounces/lhost-postfix-73.eml", "failure", "full", (("kijitora@zoho.example.com", "5.7.1"),)
    ),
    Expect(
        "bounces/lhost-postfix-75.eml", "failure", "empty", (("kijitora@libsisimai.net", "4.3.0"),)
    ),
    Expect(
        "bounces/lhost-postfix-76.eml",
        "failure",
        "full",
        (("this-local-part-does-not-exist@rakumail.jp", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-postfix-78.eml", "failure", "full", (("postmaster@libsisimai.org", "5.0.0"),)
    ),
]
OWN = [
    Expect("postfix-delay.eml", "delay", "partial", (("bob@example.com", "4.0.0"),), by="postfix"),
    Expect(
        "postfix-failure-nodsn.eml",
        "failure",
        "full",
        (("carol@example.com", "5.1.1"), ("dave@example.net", "5.2.2")),
        by="postfix",
    ),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-postfix") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(postfix, raw, expect)
    check_pipeline(raw, expect)
