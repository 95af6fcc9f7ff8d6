"""Amazon SES: its DSNs, SES receiving's DSNs, and the JSON notifications sent through SNS."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = ("lhost-amazonses", "lhost-receivingses")

CORPUS = [
    Case(
        "lhost-amazonses-01.eml",
        "failure",
        "full",
        (("shironeko@example.co.jp", "5.0.0"),),
        message_id="<000001321defbd2a-788e31c8-2be1-422f-a8d4-cf7765cc9ed7-000000@email.amazonses.com>",
    ),
    Case(
        "lhost-amazonses-02.eml",
        "failure",
        "full",
        (("this-local-part-does-not-exist-on-the-server@docomo.ne.jp", "5.0.0"),),
        message_id="<00000132e188591e-2882d710-aacc-49e9-bfac-5400b02ffb9b-000000@email.amazonses.com>",
    ),
    Case(
        "lhost-amazonses-05.eml",
        "failure",
        "full",
        (("bounce@simulator.amazonses.com", "5.1.1"),),
        message_id="<01010157b3c0c026-110cf920-4be1-4c36-87c0-1f48d0cc6639-000000@us-west-2.amazonses.com>",
    ),
    Case(
        "lhost-amazonses-06.eml",
        "failure",
        "full",
        (("bounce@simulator.amazonses.com", "5.1.1"),),
        message_id="<01010157b7234f87-8e1ec8d8-62e9-4e6e-aec7-cdec60e58f48-000000@us-west-2.amazonses.com>",
    ),
    Case(
        "lhost-amazonses-08.eml",
        "failure",
        "full",
        (("e@neko.nyaan.example.org", "5.7.9"),),
        message_id="<01010157b3d66b47-d620f4e1-14ae-4cad-8005-3fcf2ce695c9-000000@us-west-2.amazonses.com>",
    ),
    Case(
        "lhost-amazonses-09.eml",
        "failure",
        "partial",
        (("bounce@simulator.amazonses.com", "5.1.1"),),
    ),
    Case(
        "lhost-amazonses-11.eml", "feedback", None, (("complaint@simulator.amazonses.com", None),)
    ),
    Case(
        "lhost-amazonses-12.eml",
        "delivered",
        "partial",
        (("success@simulator.amazonses.com", "2.6.0"),),
    ),
    Case(
        "lhost-amazonses-14.eml",
        "failure",
        "full",
        (("sironeko@neko.example.org", "5.7.1"),),
        message_id="<ffffffffffffffff-00000000-2222-2222-2222-111111111111-ffffff@email.amazonses.com>",
    ),
    Case(
        "lhost-amazonses-15.eml",
        "failure",
        "full",
        (("kijitora@neko.example.com", "5.7.1"),),
        message_id="<2022ddef02022222-efee0022-eef2-2200-aeee-eefe00202222-000000@email.amazonses.com>",
    ),
    Case(
        "lhost-amazonses-17.eml",
        "failure",
        "full",
        (("kijitora@example.com", "4.4.7"),),
        message_id="<20220022eefe0000-20222022-aeef-eefa-eeaf-eefe202200ee-000000@email.amazonses.com>",
    ),
    Case(
        "lhost-amazonses-18.eml",
        "failure",
        "full",
        (("kijitora@neko.nyaan.example.edu", "5.4.4"),),
        message_id="<0000000000000000-22222222-ffff-2222-2222-000000000000-000000@email.amazonses.com>",
    ),
    Case(
        "lhost-amazonses-20.eml",
        "failure",
        "full",
        (("kijitora@google.example.com", "5.2.1"),),
        message_id="<0000000000000000-22222222-eeee-eeee-0000-000000000000-000000@email.amazonses.com>",
    ),
    Case(
        "lhost-amazonses-21.eml",
        "failure",
        "full",
        (("kijitora@example.com", "5.7.1"),),
        message_id="<0000000000000000-22222222-eeee-ffff-ffff-000000000000-000000@email.amazonses.com>",
    ),
    Case(
        "lhost-receivingses-01.eml",
        "failure",
        "partial",
        (("userunknown@neko.example.jp", "5.1.1"),),
        message_id="<DCB08CC1-D236-48E2-9A8D-2492DACE50E2@example.co.jp>",
    ),
    Case(
        "lhost-receivingses-02.eml",
        "failure",
        "partial",
        (("userunknown@neko.example.jp", "5.1.1"),),
        message_id="<DCB08CC1-D236-48E2-9A8D-2492DACE50E2@example.co.jp>",
    ),
    Case(
        "lhost-receivingses-04.eml",
        "failure",
        "partial",
        (("mailboxfull@neko.example.jp", "5.2.2"),),
        message_id="<0D92F8BF-DD26-4CE5-8977-3609F070E0DD@example.co.jp>",
    ),
    Case(
        "lhost-receivingses-05.eml",
        "failure",
        "partial",
        (("exceedlimit@neko.example.jp", "5.3.4"),),
        message_id="<2DDCFF5A-1711-422F-AE94-54E6E4496366@example.co.jp>",
    ),
    Case(
        "lhost-receivingses-07.eml",
        "failure",
        "partial",
        (("neko@neko.example.jp", "5.2.0"),),
        message_id="<591550FB-4AB8-42E4-A4B6-AE7696FC2727@example.co.jp>",
    ),
    Case(
        "lhost-receivingses-08.eml",
        "failure",
        "partial",
        (("jp1rb6cm3@mozmail.com", "5.2.3"),),
        message_id="<2EB7A4F3-7355-4A23-BF76-994FEB74C919@example.jp>",
    ),
]

OWN = [
    Case(
        "amazonses-bounce.eml",
        "failure",
        "partial",
        (("judy@example.com", "5.1.1"),),
        by="amazonses",
        message_id="<ses-sent-1@example.org>",
    ),
    Case(
        "amazonses-complaint.eml",
        "feedback",
        None,
        (("judy@example.com", None),),
        by="amazonses",
        message_id="<ses-sent-1@example.org>",
    ),
    Case(
        "amazonses-delivery.eml",
        "delivered",
        "partial",
        (("judy@example.com", "2.6.0"),),
        by="amazonses",
        message_id="<ses-sent-1@example.org>",
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
