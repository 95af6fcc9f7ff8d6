"""The OAuth parts of `ndrguard account add --oauth PROVIDER ...` and `ndrguard account signin`.

The browser is the system's (Python's webbrowser, which honours $BROWSER); the URL is also
printed, for a browser on another screen. With `--device` nothing is opened: the code and the
page to type it on are printed, for a machine without a browser. After a sign-in a running
service is told to try the account again at once, so "sign in again" clears without a restart.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from pathlib import Path

from ndrguard.service.cli import common as cli_common
from ndrguard.service.mailboxes.base import MailboxError
from ndrguard.service.oauth.client import TokenSource
from ndrguard.service.oauth.flow import sign_in
from ndrguard.service.oauth.grant import SignInNeeded, set_client_secret
from ndrguard.service.oauth.providers import PROFILES, OAuthSettings, settings_from
from ndrguard.service.oauth.signin import DeviceCode
from ndrguard.service.settings.config import OAUTH_AUTHS, Account, ConfigError

_URLS = ("authorization_url", "token_url", "device_url", "revocation_url")


def add_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("OAuth 2 sign-in (docs/oauth.md)")
    g.add_argument("--oauth", choices=tuple(PROFILES), help="sign in with this provider")
    g.add_argument("--client-id", help="the client ID of your app registration")
    g.add_argument("--client-secret-stdin", action="store_true",
                   help="read the client secret (if the registration has one) from stdin")
    g.add_argument("--tenant", help="Microsoft: your tenant ID or domain (default: common)")
    g.add_argument("--issuer", help="generic: the issuer, whose discovery document is read")
    for key in _URLS:
        g.add_argument("--" + key.replace("_", "-"), dest=key, help="generic: the endpoint")
    g.add_argument("--scope", help="the IMAP scope, if not the provider's usual one")
    g.add_argument("--oauth-ca-file", type=Path, help="a CA for the endpoints' HTTPS")
    g.add_argument("--no-signin", action="store_true", help="add the account, sign in later")
    add_signin_options(g)


def add_signin_options(p: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    p.add_argument("--device", action="store_true",
                   help="sign in on another device (a code to type), not in a browser here")
    p.add_argument("--no-browser", action="store_true",
                   help="print the sign-in address instead of opening the browser")


def settings_from_args(args: argparse.Namespace) -> OAuthSettings | None:
    if not args.oauth:
        if args.client_id or args.issuer:
            raise ConfigError("--client-id and --issuer go with --oauth PROVIDER")
        return None
    raw = {"provider": args.oauth, "client_id": args.client_id or ""}
    for key in ("tenant", "issuer", "scope", *_URLS):
        if getattr(args, key):
            raw[key] = getattr(args, key)
    if args.oauth_ca_file:
        raw["ca_file"] = str(args.oauth_ca_file.resolve())
    try:
        return settings_from(raw, Path.cwd())
    except ValueError as err:
        raise ConfigError(str(err)) from err


def default_host(settings: OAuthSettings) -> str:
    return PROFILES[settings.provider].imap_host


def default_auth(settings: OAuthSettings) -> str:
    mechanism = PROFILES[settings.provider].mechanism
    return mechanism if mechanism in OAUTH_AUTHS else "xoauth2"


def store_client_secret(args: argparse.Namespace, account: Account) -> None:
    if not args.client_secret_stdin:
        return
    secret = sys.stdin.readline().rstrip("\r\n")
    if not secret:
        raise ConfigError("the client secret is empty")
    set_client_secret(account.name, secret)


def sign_in_now(args: argparse.Namespace, account: Account) -> int:
    """Sign in, tell a running service; 0 or the failure's exit code."""

    def open_browser(url: str) -> None:
        print("Sign in at this address (the page will come back to ndrguard by itself):")
        print(f"  {url}", flush=True)
        if not args.no_browser:
            webbrowser.open(url)

    def show(code: DeviceCode) -> None:
        where = code.verification_uri_complete or code.verification_uri
        print(f"On any device, open {code.verification_uri} and enter the code "
              f"{code.user_code}" + (f" (or open {where})" if where != code.verification_uri
                                     else ""), flush=True)  # fmt: skip

    try:
        sign_in(account, device=args.device, open_browser=open_browser, show=show)
    except (MailboxError, ConfigError) as err:
        return cli_common.fail(err)
    print(f"{account.name}: signed in as {account.username}")
    _tell_service(args, account.name)
    return 0


def run_signin(args: argparse.Namespace) -> int:
    try:
        account = cli_common.open_config(args).account(args.name)
    except ConfigError as err:
        return cli_common.fail(err)
    return sign_in_now(args, account)


def _tell_service(args: argparse.Namespace, name: str) -> None:
    from ndrguard.service.api.client import running_client
    from ndrguard.service.api.protocol import ApiError

    client = running_client(cli_common.paths(args))
    if client is None:
        return
    try:
        client.call("scan", accounts=[name])
        print(f"{name}: the running service logs in again now")
    except ApiError as err:
        print(f"{name}: the running service could not be told ({err}); it retries within "
              "5 minutes", file=sys.stderr)  # fmt: skip
    finally:
        client.close()


def revoke(account: Account) -> None:
    """Ask the provider to forget the grant (RFC 7009) before the keyring entry goes; a
    provider without the endpoint (Microsoft) or out of reach leaves it to the user."""
    assert account.oauth is not None
    try:
        revoked = TokenSource(account.name, account.oauth).revoke()
    except SignInNeeded:
        return  # never signed in, or already gone
    except MailboxError as err:
        print(f"{account.name}: the provider could not be asked to forget the sign-in "
              f"({err}); remove ndrguard's access in your account's security settings",
              file=sys.stderr)  # fmt: skip
        return
    if revoked:
        print(f"{account.name}: the provider was asked to forget ndrguard's sign-in")
    else:
        print(f"{account.name}: this provider cannot be asked to forget a sign-in; remove "
              "ndrguard's access in your account's security settings if you want it gone")
