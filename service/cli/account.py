"""`ndrguard account add|list|remove|test`: accounts in the config, passwords in the keyring.

`add` appends a `[[accounts]]` table to the config file through settings/toml_edit.py, so
the user's comments and layout survive, and writes the file by rename, so a running service
never reads half of it; it saves nothing unless logging in works (or --no-test).
It works without a terminal (`--password-stdin`), for scripts and tests.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ndrguard.service.cli import common as cli_common
from ndrguard.service.discovery import cli as discovery_cli
from ndrguard.service.mailboxes.base import MailboxError
from ndrguard.service.oauth import cli as oauth_cli
from ndrguard.service.oauth.grant import delete_client_secret
from ndrguard.service.settings import toml_edit
from ndrguard.service.settings.config import (
    AUTHS,
    POLICIES,
    SECURITIES,
    Account,
    ConfigError,
    parse,
)
from ndrguard.service.settings.config_checks import loopback
from ndrguard.service.settings.secrets import delete_secret, set_secret
from ndrguard.vocabulary import Policy

if TYPE_CHECKING:
    from ndrguard.service.engine.sent_folder import SentFolder


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("account", help="add, list, remove or test mail accounts")
    cli_common.add_config_option(p)
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = acts.add_parser("add", help="add an IMAP account (or a local Maildir)")
    add.add_argument("name")
    add.add_argument("--host")
    add.add_argument("--port", type=int)
    add.add_argument("--security", choices=SECURITIES,
                     help="tls (the default), starttls or plain; found by discovery without --host")
    add.add_argument("--allow-plain-over-network", action="store_true",
                     help="with --security plain to another machine: confirm that the password "
                     "may cross the network unencrypted (a link you trust)")
    add.add_argument("--username")
    add.add_argument("--auth", choices=AUTHS, help="login (a password), or with --oauth "
                     "xoauth2 (the default) or oauthbearer")
    add.add_argument("--ca-file", type=Path)
    add.add_argument("--maildir", type=Path, help="a local Maildir instead of IMAP")
    add.add_argument("--quarantine", default="Backscatter")
    add.add_argument("--policy", choices=POLICIES, default=Policy.EVIDENCE.value)
    add.add_argument("--identity", type=Path, help="the identity file (BATV keys, relays)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--no-test", action="store_true", help="do not try to log in")
    discovery_cli.add_options(add)
    oauth_cli.add_options(add)
    cli_common.add_config_option(add)
    add.set_defaults(func=run_add)

    signin = acts.add_parser("signin", help="sign in (again) to an OAuth account")
    signin.add_argument("name")
    oauth_cli.add_signin_options(signin)
    cli_common.add_config_option(signin)
    signin.set_defaults(func=oauth_cli.run_signin)

    lst = acts.add_parser("list", help="list the accounts")
    lst.add_argument("--json", action="store_true", help="the accounts as JSON")
    cli_common.add_config_option(lst)
    lst.set_defaults(func=run_list)

    rm = acts.add_parser("remove", help="remove an account and its password")
    rm.add_argument("name")
    cli_common.add_config_option(rm)
    rm.set_defaults(func=run_remove)

    test = acts.add_parser("test", help="log in and report the server's capabilities")
    test.add_argument("name")
    cli_common.add_config_option(test)
    test.set_defaults(func=run_test)


def run_add(args: argparse.Namespace) -> int:
    """Nothing is saved unless the account works (or --no-test): a failed test leaves the
    config and the keyring as they were, so trying again does not meet "exists already"."""
    try:
        config = cli_common.open_config(args, create=True)
        if any(a.name == args.name for a in config.accounts):
            raise ConfigError(f"{config.path}: an account named {args.name!r} exists already")
        account = _account_from(args)
        text = toml_edit.add_account(config.text, account.to_table())
        account = parse(text, config.path).account(account.name)  # as the service will read it
        password = None
        if account.oauth is None and account.maildir is None:
            password = _read_password(args)
            if not args.no_test and _test(account, password, sent_required=False) != 0:
                print(f"account {account.name!r} not saved: fix the above, or add it with "
                      "--no-test to save it anyway", file=sys.stderr)  # fmt: skip
                return 1
        if account.oauth is not None:
            oauth_cli.store_client_secret(args, account)
        elif password is not None:
            set_secret(account.name, password)
        toml_edit.write_file(config.path, text)
    except (ConfigError, MailboxError, OSError) as err:
        return cli_common.fail(err)
    print(f"added account {account.name!r} to {config.path}")
    if account.oauth is not None:
        if args.no_signin:
            return 0
        done = oauth_cli.sign_in_now(args, account)
        return done if done != 0 or args.no_test else _test(account, sent_required=False)
    if account.maildir is not None and not args.no_test:
        return _test(account, sent_required=False)
    return 0


def _account_from(args: argparse.Namespace) -> Account:
    if args.maildir is not None:
        return Account(
            name=args.name, maildir=args.maildir.resolve(), quarantine=args.quarantine,
            policy=args.policy, identity=_abs(args.identity),
        )  # fmt: skip
    oauth = oauth_cli.settings_from_args(args)
    if not args.username:
        raise ConfigError("give --username (the e-mail address), and --host unless it can be "
                          "found from the address (or --maildir DIR)")  # fmt: skip
    found = None if args.host else discovery_cli.find(args)
    host = args.host or (found.host if found else "")
    if not host and oauth:
        host = oauth_cli.default_host(oauth)
    if not host:
        raise ConfigError("give --host (and --port, --security): the server was not found")
    security = args.security or (found.security if found else "tls")
    if security == "plain" and not args.allow_plain_over_network and not loopback(host):
        raise ConfigError(
            f"--security plain would send the password to {host!r} unencrypted over the "
            "network: use --security tls or starttls, or confirm with "
            "--allow-plain-over-network if this link is yours to trust"
        )
    auth = args.auth or (oauth_cli.default_auth(oauth) if oauth else "login")
    if found is not None and found.oauth and oauth is None and args.auth is None:
        print(f"note: this provider signs in with OAuth: add --oauth {found.oauth} "
              "--client-id ID (docs/oauth.md), or use an app password", file=sys.stderr)
    return Account(
        name=args.name, host=host,
        port=args.port or (found.port if found else (993 if security == "tls" else 143)),
        security=security, username=(found.username if found else "") or args.username,
        auth=auth,
        ca_file=_abs(args.ca_file), quarantine=args.quarantine, policy=args.policy,
        identity=_abs(args.identity), oauth=oauth,
        allow_plain_over_network=security == "plain" and args.allow_plain_over_network,
    )  # fmt: skip


def _abs(path: Path | None) -> Path | None:
    return path.resolve() if path is not None else None


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.username}: ")
    else:
        raise ConfigError("no terminal to ask for the password: use --password-stdin")
    if not password:
        raise ConfigError("the password is empty")
    return password


def run_list(args: argparse.Namespace) -> int:
    try:
        config = cli_common.open_config(args)
    except ConfigError as err:
        return cli_common.fail(err)
    if args.json:
        print(json.dumps({"version": 1, "config_file": str(config.path),
                          "accounts": [_account_json(a) for a in config.accounts]}))  # fmt: skip
        return 0
    if not config.accounts:
        print(f"No accounts in {config.path}; add one with `ndrguard account add NAME ...`.")
        return 0
    for a in config.accounts:
        where = f"maildir {a.maildir}" if a.maildir else (
            f"{a.username} at {a.host}:{a.port} ({a.security})"
            + (f", OAuth ({a.oauth.provider}, {a.auth})" if a.oauth else "")
        )
        print(f"{a.name}: {where}, policy {a.policy}, quarantine {a.quarantine!r}")
    return 0


def _account_json(a: Account) -> dict[str, object]:
    """What `account list` shows of an account, with no secret (those are in the keyring)."""
    return {
        "name": a.name,
        "maildir": str(a.maildir) if a.maildir else None,
        "host": a.host,
        "port": a.port,
        "security": a.security,
        "username": a.username,
        "auth": a.auth,
        "oauth": a.oauth.provider if a.oauth else None,
        "policy": a.policy,
        "quarantine": a.quarantine,
        "folders": list(a.folders),
    }


def run_remove(args: argparse.Namespace) -> int:
    try:
        config = cli_common.open_config(args)
        account = config.account(args.name)
        text = toml_edit.remove_account(config.text, args.name)
        parse(text, config.path)
        toml_edit.write_file(config.path, text)
        if account.oauth is not None:
            oauth_cli.revoke(account)
        delete_secret(args.name)
        delete_client_secret(args.name)
    except (ConfigError, MailboxError, OSError) as err:
        return cli_common.fail(err)
    print(f"removed account {args.name!r}")
    return 0


def run_test(args: argparse.Namespace) -> int:
    try:
        account = cli_common.open_config(args).account(args.name)
    except ConfigError as err:
        return cli_common.fail(err)
    return _test(account)


def _test(account: Account, password: str | None = None, sent_required: bool = True) -> int:
    """Log in (or look at the Maildir) and name what the service will use; 1 when it cannot
    log in, or (with `sent_required`) when there is no Sent folder to read. `account add`
    saves an account without one (and names the problem): its bounces are held, not lost."""
    from ndrguard.service.engine.sent_folder import find_sent

    if account.maildir is not None:
        ok = (account.maildir / "cur").is_dir()
        print(f"{account.name}: {'a Maildir' if ok else 'not a Maildir'} at {account.maildir}")
        if not ok:
            return 1
        from ndrguard.service.mailboxes.maildir import MaildirMailbox
        from ndrguard.service.store.state import State

        with tempfile.TemporaryDirectory() as scratch:  # the real state is not needed here
            state = State(Path(scratch) / "state.sqlite")
            try:
                sent = find_sent(account, MaildirMailbox(account.maildir, state, account.name))
            finally:
                state.close()
        found = _print_sent(sent)
        return found if sent_required else 0
    from ndrguard.service.engine.accounts import open_imap
    from ndrguard.service.mailboxes.imap import INTERACTIVE_TIMEOUT, ImapMailbox

    try:
        box = (
            open_imap(account, connect_timeout=INTERACTIVE_TIMEOUT)
            if password is None
            else ImapMailbox.connect(account, password, connect_timeout=INTERACTIVE_TIMEOUT)
        )
    except MailboxError as err:
        return cli_common.fail(err)
    try:
        caps = box.caps
        sent = find_sent(account, box)
    finally:
        box.close()
    print(f"{account.name}: logged in as {account.username}")
    for cap, why in (("IDLE", "new mail seen at once (else polling)"),
                     ("MOVE", "atomic moves (else COPY + UID EXPUNGE)"),
                     ("UIDPLUS", "expunge of only the moved messages"),
                     ("SPECIAL-USE", "finds the Sent folder by its flag")):  # fmt: skip
        print(f"  {cap:<12} {'yes' if cap in caps else 'no ':<4} {why}")
    found = _print_sent(sent)
    return found if sent_required else 0


def _print_sent(sent: SentFolder) -> int:
    """Name the Sent folder the service will read; without one, bounces are held (exit 1)."""
    if sent.folder is not None:
        print(f"  Sent folder: {sent.folder} ({sent.how})")
        return 0
    print(f"  Sent folder: {sent.problem}")
    print("  Until it is found, bounces it could prove real are held where they are.")
    return 1
