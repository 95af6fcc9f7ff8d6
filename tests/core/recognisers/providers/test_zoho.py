"""Zoho Mail's bounces and delay warnings, and Zoho's rejections relayed by others."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    DELAY_LABELLED_FAILURE,
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = ("lhost-zoho", "rhost-zoho")

CORPUS = [
    Case(
        "lhost-zoho-01.eml",
        "failure",
        "partial",
        (("kijitora@example.co.jp", "5.1.1"),),
        message_id="<14a3e1b4b5a.10b1a4c5610175.8588386083425091336@zoho.example.com>",
    ),
    Case(
        "lhost-zoho-02.eml",
        "failure",
        "partial",
        (("mikeneko@example.co.jp", "5.2.1"), ("sabineko@example.co.jp", "5.2.2")),
        message_id="<14a3e1d1c33.f7b5d16d10424.9039632619844387192@zoho.example.com>",
    ),
    Case(
        "lhost-zoho-04.eml",
        "delay",
        "partial",
        (("kijitora@6kaku.example.co.jp", "4.4.1"),),
        message_id="<14a3e1f7f3c.110ef7cb910716.7530578479836940184@zoho.example.com>",
        why=DELAY_LABELLED_FAILURE,
    ),
    Case(
        "lhost-zoho-05.eml",
        "failure",
        "partial",
        (("kijitora@7jo.example.jp", "5.4.1"),),
        message_id="<14a3e1f7f3c.110ef7cb910716.7530578479836940184@zoho.example.com>",
    ),
    Case(
        "rhost-zoho-01.eml",
        "failure",
        "full",
        (("kijitora@zoho.example.com", "5.1.1"),),
        message_id="<6E83AE85-5AF4-4E9B-8B33-64683EF86601@example.org>",
    ),
    Case(
        "rhost-zoho-02.eml",
        "failure",
        "full",
        (("kijitora@zoho.example.com", "5.7.7"),),
        message_id="<6E83AE85-5AF4-4E9B-8B33-64683EF86602@example.org>",
    ),
    Case(
        "rhost-zoho-04.eml",
        "failure",
        "full",
        (("kijitora@zoho.example.com", "5.4.1"),),
        message_id="<6E83AE85-5AF4-4E9B-8B33-64683EF86604@example.org>",
    ),
]

OWN = [
    Case(
        "zoho-failure.eml",
        "failure",
        "partial",
        (("rupert@example.com", "5.1.1"),),
        by="zoho",
        message_id="<zoho-sent-1@zoho.example.org>",
    ),
    Case("zoho-delay.eml", "delay", "empty", (("sybil@example.com", "4.4.1"),), by="zoho"),
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
