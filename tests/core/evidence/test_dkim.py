"""DKIM evidence: the user's signature on a returned original, full or headers only.

Keys are made for the test run (factory.dkim_key) and looked up from a table, never DNS.
"""

from __future__ import annotations

from ndrguard.evidence import dkim
from ndrguard.evidence.model import Source, Strength
from tests.core.evidence import factory


def _judge(raw: bytes, *, table: dict | None = None, lookup=None, **identity: object):
    _, report = factory.read(raw)
    if lookup is None:
        lookup = factory.lookup(factory.key_table() if table is None else table)
    return dkim.evidence(report, factory.identity(**identity), lookup)


def _signed() -> bytes:
    return factory.dkim_signed(factory.original())


def test_fully_returned_signed_original_verifies() -> None:
    found = _judge(factory.dsn(_signed(), shape="full"))
    assert found.kind is Source.DKIM
    assert found.strength is Strength.PROVES_LEGIT
    assert "headers and body" in found.detail and "example.org" in found.detail


def test_headers_only_verify_without_the_body() -> None:
    found = _judge(factory.dsn(_signed(), shape="partial"))
    assert found.strength is Strength.PROVES_LEGIT
    assert "the body did not come back" in found.detail
    assert "Message-ID" in found.detail


def test_a_whole_original_labelled_as_headers_verifies_over_its_body() -> None:
    """OpenSMTPD, Postfix and gateways in front of it return the whole original labelled
    text/rfc822-headers: the body came back, and the signature is checked over it too."""
    raw = factory.dsn(_signed(), shape="whole-as-headers")
    _, report = factory.read(raw)
    assert str(report.shape) == "full"
    found = _judge(raw)
    assert found.strength is Strength.PROVES_LEGIT
    assert "headers and body" in found.detail, found.detail


def test_body_changed_on_the_way_back_still_proves_the_headers() -> None:
    # Many servers cut or rewrap a returned body; the signed headers are still proved.
    returned = _signed().replace(b"Shall we meet at noon?", b"[body removed by the bouncer]")
    found = _judge(factory.dsn(returned, shape="full"))
    assert found.strength is Strength.PROVES_LEGIT
    assert "the body came back changed" in found.detail


def test_edited_subject_breaks_full_and_header_only_checks() -> None:
    for shape in ("full", "partial"):
        returned = _signed().replace(b"Subject: Lunch on Friday", b"Subject: [SPAM] Lunch")
        found = _judge(factory.dsn(returned, shape=shape))
        assert found.strength is Strength.NONE, shape
        assert "does not verify" in found.detail


def test_signature_of_another_domain_is_not_ours() -> None:
    returned = factory.dkim_signed(factory.original(), domain="bulk.example")
    found = _judge(factory.dsn(returned), table=factory.key_table("bulk.example"))
    assert found.strength is Strength.NONE
    assert "no DKIM signature of your domains" in found.detail


def test_missing_key_and_failing_lookup_leave_it_open() -> None:
    found = _judge(factory.dsn(_signed()), table={})
    assert found.strength is Strength.NONE
    assert "test._domainkey.example.org" in found.detail

    def broken(name: bytes) -> bytes:
        raise TimeoutError("DNS server did not answer")

    assert _judge(factory.dsn(_signed()), lookup=broken).strength is Strength.NONE


def test_nothing_to_check() -> None:
    no_lookup = dkim.evidence(factory.read(factory.dsn(_signed()))[1], factory.identity(), None)
    assert no_lookup.strength is Strength.NONE and "no key lookup" in no_lookup.detail
    empty = _judge(factory.dsn(None, shape="empty"))
    assert empty.strength is Strength.NONE and "nothing of the original" in empty.detail
    unsigned = _judge(factory.dsn(factory.original()))
    assert unsigned.strength is Strength.NONE
    not_configured = _judge(factory.dsn(_signed()), dkim_domains=frozenset())
    assert "no DKIM domains" in not_configured.detail


def test_malformed_signature_is_skipped() -> None:
    returned = b"DKIM-Signature: v=1; a=rsa-sha256; d=example.org; garbage\n" + factory.original()
    assert _judge(factory.dsn(returned)).strength is Strength.NONE
