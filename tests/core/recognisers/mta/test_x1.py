"""sisimai's X1 layout: "---The following addresses had delivery errors---" with bracketed reasons.

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
    Expect("bounces/lhost-x1-01.eml", "failure", "empty", (("kijitora@example.co.jp", "5.0.0"),)),
    Expect("bounces/lhost-x1-02.eml", "failure", "empty", (("kijitora@example.org", "5.0.0"),)),
]
OWN = [
    Expect(
        "x1-userunknown.eml", "failure", "empty", (("bob@example.com", "5.0.0"),), by="sendmail"
    ),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-x1") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(sendmail, raw, expect)
    check_pipeline(raw, expect)
