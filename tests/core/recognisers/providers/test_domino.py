"""IBM / Lotus Domino and Notes bounces."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = ("lhost-domino", "lhost-notes")

CORPUS = [
    Case("lhost-domino-01.eml", "failure", "empty", (("kijitora@example.jp", "5.1.1"),)),
    Case(
        "lhost-domino-02.eml",
        "failure",
        "full",
        (("kijitora@example.co.jp", "5.1.1"),),
        message_id="<0000000000.00000000-0000000000.00000000-00000000.00000000@example.co.jp>",
    ),
    Case(
        "lhost-notes-01.eml",
        "failure",
        "full",
        (("kijitora@u1.example.co.jp", "5.0.0"),),
        message_id="<000000000.0000000000000.notes@example.co.jp>",
    ),
    Case(
        "lhost-notes-02.eml",
        "failure",
        "full",
        (("kijitora@u1.example.co.jp", "5.1.1"),),
        message_id="<000000000.0000000000000.notes@example.co.jp>",
    ),
]

OWN = [
    Case("domino-failure.eml", "failure", "empty", (("xavier@example.com", "5.1.1"),), by="domino"),
    Case(
        "notes-failure-reasons.eml",
        "failure",
        "full",
        (("yvonne@example.com", "5.1.1"),),
        by="domino",
        message_id="<notes-sent-1@mail.example.org>",
    ),
    # The Lotus SMTP MTA's notice for a mail loop gives a reason for the whole message and no
    # address; the returned copy's To says whom it was for (a list post in the real sample).
    Case(
        "notes-hop-count.eml",
        "failure",
        "full",
        (("planning@example.com", "5.4.6"),),
        by="domino",
        message_id="<list-post-7@example.org>",
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
