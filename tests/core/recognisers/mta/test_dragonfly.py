"""DragonFly Mail Agent (dma).

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers.mta import dragonfly
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
        "bounces/lhost-dragonfly-01.eml",
        "failure",
        "partial",
        (("pseudo-local-part@google.example.com", "5.7.26"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-02.eml",
        "failure",
        "partial",
        (("pseudo-local-part@outlook.example.com", "5.7.509"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-04.eml",
        "failure",
        "partial",
        (("postmaster@cx.libsisimai.org", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-05.eml",
        "failure",
        "partial",
        (("authfailure@libsisimai.net", "5.7.26"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-07.eml",
        "failure",
        "partial",
        (("contenterror@libsisimai.net", "5.6.0"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-08.eml",
        "failure",
        "partial",
        (("exceedlimit@libsisimai.net", "5.2.3"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-10.eml",
        "failure",
        "partial",
        (("hasmoved@libsisimai.net", "5.1.6"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-11.eml",
        "failure",
        "partial",
        (("hostunknown@libsisimai.net", "5.1.2"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-13.eml",
        "failure",
        "partial",
        (("mailererror@libsisimai.net", "5.3.0"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-14.eml",
        "failure",
        "partial",
        (("mesgtoobig@libsisimai.net", "5.3.4"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-16.eml",
        "failure",
        "partial",
        (("notaccept@libsisimai.net", "5.3.2"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-17.eml",
        "failure",
        "partial",
        (("onhold@libsisimai.net", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-19.eml",
        "failure",
        "partial",
        (("securityerror@libsisimai.net", "5.7.1"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-20.eml",
        "failure",
        "partial",
        (("spamdetected@libsisimai.net", "5.7.0"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-22.eml",
        "failure",
        "partial",
        (("syntaxerror@libsisimai.net", "5.1.3"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-23.eml",
        "failure",
        "partial",
        (("systemerror@libsisimai.net", "5.3.0"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-25.eml",
        "failure",
        "partial",
        (("virusdetected@libsisimai.net", "5.7.0"),),
    ),
    Expect(
        "bounces/lhost-dragonfly-26.eml", "failure", "full", (("userunknown@example.org", "5.1.1"),)
    ),
    Expect(
        "bounces/lhost-dragonfly-28.eml", "failure", "full", (("kijitora@example.com", "5.2.2"),)
    ),
    Expect(
        "bounces/lhost-dragonfly-29.eml",
        "failure",
        "partial",
        (("expired@libsisimai.net", "5.0.0"),),
    ),
]
OWN = [
    Expect(
        "dragonfly-failure.eml",
        "failure",
        "partial",
        (("bob@example.com", "5.1.1"),),
        by="dragonfly",
    ),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-dragonfly") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(dragonfly, raw, expect)
    check_pipeline(raw, expect)
