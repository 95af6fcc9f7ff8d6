"""Exchange 5.5-2003 (Internet Mail Service) NDRs."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = ("lhost-exchange2003",)

CORPUS = [
    Case("lhost-exchange2003-01.eml", "failure", "empty", (("kijitora@example.jp", "5.1.1"),)),
    Case(
        "lhost-exchange2003-02.eml",
        "failure",
        "full",
        (("kijitora@example.co.jp", "5.1.1"), ("mikeneko@example.co.jp", "5.1.1")),
        message_id="<000000000000000.0000000@example.jp>",
    ),
    Case("lhost-exchange2003-04.eml", "failure", "empty", (("kijitora@example.com", "5.1.1"),)),
    Case(
        "lhost-exchange2003-05.eml",
        "failure",
        "full",
        (("kijitora@example.com", "5.1.1"),),
        message_id="<0000000000000000000000000000000@example.com>",
    ),
]

OWN = [
    Case(
        "exchange2003-ims.eml",
        "failure",
        "empty",
        (("erin@example.com", "5.1.1"),),
        by="exchange2003",
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
