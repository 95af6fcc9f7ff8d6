"""The account's `oauth` table: what the config accepts, what it refuses and why, how each
provider's endpoints come out of it, and the lifetimes a grant is renewed by."""

from __future__ import annotations

from pathlib import Path

import pytest

from ndrguard.service.oauth.grant import Grant
from ndrguard.service.oauth.providers import OAuthSettings, endpoints
from ndrguard.service.settings.config import ConfigError, parse
from ndrguard.service.settings.toml_edit import add_account

BASE = """[[accounts]]
name = "work"
host = "outlook.office365.com"
username = "me@contoso.com"
"""


def load(extra: str):
    return parse(BASE + extra, Path("/cfg/config.toml")).accounts[0]


def test_an_oauth_table_means_xoauth2_and_survives_a_round_trip():
    a = load('oauth = { provider = "microsoft", client_id = "abc", tenant = "contoso.com" }\n')
    assert a.auth == "xoauth2" and a.oauth is not None and a.oauth.tenant == "contoso.com"
    again = parse(add_account("", a.to_table()), Path("/cfg/config.toml")).accounts[0]
    assert again == a
    bearer = load('auth = "oauthbearer"\noauth = { provider = "google", client_id = "x" }\n')
    assert bearer.auth == "oauthbearer"


@pytest.mark.parametrize(("extra", "says"), [
    ('auth = "xoauth2"\n', "needs an oauth table"),
    ('auth = "login"\noauth = { provider = "google", client_id = "x" }\n', "cannot be used"),
    ('oauth = { provider = "gmail", client_id = "x" }\n', "provider must be one of"),
    ('oauth = { provider = "google" }\n', "client_id is missing"),
    ('oauth = { provider = "generic", client_id = "x" }\n', "needs issuer, or token_url"),
    ('oauth = { provider = "generic", client_id = "x", issuer = "http://id.example" }\n',
     "must be an https:// URL"),
    ('oauth = { provider = "google", client_id = "x", client_secret = "s" }\n',
     "unknown setting 'client_secret'"),
])  # fmt: skip
def test_what_the_config_refuses(extra, says):
    with pytest.raises(ConfigError, match=says):
        load(extra)


def test_microsoft_endpoints_carry_the_tenant_and_the_imap_scope():
    where = endpoints(OAuthSettings("microsoft", "abc", tenant="contoso.onmicrosoft.com"))
    assert where.token_url == (
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token")
    assert where.scope == "https://outlook.office.com/IMAP.AccessAsUser.All offline_access"
    assert "/common/" in endpoints(OAuthSettings("microsoft", "abc")).authorization_url
    google = endpoints(OAuthSettings("google", "abc"))
    assert google.scope == "https://mail.google.com/"
    assert google.extra == {"access_type": "offline", "prompt": "consent"}
    # A value from the config wins over the profile's.
    own = endpoints(OAuthSettings("google", "abc", token_url="https://tok.example/t"))
    assert own.token_url == "https://tok.example/t"


def test_renewal_margins_follow_short_lifetimes():
    hour = Grant("t", expires_at=4600.0, issued_at=1000.0)
    assert hour.margin(120, 0.25) == 120
    short = Grant("t", expires_at=1006.0, issued_at=1000.0)
    assert short.margin(120, 0.25) == 1.5
    unknown = Grant("t", expires_at=0.0)
    assert unknown.valid_for(now=5000.0) == 0  # refreshed before every login
    rotated = Grant.from_token({"access_token": "new", "expires_in": 60}, previous=Grant(
        "old", 0.0, refresh_token="keep", scope="imap"), now=100.0)  # fmt: skip
    assert (rotated.refresh_token, rotated.scope, rotated.expires_at) == ("keep", "imap", 160.0)
