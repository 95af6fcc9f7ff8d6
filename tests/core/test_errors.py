"""The core's end of the one error tree (ndrguard/errors.py): a title and a message, shown as
`title: message` wherever a user meets the error."""

from __future__ import annotations

import pytest

from ndrguard.errors import NdrguardError, shown, title_of
from ndrguard.evidence.dkim import KeyUnavailable
from ndrguard.identity import Identity, IdentityError


def test_an_error_is_its_message_under_its_title() -> None:
    class Broken(NdrguardError):
        title = "Broken thing"

    err = Broken("the thing at /tmp/x is broken; mend it")
    assert str(err) == "the thing at /tmp/x is broken; mend it"
    assert err.shown() == "Broken thing: the thing at /tmp/x is broken; mend it"
    assert err.to_json() == {"title": "Broken thing",
                             "message": "the thing at /tmp/x is broken; mend it"}  # fmt: skip
    assert Broken().shown() == "Broken thing"


def test_a_bad_identity_is_an_ndrguard_error_and_still_a_value_error() -> None:
    with pytest.raises(IdentityError) as caught:
        Identity.from_mapping({"adresses": ["alice@example.org"]}, lambda _: b"")
    err = caught.value
    assert isinstance(err, NdrguardError) and isinstance(err, ValueError)
    assert err.title == "Identity problem" != NdrguardError.title
    assert err.shown() == f"Identity problem: {err}" and "adresses" in str(err), err.shown()


def test_the_dkim_lookups_failure_has_words_for_the_account_line() -> None:
    err = KeyUnavailable("s1._domainkey.example.org: DNS did not answer within 5 s")
    assert err.shown() == f"DKIM key unreadable: {err.message}"


@pytest.mark.parametrize(
    ("err", "want"),
    [
        (PermissionError(13, "Permission denied"), "The system refused: [Errno 13] Permission "
         "denied"),
        (ValueError("not a number: 'x'"), "Not valid: not a number: 'x'"),
        (KeyError("k"), "Unexpected error (KeyError): 'k'"),
        (RuntimeError(), "Unexpected error (RuntimeError)"),
    ],
)
def test_a_built_in_error_is_never_shown_without_a_title(err: BaseException, want: str) -> None:
    assert shown(err) == want
    assert want.startswith(title_of(err))
