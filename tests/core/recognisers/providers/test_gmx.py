"""GMX and 1&1 / IONOS bounces."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = ("lhost-gmx", "lhost-einsundeins")

CORPUS = [
    Case(
        "lhost-gmx-01.eml",
        "failure",
        "full",
        (("shironeko@example.jp", "5.2.2"),),
        message_id="<trinity-d174cb7e-d4a8-4dd5-8b53-7a9f70928e75-1417217529360@3capp-mailcom-lxa02>",
    ),
    Case(
        "lhost-gmx-02.eml",
        "failure",
        "full",
        (("shironeko@example.jp", "5.1.1"),),
        message_id="<trinity-fde69d4e-12a0-462b-9dcd-7312ce506d03-1417194013122@3capp-mailcom-lxa07>",
    ),
    Case(
        "lhost-gmx-04.eml",
        "failure",
        "full",
        (("kijitora@6jo.example.co.jp", "5.4.7"),),
        message_id="<trinity-8bc3e11d-b17c-4641-8692-498e8a19f323-1417217587540@3capp-mailcom-lxa02>",
    ),
    Case(
        "lhost-einsundeins-02.eml",
        "failure",
        "full",
        (("kijitora@example.org", "5.3.4"),),
        message_id="<eeeeeeee.neko.000000000nyaaan-00@smtp.example.jp>",
    ),
    Case(
        "lhost-einsundeins-03.eml",
        "failure",
        "partial",
        (("xxxx@xxxx.fr", "5.2.0"),),
        message_id="<1576497267.@xxxx.xxxx>",
    ),
]

OWN = [
    Case(
        "gmx-failure.eml",
        "failure",
        "partial",
        (("olivia@example.com", "5.1.1"),),
        by="gmx",
        message_id="<trinity-gmx-sent-1@3c-app-gmx-bs01>",
    ),
    Case(
        "einsundeins-failure.eml",
        "failure",
        "partial",
        (("peggy@example.com", "5.3.4"),),
        by="gmx",
        message_id="<1and1-sent-1@mail.example.org>",
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
