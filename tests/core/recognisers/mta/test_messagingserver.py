"""Sun/Oracle Messaging Server (iPlanet): DSNs and the text without its RFC 3464 part.

Every corpus sample of the family is checked through the whole classifier; our own samples
(tests/data/mta_bounces/) are checked against the recogniser alone and through the classifier.
"""

from __future__ import annotations

import pytest

from ndrguard.recognisers.mta import messagingserver
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
        "bounces/lhost-messagingserver-01.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.1"),),
    ),
    Expect(
        "bounces/lhost-messagingserver-02.eml",
        "failure",
        "full",
        (("@smtp.example.net:kijitora@server", "5.2.0"),),
    ),
    Expect(
        "bounces/lhost-messagingserver-04.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.2.2"),),
    ),
    Expect(
        "bounces/lhost-messagingserver-05.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.4.4"),),
    ),
    # labelled failure in the corpus, but it is "Delivery has been delayed" with Action: delayed
    Expect(
        "bounces/lhost-messagingserver-07.eml",
        "delay",
        "full",
        (("kijitora@2jo.example.jp", "4.4.7"),),
    ),
    Expect(
        "bounces/lhost-messagingserver-08.eml",
        "failure",
        "full",
        (("otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp", "5.0.0"),),
    ),
    Expect(
        "bounces/lhost-messagingserver-10.eml",
        "failure",
        "full",
        (("neko@libsisimai.org", "5.1.10"),),
    ),
    Expect(
        "bounces/lhost-messagingserver-11.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.8"),),
    ),
]
OWN = [
    Expect(
        "messagingserver-failure.eml",
        "failure",
        "full",
        (("bob@example.com", "5.1.1"),),
        by="messagingserver",
    ),
]


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-messagingserver") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_pipeline(corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    raw = own_raw(expect.file)
    check_module(messagingserver, raw, expect)
    check_pipeline(raw, expect)
