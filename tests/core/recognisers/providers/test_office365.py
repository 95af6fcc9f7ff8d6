"""Office 365 / Outlook.com / Hotmail NDRs, and Exchange Online rejections relayed as DSNs."""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    DELAY_LABELLED_FAILURE,
    Case,
    check_corpus,
    check_own,
    missing_from_table,
)

FAMILIES = ("lhost-office365", "lhost-outlook", "rhost-microsoft", "rhost-outlook")

CORPUS = [
    Case(
        "lhost-office365-01.eml",
        "failure",
        "full",
        (("kijitora@example.com", "5.1.10"),),
        message_id="<FFFFFFFF.EEEEEEEE@example.ed.jp>",
    ),
    Case(
        "lhost-office365-02.eml",
        "failure",
        "full",
        (("kijitora@example.onmicrosoft.com", "5.1.1"),),
        message_id="<c302b7e8-9b97-40ef-90eb-313cc6c25133@NYAAAAN.example.org>",
    ),
    Case(
        "lhost-office365-04.eml",
        "failure",
        "full",
        (("otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp", "5.1.351"),),
        message_id="<SLXP216MB0381A8F03A83505296890D11A9950@SLXP216MB0381.KORP216.PROD.OUTLOOK.COM>",
    ),
    Case(
        "lhost-office365-05.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.8"),),
        message_id="<SLXP216MB0381016D56DE89DBC2139287A96B0@SLXP216MB0381.KORP216.PROD.OUTLOOK.COM>",
    ),
    Case(
        "lhost-office365-07.eml",
        "failure",
        "full",
        (("otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp", "5.1.351"),),
        message_id="<SLXP216MB0381E73A6665E8145952FF0CA9940@SLXP216MB0381.KORP216.PROD.OUTLOOK.COM>",
    ),
    Case(
        "lhost-office365-08.eml",
        "failure",
        "full",
        (("nyaan@neko.example.jp", "5.4.316"),),
        message_id="<SLXP216MB038146098DE3C3F3086AE5C9A97C0@SLXP216MB0381.KORP216.PROD.OUTLOOK.COM>",
    ),
    Case(
        "lhost-office365-10.eml",
        "failure",
        "full",
        (("azumakuniyuki@example.ne.jp", "5.1.351"),),
        message_id="<SLXP216MB038178608410E5830A839FA7A9210@SLXP216MB0381.KORP216.PROD.OUTLOOK.COM>",
    ),
    Case(
        "lhost-office365-11.eml",
        "failure",
        "full",
        (("kijitora@cr3.neko.nyaan.jp", "5.1.1"),),
        message_id="<SLXP216MB0381A4F513CF42F0FCDA0E2FA9250@SLXP216MB0381.KORP216.PROD.OUTLOOK.COM>",
    ),
    Case(
        "lhost-office365-13.eml",
        "failure",
        "partial",
        (("kijitora-nyaan@neko.kyoto.example.jp", "5.1.10"),),
    ),
    Case(
        "lhost-outlook-01.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.2.2"),),
        message_id="<BLU436-SMTP6645ECA6E7FEFFE86D040BBA770@phx.gbl>",
    ),
    Case(
        "lhost-outlook-02.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.1"),),
        message_id="<BLU436-SMTP6688F46CFBFB4294F252B1BA770@phx.gbl>",
    ),
    Case(
        "lhost-outlook-04.eml",
        "failure",
        "full",
        (("sabineko@example.co.jp", "5.1.1"), ("mikeneko@example.co.jp", "5.2.2")),
        message_id="<BLU436-SMTP695D62048105F50EF3A1B8BA770@phx.gbl>",
    ),
    Case(
        "lhost-outlook-06.eml",
        "delay",
        "full",
        (("kijitora@example.com", "4.4.7"),),
        message_id="<BAY182-W4180385B0DABF89EB94B34A9300@phx.gbl>",
        why=DELAY_LABELLED_FAILURE,
    ),
    Case(
        "lhost-outlook-08.eml",
        "failure",
        "full",
        (("kijitora@hotmail.example.com", "5.5.0"),),
        message_id="<000000222220000000000000fffffff@example.co.jp>",
    ),
    Case(
        "lhost-outlook-09.eml",
        "failure",
        "full",
        (("kijitora@example.org", "5.5.0"),),
        message_id="<BLU222-CR22FC17FE7748FA3ABB087581BC0@phx.gbl>",
    ),
    Case(
        "rhost-microsoft-01.eml",
        "failure",
        "partial",
        (("kijitora@example.com", "5.7.606"),),
        message_id="<00000000000000000000000000000000000000000000000@example.net>",
    ),
    Case(
        "rhost-microsoft-02.eml",
        "failure",
        "full",
        (("kijitora@example.org", "5.4.1"),),
        message_id="<222222222000.2222.2222222222220000000@NEKO-Nyaan>",
    ),
    Case(
        "rhost-microsoft-04.eml",
        "failure",
        "full",
        (("pseudo-local-part-of-microsoft@outlook.com", "5.7.509"),),
        message_id="<Mgt61KRzl7zjTNcc@relay0.example.jp>",
    ),
    Case(
        "rhost-microsoft-05.eml",
        "failure",
        "full",
        (("pseudo-local-part-of-microsoft@outlook.com", "4.7.650"),),
        message_id="<WpZGzDpcy1zw5NGv@relay0.example.jp>",
    ),
    Case(
        "rhost-outlook-01.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.2.2"),),
        message_id="<BLU436-SMTP6645ECA6E7FEFFE86D040BBA770@phx.gbl>",
    ),
    Case(
        "rhost-outlook-02.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.1"),),
        message_id="<BLU436-SMTP6688F46CFBFB4294F252B1BA770@phx.gbl>",
    ),
    Case(
        "rhost-outlook-04.eml",
        "failure",
        "full",
        (("sabineko@example.co.jp", "5.1.1"), ("mikeneko@example.co.jp", "5.2.2")),
        message_id="<BLU436-SMTP695D62048105F50EF3A1B8BA770@phx.gbl>",
    ),
    Case(
        "rhost-outlook-06.eml",
        "delay",
        "full",
        (("kijitora@example.com", "4.4.7"),),
        message_id="<BAY182-W4180385B0DABF89EB94B34A9300@phx.gbl>",
        why=DELAY_LABELLED_FAILURE,
    ),
    Case(
        "rhost-outlook-08.eml",
        "failure",
        "full",
        (("kijitora@hotmail.example.com", "5.5.0"),),
        message_id="<000000222220000000000000fffffff@example.co.jp>",
    ),
    Case(
        "rhost-outlook-09.eml",
        "failure",
        "full",
        (("kijitora@example.org", "5.5.0"),),
        message_id="<BLU222-CR22FC17FE7748FA3ABB087581BC0@phx.gbl>",
    ),
]

OWN = [
    Case(
        "office365-qp-headers.eml",
        "failure",
        "partial",
        (("bob@example.com", "5.1.10"),),
        by="office365",
        message_id="<quarterly-2025-03@mail.example.org>",
    ),
    Case(
        "office365-details-html.eml",
        "failure",
        "partial",
        (("carol@example.com", "5.1.10"),),
        by="office365",
        message_id="<lunch-42@mail.example.org>",
    ),
    Case("phishing-office365-lookalike.eml", "other", None, (), by="none"),
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
