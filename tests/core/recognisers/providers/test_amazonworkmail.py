"""Amazon WorkMail's text bounces with the DSN fields copied into the text."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = ("lhost-amazonworkmail",)

CORPUS = [
    Case(
        "lhost-amazonworkmail-01.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.1"),),
        message_id="<000001523f1865dd-0dbfd06e-bfce-4637-b049-3318ea42f98a-000000@us-west-2.amazonses.com>",
    ),
    Case(
        "lhost-amazonworkmail-02.eml",
        "failure",
        "full",
        (("sabineko@example.jp", "5.2.1"),),
        message_id="<000001523f20aeff-9f2bb10f-0500-407a-9f92-3b319a7f6a55-000000@us-west-2.amazonses.com>",
    ),
    Case(
        "lhost-amazonworkmail-04.eml",
        "failure",
        "full",
        (("chatoraneko@example.jp", "5.2.2"),),
        message_id="<000001523f18b812-863c7d93-3107-46d7-a38d-f122f3d94fc2-000000@us-west-2.amazonses.com>",
    ),
    Case(
        "lhost-amazonworkmail-05.eml",
        "failure",
        "full",
        (("sabatora@example.libsisimai.org", "4.4.7"),),
        message_id="<000001523f19e6f1-bca13d2c-e021-416c-8022-a33901119dd0-000000@us-west-2.amazonses.com>",
    ),
    Case(
        "lhost-amazonworkmail-08.eml",
        "failure",
        "full",
        (("kijitora@libsisimai.org", "5.2.2"),),
        message_id="<010101532e33a516-7bf47ce2-745e-436a-977d-b95d518e0cbc-000000@us-west-2.amazonses.com>",
    ),
]

OWN = [
    Case(
        "amazonworkmail-failure.eml",
        "failure",
        "full",
        (("mallory@example.com", "5.1.1"),),
        by="amazonworkmail",
        message_id="<workmail-sent-1@example.org>",
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
