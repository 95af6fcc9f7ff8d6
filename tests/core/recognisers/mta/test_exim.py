"""Exim: failures with X-Failed-Recipients, delay warnings; Mail.ru's notices are Exim's text too.

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers.mta import exim
from tests.core.recognisers.mta.cases import (
    Expect,
    check_module,
    check_pipeline,
    corpus_files,
    corpus_raw,
    own_raw,
)

CORPUS = [
    Expect("bounces/lhost-exim-01.eml", "failure", "full", (("kijitora@example.ed.jp", "5.7.0"),)),
    Expect(
        "bounces/lhost-exim-02.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.1"), ("sabatora@example.jp", "5.2.1")),
    ),
    Expect("bounces/lhost-exim-04.eml", "failure", "full", (("kijitora@example.ed.jp", "5.7.0"),)),
    Expect(
        "bounces/lhost-exim-05.eml", "failure", "full", (("kijitora@neko.example.co.jp", "5.1.1"),)
    ),
    Expect("bounces/lhost-exim-07.eml", "failure", "empty", (("shiba@example.com", "5.0.0"),)),
    Expect("bounces/lhost-exim-08.eml", "failure", "full", (("kijitora@example.org", "5.0.0"),)),
    Expect("bounces/lhost-exim-30.eml", "failure", "full", (("kijitora@exmaple.ch", "5.7.1"),)),
    Expect("bounces/lhost-exim-31.eml", "failure", "full", (("kijitora@example.net", "5.0.0"),)),
    Expect(
        "bounces/lhost-exim-33.eml",
        "failure",
        "full",
        (("pseudo-local-part-kijitora-nyaan@comcast.net", "5.0.0"),),
    ),
    Expect("bounces/lhost-exim-34.eml", "failure", "full", (("kijitora@example.net", "5.7.1"),)),
    Expect("bounces/lhost-exim-36.eml", "failure", "full", (("kijitora@example.edu", "5.0.0"),)),
    Expect("bounces/lhost-exim-37.eml", "failure", "full", (("kijitora@example.net", "5.0.0"),)),
    Expect("bounces/lhost-exim-39.eml", "failure", "full", (("kijitora@example.net", "5.0.0"),)),
    Expect("bounces/lhost-exim-40.eml", "failure", "full", (("kijitora@example.org", "5.0.0"),)),
    Expect("bounces/lhost-exim-42.eml", "failure", "full", (("kijitora@example.net", "5.7.1"),)),
    Expect("bounces/lhost-exim-43.eml", "failure", "full", (("kijitora@example.net", "5.0.0"),)),
    Expect("bounces/lhost-exim-45.eml", "failure", "full", (("kijitora@example.com", "5.2.0"),)),
    Expect("bounces/lhost-exim-46.eml", "failure", "full", (("kijitora@example.com", "5.7.1"),)),
    Expect("bounces/lhost-exim-48.eml", "failure", "full", (("kijitora@example.net", "5.0.0"),)),
    Expect("bounces/lhost-exim-49.eml", "failure", "full", (("kijitora@example.com", "5.0.0"),)),
    Expect("bounces/lhost-exim-51.eml", "failure", "full", (("kijitora@example.org", "5.1.0"),)),
    Expect("bounces/lhost-exim-52.eml", "failure", "full", (("kijitora@example.com", "5.0.0"),)),
    Expect("bounces/lhost-exim-54.eml", "failure", "full", (("kijitora@example.org", "5.0.0"),)),
    Expect("bounces/lhost-exim-55.eml", "failure", "full", (("kijitora@example.com", "5.7.0"),)),
    Expect("bounces/lhost-exim-57.eml", "failure", "full", (("kijitora@example.com", "5.0.0"),)),
    Expect("bounces/lhost-exim-58.eml", "failure", "full", (("kijitora@example.us", "5.0.0"),)),
    Expect(
        "bounces/lhost-exim-60.eml",
        "failure",
        "full",
        (("/mail/spool/q002.kijitora.gol.com/gol.com/22r/cat/n2.nyaan", "5.0.0"),),
    ),
    Expect("bounces/lhost-exim-61.eml", "failure", "partial", (("xxxx@xxxx.net", "5.1.1"),)),
    Expect("bounces/lhost-mailru-01.eml", "failure", "full", (("kijitora@example.jp", "5.1.1"),)),
    Expect("bounces/lhost-mailru-02.eml", "failure", "full", (("kijitora@example.jp", "5.2.2"),)),
    Expect("bounces/lhost-mailru-04.eml", "failure", "full", (("kijitora@example.jp", "5.1.1"),)),
    Expect("bounces/lhost-mailru-05.eml", "failure", "full", (("neko@libsisimai.org", "5.1.2"),)),
    Expect(
        "bounces/lhost-mailru-07.eml",
        "failure",
        "full",
        (("otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-mailru-08.eml",
        "failure",
        "full",
        (("otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp", "5.0.0"),),
    ),
    Expect("bounces/lhost-mailru-10.eml", "failure", "full", (("neko@sijo.example.jp", "5.4.7"),)),
]
OWN = [
    Expect("exim-delay.eml", "delay", "empty", (("bob@example.com", "4.7.1"),), by="exim"),
    Expect("exim-failure.eml", "failure", "full", (("carol@example.com", "5.1.1"),), by="exim"),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-exim", "lhost-mailru") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(exim, raw, expect)
    check_pipeline(raw, expect)
