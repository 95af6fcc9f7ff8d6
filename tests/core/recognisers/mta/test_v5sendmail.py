"""Sendmail v5: the transcript-only notice with "----- Unsent message follows -----".

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers.mta import v5sendmail
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
        "bounces/lhost-v5sendmail-01.eml", "failure", "full", (("kijitora@example.com", "4.0.0"),)
    ),
    Expect(
        "bounces/lhost-v5sendmail-02.eml",
        "failure",
        "full",
        (("kijitora@neko.example.org", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-v5sendmail-04.eml",
        "failure",
        "full",
        (("kijitora@example.ed.jp", "5.0.0"), ("mikeneko@example.ac.jp", "5.0.0")),
    ),
    Expect(
        "bounces/lhost-v5sendmail-05.eml",
        "failure",
        "full",
        (
            ("kijitora@example.edu", "5.0.0"),
            ("kuroneko@example.or.jp", "5.0.0"),
            ("kijitora@example.org", "5.0.0"),
            ("mikeneko@example.co.jp", "5.0.0"),
        ),
    ),
    Expect(
        "bounces/lhost-v5sendmail-07.eml",
        "failure",
        "full",
        (
            ("kijitora@example.org", "5.0.0"),
            ("mikeneko@example.org", "5.0.0"),
            ("hachiware@example.edu", "5.0.0"),
        ),
    ),
]
OWN = [
    Expect(
        "v5sendmail-failure.eml",
        "failure",
        "full",
        (("bob@example.com", "5.0.0"),),
        by="v5sendmail",
    ),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-v5sendmail") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(v5sendmail, raw, expect)
    check_pipeline(raw, expect)
