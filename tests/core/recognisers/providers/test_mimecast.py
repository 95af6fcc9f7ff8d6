"""Mimecast's own failure notices, its DSNs and its rejections relayed by others."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = ("lhost-mimecast", "rhost-mimecast")

CORPUS = [
    Case("lhost-mimecast-01.eml", "failure", "empty", (("sabineko@neko.ef.example.org", "5.4.1"),)),
    Case("lhost-mimecast-02.eml", "failure", "empty", (("sabatora@example.net", "5.0.0"),)),
    Case(
        "rhost-mimecast-01.eml",
        "failure",
        "full",
        (("sabatora@example.com", "5.0.0"),),
        message_id="<7B0s8rbG08zYDdPt.WaOHIQht053802@NEKO-NYAAN-22.LOCAL>",
    ),
    Case(
        "rhost-mimecast-02.eml",
        "failure",
        "full",
        (("kijitora@sample.co.uk", "5.0.0"),),
        message_id="<20220429.0000.316C411E8435@nyaan2.example.co.uk>",
    ),
]

OWN = [
    Case(
        "mimecast-failure.eml",
        "failure",
        "empty",
        (("victor@example.com", "5.1.1"),),
        by="mimecast",
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
