"""Verizon Wireless: the MMS gateway's notice and the text gateway's (Apache James) notice.

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers.mta import verizon
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
        "bounces/lhost-verizon-01.eml", "failure", "partial", (("0000000000@vzwpix.com", "5.0.0"),)
    ),
    Expect(
        "bounces/lhost-verizon-02.eml",
        "failure",
        "partial",
        (("may-be-straycat-nyaaaaaan@vtext.com", "5.0.0"),),
    ),
]
OWN = [
    Expect(
        "verizon-mms.eml",
        "failure",
        "partial",
        (("5550100000@mms.example.com", "5.0.0"),),
        by="verizon",
    ),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-verizon") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(verizon, raw, expect)
    check_pipeline(raw, expect)
