"""Ipswitch IMail Server (SMTP32).

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers.mta import imailserver
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
        "bounces/lhost-imailserver-01.eml", "failure", "full", (("kijitora@example.com", "5.0.0"),)
    ),
    Expect(
        "bounces/lhost-imailserver-02.eml",
        "failure",
        "full",
        (("kijitora@example.co.jp", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-imailserver-04.eml", "failure", "empty", (("kijitora@example.com", "5.0.0"),)
    ),
    Expect(
        "bounces/lhost-imailserver-06.eml", "failure", "empty", (("kijitora@example.jp", "5.0.0"),)
    ),
]
OWN = [
    Expect(
        "imailserver-failure.eml",
        "failure",
        "full",
        (("bob@example.com", "5.0.0"),),
        by="imailserver",
    ),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-imailserver") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(imailserver, raw, expect)
    check_pipeline(raw, expect)
