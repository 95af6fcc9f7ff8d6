"""A list manager's notice about the user's post (ndrguard/recognisers/list_notices.py).

The notices mlmmj 1.3 wrote (tests/data/mta, read as written in tests/mta/test_sample_kinds.py)
are varied here the ways other list managers differ from mlmmj, one field at a time: the
administrative address's form (`list-owner`, `owner-list`, the manager's own `sympa@`), a post
by someone else (the moderation request the owner gets), a notice with no post attached, and
one that refuses nothing. Each case names the variation it stands for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ndrguard.recognise import recognise_bytes

MTA_DIR = Path(__file__).resolve().parents[2] / "data" / "mta"
DENIED = (MTA_DIR / "failure-mlmmj-subonlypost.eml").read_bytes()
HELD = (MTA_DIR / "autoreply-mlmmj-wait-post.eml").read_bytes()


def varied(raw: bytes, *swaps: tuple[bytes, bytes]) -> bytes:
    for old, new in swaps:
        assert old in raw, f"{old!r} not in the sample"
        raw = raw.replace(old, new)
    return raw


@pytest.mark.parametrize(
    ("admin", "listed"),
    [
        (b"test-owner@lists.test", "test@lists.test"),  # Mailman's form
        (b"owner-test@lists.test", "test@lists.test"),  # Majordomo's and Sympa's form
        (b"test-request@lists.test", "test@lists.test"),
        (b"sympa@lists.test", "test@lists.test"),  # the manager's own address: the post's To
    ],
)
def test_each_form_of_administrative_address_names_the_list(admin: bytes, listed: str) -> None:
    report = recognise_bytes(varied(DENIED, (b"From: test+owner@lists.test", b"From: " + admin)))
    assert report.kind == "failure", report.reason
    assert [r.address for r in report.recipients] == [listed], report.reason
    assert "not a list subscriber" in report.reason


def test_a_post_by_someone_else_is_not_the_users_bounce() -> None:
    """The owner's moderation request returns another person's post: not a failure of hers."""
    raw = varied(DENIED, (b"From: Alice Example <alice@example.test>",
                          b"From: Mallory <mallory@elsewhere.test>"))  # fmt: skip
    assert recognise_bytes(raw).kind == "other"


def test_without_the_post_it_must_speak_of_her_message() -> None:
    without = DENIED.split(b"--=_359a0eac338027293856601069cc78fa_=\nContent-Type: message/rfc822")
    bare = without[0] + b"--=_359a0eac338027293856601069cc78fa_=--\n"
    assert recognise_bytes(bare).kind == "other"  # "The message from <alice@...>": not hers
    hers = varied(bare, (b"The message from <alice@example.test> with subject",
                         b"Your message with subject"))  # fmt: skip
    report = recognise_bytes(hers)
    assert report.kind == "failure", report.reason
    assert [r.address for r in report.recipients] == ["test@lists.test"]


def test_a_notice_that_refuses_nothing_is_not_a_bounce() -> None:
    raw = varied(DENIED, (b"was unable\nto be delivered to the list because you are not a list "
                          b"subscriber.", b"was received."),
                 (b"denied", b"received"))  # fmt: skip
    assert recognise_bytes(raw).kind == "other"


def test_a_hold_wins_over_the_reason_it_gives() -> None:
    """A hold notice says why it holds ("post by non-member"): still only an acknowledgement."""
    raw = varied(HELD, (b"because this is a moderated list.",
                        b"because posts by non-members are held."))  # fmt: skip
    assert recognise_bytes(raw).kind == "autoreply"


def test_a_refusal_in_french_is_read() -> None:
    raw = varied(DENIED, (b"was unable\nto be delivered to the list because you are not a list "
                          b"subscriber.", b"a \xc3\xa9t\xc3\xa9 rejet\xc3\xa9 par la liste."),
                 (b"denied", b"refus"))  # fmt: skip
    report = recognise_bytes(raw)
    assert report.kind == "failure", report.reason
    assert "rejeté" in report.reason
