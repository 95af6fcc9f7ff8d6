"""McAfee: MX Logic's Exim-like text, and McAfee gateways' DSNs."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = ("lhost-mxlogic", "lhost-mcafee")

CORPUS = [
    Case(
        "lhost-mxlogic-01.eml",
        "failure",
        "full",
        (("kijitora@example.co.jp", "5.1.1"),),
        message_id="<0AE85451-E088-48AE-804E-1F4B713B6C63@example.jp>",
    ),
    Case(
        "lhost-mxlogic-02.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.1"),),
        message_id="<0000000.000000000000@relay4.example.or.jp>",
    ),
    Case(
        "lhost-mcafee-01.eml",
        "failure",
        "partial",
        (("kijitora@example.co.jp", "5.0.0"),),
        message_id="<000000000000000000000.shironeko@example.jp>",
    ),
    Case(
        "lhost-mcafee-02.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.1"),),
        message_id="<0000000000000000000.neko@smtp-gw56.example.com>",
    ),
    Case(
        "lhost-mcafee-04.eml",
        "failure",
        "full",
        (("kijitora@example.com", "5.0.0"),),
        message_id="<000000000010.0000.1111111111111111AA0@NEKO.NYAAN>",
    ),
    Case(
        "lhost-mcafee-05.eml",
        "failure",
        "full",
        (("kijitora-nyaan@example.co.jp", "5.0.0"),),
        message_id="<65ca27d43dc8fb3f37cb5053218cab56@example.net>",
    ),
]

OWN = [
    Case(
        "mxlogic-failure.eml",
        "failure",
        "partial",
        (("trent@example.com", "5.1.1"),),
        by="mxlogic",
        message_id="<mxl-sent-1@mail.example.org>",
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
