"""Fixtures for the tests that run real MTAs (tests/support/exim.py, tests/support/mta_mail.py)."""

from __future__ import annotations

import pytest

from tests.support.exim import exim_missing_reason
from tests.support.mta_mail import Sample, generate


@pytest.fixture(scope="session")
def mta_samples() -> dict[str, Sample]:
    """Every sample of tests/support/mta_mail.SCENARIOS, made afresh by real Exim (and Dovecot
    where it is installed) once per test session, by file stem ("failure-exim-rcpt-rejected").

    About two seconds: three Exim instances and a Dovecot on loopback, all stopped before this
    returns. Skips when Exim is missing; the Sieve samples are left out when Dovecot is.
    """
    reason = exim_missing_reason()
    if reason:
        pytest.skip(reason)
    return {s.name: s for s in generate()}
