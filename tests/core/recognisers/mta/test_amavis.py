"""amavisd-new: DSNs and the text without its RFC 3464 part.

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers.mta import amavis
from tests.core.recognisers.mta.cases import (
    Expect,
    check_module,
    check_pipeline,
    corpus_files,
    corpus_raw,
    own_raw,
)

CORPUS = [
    Expect("bounces/lhost-amavis-01.eml", "failure", "full", (("neko@example.co.jp", "5.1.1"),)),
    Expect("bounces/lhost-amavis-02.eml", "failure", "full", (("neko@example.co.jp", "5.1.1"),)),
]
OWN = [
    Expect(
        "amavis-failure.eml", "failure", "partial", (("bob@example.com", "5.1.1"),), by="amavis"
    ),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-amavis") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(amavis, raw, expect)
    check_pipeline(raw, expect)
