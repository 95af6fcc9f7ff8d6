"""fml: the mailing-list manager's error replies to a refused post.

These replies carry no header that triage counts as automated (they come from the list's
-admin address with an ordinary envelope sender), so the whole classifier calls them ordinary
mail until triage learns fml's X-MLServer field. The recogniser itself is checked here on every
corpus sample and on our own; the classifier is checked to keep fml's ordinary list traffic out.
"""

from __future__ import annotations

import pytest

from ndrguard.mail import parse
from ndrguard.recognisers.mta import fml
from tests.core.recognisers.mta.cases import (
    Expect,
    check_module,
    corpus_files,
    corpus_raw,
    own_raw,
)

CORPUS = [
    Expect("bounces/lhost-fml-02.eml", "failure", "empty", (("neko-nyaan@example.org", "5.0.0"),)),
    Expect("bounces/lhost-fml-03.eml", "failure", "full", (("neko@example.co.jp", "5.0.0"),)),
]
OWN = [
    Expect("fml-not-member.eml", "failure", "empty", (("cats@example.org", "5.0.0"),), by="fml"),
]

_POST = b"""From: alice@example.org
To: cats@example.org
Subject: [cats:01234] kittens
X-MLServer: fml [fml 4.0.3 release (20011202/4.0.3)]
X-Mail-Count: 01234
Content-Type: text/plain

You are not a member of this mailing list <cats@example.org> yet? Join us!
"""


def test_every_corpus_sample_is_listed() -> None:
    assert corpus_files("lhost-fml") == {e.file for e in CORPUS}


@pytest.mark.parametrize("expect", CORPUS, ids=str)
def test_corpus_sample(expect: Expect) -> None:
    check_module(fml, corpus_raw(expect.file), expect)


@pytest.mark.parametrize("expect", OWN, ids=str)
def test_own_sample(expect: Expect) -> None:
    check_module(fml, own_raw(expect.file), expect)


def test_list_traffic_is_not_an_error_reply() -> None:
    """A post distributed by fml (it has a sequence number) is never read as a refusal."""
    assert fml.recognise(parse(_POST)) is None
