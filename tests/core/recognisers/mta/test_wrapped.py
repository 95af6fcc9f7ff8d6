"""A gateway's notice wrapping another server's complete DSN.

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers import wrapped
from tests.core.recognisers.mta.cases import (
    Expect,
    check_module,
    check_pipeline,
    corpus_files,
    corpus_raw,
    own_raw,
)

CORPUS = [
    # The shape is the inner report's: its returned original came back as headers only.
    Expect(
        "bounces/lhost-x5-01.eml", "failure", "partial", (("kijitora@neko.example.org", "5.1.1"),)
    ),
]
OWN = [
    Expect(
        "gateway-wrapped-dsn.eml",
        "failure",
        "full",
        (("bob@example.org", "5.1.1"),),
        by="wrapped/dsn",
    ),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-x5") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(wrapped, raw, expect)
    check_pipeline(raw, expect)
