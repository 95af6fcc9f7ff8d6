"""Yahoo! Mail failure notices, and Yahoo / AOL rejections relayed by others."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = ("lhost-yahoo", "rhost-yahooinc", "rhost-aol")

CORPUS = [
    Case(
        "lhost-yahoo-01.eml",
        "failure",
        "full",
        (("kijitora@example.org", "5.1.1"),),
        message_id="<6AE6249A-E7A8-4980-862C-F499F6B8E7C5@y.example.co.jp>",
    ),
    Case(
        "lhost-yahoo-02.eml",
        "failure",
        "full",
        (("kijitora@example.ed.jp", "5.2.2"),),
        message_id="<3C1693EF-7886-4E59-BBF9-D3DF3B74820F@y.example.co.jp>",
    ),
    Case("lhost-yahoo-04.eml", "failure", "full", (("kijitora@example.co.jp", "5.2.2"),)),
    Case("lhost-yahoo-05.eml", "failure", "full", (("kijitora@example.co.jp", "5.2.1"),)),
    Case(
        "lhost-yahoo-07.eml",
        "failure",
        "full",
        (("otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp", "5.0.0"),),
        message_id="<D36444F0-C76F-43F3-9E73-85D657DE6176@yahoo.com>",
    ),
    Case(
        "lhost-yahoo-08.eml",
        "failure",
        "full",
        (("mailboxfull@libsisimai.org", "5.2.2"),),
        message_id="<D957E346-5D46-47EE-8CEF-EF76A51AFD20@yahoo.com>",
    ),
    Case(
        "lhost-yahoo-10.eml",
        "failure",
        "full",
        (("userunknown@cubicroot.jp", "5.1.1"),),
        message_id="<B96398F2-F84C-40B0-95A6-DE91474072E4@yahoo.com>",
    ),
    Case(
        "lhost-yahoo-11.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.8"),),
        message_id="<967641.42676.qm@web101219.mail.kks.yahoo.co.jp>",
    ),
    Case(
        "lhost-yahoo-13.eml",
        "failure",
        "full",
        (("neko@sijo.example.jp", "5.4.7"),),
        message_id="<320984677.2593391.1528961217449@mail.yahoo.com>",
    ),
    Case(
        "lhost-yahoo-14.eml",
        "failure",
        "full",
        (("kijitora@example.org", "5.0.0"),),
        message_id="<0000000000000000-00000000-2222-2222-2222-222222220000-000000@email.amazonses.com>",
    ),
    Case(
        "rhost-yahooinc-01.eml",
        "failure",
        "full",
        (("kijitora@aol.example.jp", "5.7.9"),),
        message_id="<20201113004812.08513C0196A@smtp.example.jp>",
    ),
    Case(
        "rhost-yahooinc-02.eml",
        "failure",
        "full",
        (("kijitora@y.example.ca", "4.7.0"),),
        message_id="<9UK8P757b8z3ZQM@u1.em.example.jp>",
    ),
    Case(
        "rhost-aol-01.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.4.4"),),
        message_id="<1EF5F5E0-9CBD-4D06-BF45-F6AA5034DA0A@aol.example.jp>",
    ),
    Case(
        "rhost-aol-02.eml",
        "failure",
        "full",
        (("kijitora@example.co.jp", "5.2.2"),),
        message_id="<C1435873-4AD3-4C83-8967-AA2A4A91ACF9@aol.example.jp>",
    ),
    Case(
        "rhost-aol-04.eml",
        "failure",
        "full",
        (("kijitora@example.co.jp", "5.1.1"),),
        message_id="<8A6111E4-DE55-49BA-B773-FCB9A9A77AC4example.jp>",
    ),
    Case(
        "rhost-aol-05.eml",
        "failure",
        "partial",
        (("nyan@haineko.org", "5.4.4"),),
        message_id="<15bc79632bf-5852-14fcf@webprd-m12.mail.aol.example.com>",
    ),
]

OWN = [
    Case(
        "yahoo-failure.eml",
        "failure",
        "full",
        (("ivan@example.com", "5.2.2"),),
        by="yahoo",
        message_id="<yahoo-sent-1@mail.yahoo.com>",
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
