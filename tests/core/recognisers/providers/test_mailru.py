"""Mail.Ru's Exim bounces with a Russian preface."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = ("lhost-mailru",)

CORPUS = [
    Case(
        "lhost-mailru-01.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.1"),),
        message_id="<8F3CE2D8-D60E-48C3-B9AF-BED628EE2CA5@mail.example.ru>",
    ),
    Case(
        "lhost-mailru-02.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.2.2"),),
        message_id="<13452610-064D-4EF7-BAB5-FF1B6CAC1385@mail.example.ru>",
    ),
    Case(
        "lhost-mailru-04.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.1"),),
        message_id="<8F3CE2D8-D60E-48C3-B9AF-BED628EE2CA5@mail.example.ru>",
    ),
    Case(
        "lhost-mailru-05.eml",
        "failure",
        "full",
        (("neko@libsisimai.org", "5.1.2"),),
        message_id="<1493701798.665756489@f374.i.mail.ru>",
    ),
    Case(
        "lhost-mailru-07.eml",
        "failure",
        "full",
        (("otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp", "5.0.0"),),
        message_id="<1526879648.849946119@f496.i.mail.ru>",
    ),
    Case(
        "lhost-mailru-08.eml",
        "failure",
        "full",
        (("otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp", "5.0.0"),),
        message_id="<1526973782.485262328@f42.i.mail.ru>",
    ),
    Case(
        "lhost-mailru-10.eml",
        "failure",
        "full",
        (("neko@sijo.example.jp", "5.4.7"),),
        message_id="<1529051794.476489614@f373.i.mail.ru>",
    ),
]

OWN = [
    Case(
        "mailru-failure.eml",
        "failure",
        "full",
        (("niaj@example.com", "5.1.1"),),
        by="mailru",
        message_id="<mailru-sent-1@example.org>",
    ),
]


@pytest.mark.corpus
@pytest.mark.parametrize("case", CORPUS, ids=str)
def test_corpus_sample(case: Case) -> None:
    check_corpus(case)


@pytest.mark.parametrize("case", OWN, ids=str)
def test_own_sample(case: Case) -> None:
    check_own(case)


@pytest.mark.corpus
def test_table_lists_every_corpus_sample() -> None:
    assert not missing_from_table(FAMILIES, CORPUS)
