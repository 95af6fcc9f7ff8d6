"""sisimai's X2 layout: qmail-style paragraphs before "--- Original message follows.".

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
]
OWN = [
    Expect("x2-quota.eml", "failure", "full", (("bob@example.net", "5.0.0"),), by="qmail"),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-x2") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(qmail, raw, expect)
    check_pipeline(raw, expect)
