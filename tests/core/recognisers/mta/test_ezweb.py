"""EZweb / au mobile gateway.

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers.mta import ezweb
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
        "bounces/lhost-ezweb-01.eml",
        "failure",
        "partial",
        (("this-message-rejected-by-the-domain-filter@ezweb.ne.jp", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-ezweb-02.eml",
        "failure",
        "full",
        (("this-local-part-does-not-exist-on-the-server@ezweb.ne.jp", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-ezweb-04.eml",
        "failure",
        "empty",
        (("this-local-part-does-not-exist-on-the-server@ezweb.ne.jp", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-ezweb-05.eml",
        "failure",
        "empty",
        (("this-local-part-does-not-exist-on-the-server@ezweb.ne.jp", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-ezweb-08.eml",
        "failure",
        "empty",
        (("kijitora-neko-nyaan-22222-cats@hotmail.com", "5.0.0"),),
    ),
]
OWN = [
    Expect("ezweb-failure.eml", "failure", "empty", (("bob@example.com", "5.0.0"),), by="ezweb"),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-ezweb") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(ezweb, raw, expect)
    check_pipeline(raw, expect)
