"""Providers whose bounces are plain RFC 3464 reports: the DSN reader must read them right.

No provider module reads these; the table guards the DSN reader's handling of each provider's
habits (MessageLabs and Facebook write Final-Recipient after Action and Status).
"""

from __future__ import annotations

import pytest

from tests.core.recognisers.providers.cases import (
    Case,
    check_corpus,
    missing_from_table,
)

FAMILIES = (
    "lhost-barracuda",
    "lhost-sendgrid",
    "lhost-yandex",
    "rhost-apple",
    "rhost-cloudflare",
    "rhost-cox",
    "rhost-facebook",
    "rhost-godaddy",
    "rhost-messagelabs",
    "rhost-nttdocomo",
    "rhost-spectrum",
    "rhost-tencent",
)

CORPUS = [
    Case(
        "lhost-barracuda-01.eml",
        "failure",
        "partial",
        (("kijitora@example.org", "5.7.1"),),
        message_id="<ad4be1052982bf7aa5558be760abbf74@neko.example.com>",
    ),
    Case(
        "lhost-barracuda-02.eml",
        "failure",
        "partial",
        (("kijitora@example.jp", "5.7.1"),),
        message_id="<201104292334545.62412C6FD0F1@email-4.example.jp>",
    ),
    Case(
        "lhost-sendgrid-01.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.1"),),
        message_id="<F9B4AEED-722D-47FD-929E-3625AF2161BB@example.jp>",
    ),
    Case(
        "lhost-sendgrid-02.eml",
        "failure",
        "full",
        (("this-local-part-does-not-exist-on-the-server@example.jp", "5.1.1"),),
        message_id="<F9B4AEED-722D-47FD-929E-3625AF2161BB@example.jp>",
    ),
    Case(
        "lhost-yandex-01.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.1"),),
        message_id="<446281417885946@web20h.yandex.ru>",
    ),
    Case(
        "lhost-yandex-02.eml",
        "failure",
        "full",
        (("mikeneko@example.jp", "5.2.1"), ("sabineko@example.jp", "5.2.2")),
        message_id="<28011417886669@web21h.yandex.ru>",
    ),
    Case(
        "rhost-apple-01.eml",
        "failure",
        "full",
        (("kijitora@example.jp", "5.1.6"),),
        message_id="<c15e793e1c6acf9fbc39d1547bbd98b4@example.com>",
    ),
    Case(
        "rhost-apple-02.eml",
        "failure",
        "full",
        (("kijitora@apple.example.com", "5.7.1"),),
        message_id="<20201113004724.3574FC0196A@smtp.example.jp>",
    ),
    Case(
        "rhost-apple-04.eml",
        "failure",
        "full",
        (("pseudo-local-part-of-icloud@icloud.com", "5.1.1"),),
        message_id="<Hk664bT3pXznnDPw@smtp1.example.jp>",
    ),
    Case(
        "rhost-cloudflare-01.eml",
        "failure",
        "full",
        (("kijitora-neko@example.com", "4.3.0"),),
        message_id="<QtF9aH-aSDIzG-WP@mx.example.jp>",
    ),
    Case(
        "rhost-cox-01.eml",
        "failure",
        "partial",
        (("recipient55@cox.net", "5.1.0"),),
        message_id="<5119e0e9531a692224d1bd44ef560e62@pixel1.example.com>",
    ),
    Case("rhost-facebook-03.eml", "failure", "empty", (("kijitora@facebook.com", "5.1.1"),)),
    Case("rhost-facebook-04.eml", "failure", "empty", (("kijitora@facebook.com", "5.1.1"),)),
    Case(
        "rhost-godaddy-02.eml",
        "failure",
        "full",
        (("kijitora@example.com", "5.1.3"),),
        message_id="<200904010549.n315nLUx008574@mta1.example.net>",
    ),
    Case("rhost-godaddy-03.eml", "failure", "full", (("kijitora@example.com", "5.1.1"),)),
    Case(
        "rhost-messagelabs-01.eml",
        "failure",
        "full",
        (("kijitora@example.messagelabs.com", "5.0.0"),),
        message_id="<000000000222.0000.0000000000000000202@NEKO.NYAAN>",
    ),
    Case(
        "rhost-messagelabs-02.eml",
        "failure",
        "full",
        (("kijitora@neko.example.org", "5.0.0"),),
        message_id="<20150429233445.nekoNyaan.00000@r9.example.jp>",
    ),
    Case(
        "rhost-nttdocomo-01.eml",
        "failure",
        "full",
        (("azumakuniyuki@ntt.docomo.example.ne.jp", "5.2.0"),),
        message_id="<202211010823.2A18N1ql028769@nijo.example.jp>",
    ),
    Case(
        "rhost-nttdocomo-02.eml",
        "failure",
        "partial",
        (("azumakuniyuki@ntt.docomo.example.ne.jp", "5.0.0"),),
        message_id="<E7C0BEB1-BA8B-4639-B37B-A8D4A8494900@example.jp>",
    ),
    Case(
        "rhost-spectrum-01.eml",
        "failure",
        "full",
        (("theusername@charter.net", "5.1.0"),),
        message_id="<010001725d8ad4fc-9fe8fb1f-0292-430b-a634-1eba65166dbb-000000@email.amazonses.com>",
    ),
    Case(
        "rhost-tencent-01.eml",
        "failure",
        "full",
        (("nekochan@qq.example.cn", "5.0.0"),),
        message_id="<20180429233445.1BFAC0EE7C9F@mail.example.net>",
    ),
    Case(
        "rhost-tencent-02.eml",
        "failure",
        "full",
        (("neko@qq.example.com", "5.0.0"),),
        message_id="<20180429233445.4278803910AC@mail.example.co.jp>",
    ),
]


@pytest.mark.corpus
@pytest.mark.parametrize("case", CORPUS, ids=str)
def test_corpus_sample(case: Case) -> None:
    check_corpus(case)


@pytest.mark.corpus
def test_table_lists_every_corpus_sample() -> None:
    assert not missing_from_table(FAMILIES, CORPUS)
