"""Exchange 2007-2019 NDRs: the DSN part, or the administrators' section of the text."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = ("lhost-exchange2007",)

CORPUS = [
    Case("lhost-exchange2007-01.eml", "failure", "full", (("mikeneko@example.co.jp", "5.1.1"),)),
    Case(
        "lhost-exchange2007-02.eml",
        "failure",
        "full",
        (("kijitora@example.edu", "5.2.2"),),
        message_id="<20110429233445.FFFFFFFFEEE@neko.example.com>",
    ),
    Case(
        "lhost-exchange2007-04.eml",
        "failure",
        "full",
        (("neko-nyaan@example.jp", "5.7.1"),),
        message_id="<78f44d2b2ea5763064d21edacd9d8d18@example.net>",
    ),
    Case(
        "lhost-exchange2007-05.eml",
        "failure",
        "full",
        (("gwang1@student.mlcsyd.nsw.edu.au", "4.4.7"),),
        message_id="<1472759554.gm4daljtga4dmljrgy2donjsha@newsletter.supersurprises-au.com>",
    ),
    Case(
        "lhost-exchange2007-07.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.1"),),
        message_id="<QCw92c-juIk7Y-w6@neko.example.com>",
    ),
]

OWN = [
    Case(
        "exchange2007-admin.eml",
        "failure",
        "partial",
        (("dave@example.com", "5.1.1"),),
        by="office365",
        message_id="<minutes-7@relay.example.org>",
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
