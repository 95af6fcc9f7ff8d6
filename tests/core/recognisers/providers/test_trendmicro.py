"""Trend Micro InterScan bounces."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = ("lhost-trendmicro",)

CORPUS = [
    Case(
        "lhost-trendmicro-01.eml",
        "failure",
        "full",
        (("kijitora@example.co.jp", "5.1.1"),),
        message_id="<00000000000.000000000000@e3.example.co.jp>",
    ),
    Case(
        "lhost-trendmicro-02.eml",
        "failure",
        "full",
        (("kijitora@neko.example.jp", "5.1.1"),),
        message_id="<201004292334.0EmUhAuR067473@smtp.r1.example.com>",
    ),
]

OWN = [
    Case(
        "trendmicro-transcript.eml",
        "failure",
        "full",
        (("walter@example.com", "5.1.1"),),
        by="trendmicro",
        message_id="<imss-sent-1@mail.example.org>",
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
