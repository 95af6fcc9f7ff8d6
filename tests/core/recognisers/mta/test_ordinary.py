"""Ordinary mail that talks about bounces must not be read as one.

A person who pastes a qmail, sendmail or Exim notice into a message to ask for help writes every
fixed phrase those recognisers look for; what is missing is the structure: the message does not
come from a mail system. Every MTA recogniser must leave it alone.
"""

from __future__ import annotations

import pytest

from ndrguard import recognise_bytes
from ndrguard.mail import parse
from ndrguard.recognisers import mta
from tests.core.recognisers.mta.cases import own_raw

QUOTED = "ordinary-quoted-bounce.eml"


@pytest.mark.parametrize("module", [*mta.BEFORE_DSN, *mta.ORDER], ids=lambda m: m.NAME)
def test_quoted_bounce_is_not_a_bounce(module: object) -> None:
    report = module.recognise(parse(own_raw(QUOTED)))  # type: ignore[attr-defined]
    assert report is None, f"{QUOTED}: {report.recognised_by} said {report.kind} ({report.reason})"


def test_classifier_calls_it_ordinary() -> None:
    report = recognise_bytes(own_raw(QUOTED))
    assert str(report.kind) == "other", f"{QUOTED}: {report.kind} ({report.reason})"
