"""The "automatically generated Delivery Status Notification" with bullets.

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers.mta import automatic_dsn
from tests.core.recognisers.mta.cases import (
    Expect,
    check_module,
    check_pipeline,
    corpus_files,
    corpus_raw,
    own_raw,
)

CORPUS = [
    Expect("bounces/lhost-x3-01.eml", "failure", "partial", (("kijitora@example.com", "5.3.0"),)),
    Expect("bounces/lhost-x3-02.eml", "failure", "full", (("kijitora@example.co.jp", "5.0.0"),)),
    Expect("bounces/lhost-x3-05.eml", "failure", "full", (("kijitora@example.or.jp", "5.0.0"),)),
    Expect("bounces/lhost-x3-06.eml", "failure", "empty", (("xxxx@xxxx.net", "5.1.1"),)),
]
OWN = [
    Expect(
        "automatic-dsn-failure.eml",
        "failure",
        "full",
        (("bob@example.com", "5.3.0"),),
        by="automatic-dsn",
    ),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-x3") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(automatic_dsn, raw, expect)
    check_pipeline(raw, expect)
