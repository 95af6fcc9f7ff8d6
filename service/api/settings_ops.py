"""The settings window's operations: read the accounts, add or edit one, remove one.

The tray app never writes the config itself. It sends a new account as a table, or for an
account that exists only what the user changed (`changes`: key -> new value, None to remove
it); the service edits the file in place (settings/toml_edit.py), so every setting the form
does not show (`ca_file`, `folders`, `sent`, `auth`, timeouts, BATV key references) and every
comment survives a Save byte for byte. It checks the result with the parser that loads the
file, writes it by rename, puts passwords and BATV secrets in the keyring and applies the new
config at once. "Test" plans the same edit (`plan`) and tries the account it gives, so what
was tested is exactly what Save stores.

Identity (addresses, relays, DKIM domains, BATV keys): the account's identity file is edited
in place the same way; an account without one gets `identity-NAME.toml` beside the config.
BATV secrets are referenced by keyring name, never written to a file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring

from ndrguard.service.api.protocol import ActionFailed, BadRequest
from ndrguard.service.engine.daemon import Service
from ndrguard.service.mailboxes.base import MailboxError
from ndrguard.service.oauth.grant import set_client_secret
from ndrguard.service.settings import toml_edit
from ndrguard.service.settings.config import Account, Config, load, parse
from ndrguard.service.settings.identity_file import identity_from_mapping
from ndrguard.service.settings.secrets import get_secret, set_secret

BATV_KEYRING = "ndrguard-batv"
_LISTS = ("addresses", "domains", "relays", "dkim_domains")


@dataclass(frozen=True, slots=True)
class Plan:
    """What a Save would write: the config text, the identity file's, and the account."""

    config: Config
    text: str
    account: Account
    identity_path: Path | None
    identity_text: str | None


class SettingsOperations:
    def __init__(self, service: Service) -> None:
        self.service = service

    def table(self) -> dict[str, Any]:
        return {"config_get": self.get, "account_save": self.save, "account_remove": self.remove}

    def get(self, _args: dict[str, Any]) -> dict[str, Any]:
        config = load(self.service.config.path)
        raw = _raw_tables(config)
        return {
            "config_file": str(config.path),
            "accounts": [
                _account_json(a, _identity(a), raw.get(a.name, {})) for a in config.accounts
            ],
        }

    def plan(self, args: dict[str, Any]) -> Plan:
        """The edit `args` ask for, checked as the service would load it, nothing written.

        New account: `account` (a table). Existing one: `name` and `changes`. Both:
        `identity` (lists by key; None leaves the identity alone) and `batv_key`
        ({number, secret}: the secret goes to the keyring under a reference).
        """
        config = load(self.service.config.path)
        name = args.get("name")
        if name is not None:
            old = config.account(str(name))
            changes = dict(_table(args.get("changes", {}), "changes"))
            text = toml_edit.edit_account(config.text, old.name, changes)
            new_name = str(changes.get("name") or old.name)
        else:
            table = _table(args.get("account"), "account")
            new_name = str(table.get("name") or "")
            if not new_name:
                raise BadRequest("account must be a table with a name")
            if any(a.name == new_name for a in config.accounts):
                raise ActionFailed(f"an account named {new_name!r} exists already")
            text = toml_edit.add_account(config.text, table)
            old = None
        ident_path, ident_text, text = self._plan_identity(config, old, new_name, text, args)
        account = parse(text, config.path).account(new_name)
        return Plan(config, text, account, ident_path, ident_text)

    def _plan_identity(
        self, config: Config, old: Account | None, name: str, text: str, args: dict[str, Any]
    ) -> tuple[Path | None, str | None, str]:
        lists = args.get("identity")
        batv = args.get("batv_key")
        if not lists and not batv:
            return None, None, text
        if old is not None and isinstance(old.identity, Path):
            path = old.identity
            try:
                before = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                before = ""
        elif old is not None and old.identity is not None:
            raise ActionFailed(
                f"account {name!r} has its identity inline in {config.path}; edit it there "
                "(or move it to a file of its own, docs/identity.md)"
            )
        else:
            path = config.path.parent / f"identity-{_slug(name)}.toml"
            before = f"# ndrguard identity of account {name!r}, written by the settings window\n"
            text = toml_edit.edit_account(text, name, {"identity": str(path)})
        after = before
        if lists:
            changes = {k: _clean(v) for k, v in _table(lists, "identity").items() if k in _LISTS}
            after = toml_edit.edit_document(after, changes)
        if batv:
            number = int(batv["number"])
            if not 0 <= number <= 9:
                raise BadRequest("a BATV key number is one digit, 0 to 9")
            after = toml_edit.set_batv_key(after, number, f"{BATV_KEYRING}/{name}-{number}")
        return path, after, text

    def save(self, args: dict[str, Any]) -> dict[str, Any]:
        """Add or edit an account (see `plan`), its password and identity; then apply it."""
        plan = self.plan(args)
        batv = args.get("batv_key")
        if batv and batv.get("secret"):
            keyring.set_password(BATV_KEYRING, f"{plan.account.name}-{int(batv['number'])}",
                                 str(batv["secret"]))  # fmt: skip
        if plan.identity_text is not None and plan.identity_path is not None:
            data = tomllib.loads(plan.identity_text)
            identity_from_mapping(data, plan.identity_path.parent)  # refuse what cannot load
            toml_edit.write_file(plan.identity_path, plan.identity_text)
        password = args.get("password")
        if not password and args.get("name") not in (None, plan.account.name):
            password = _stored_password(plan.config.account(str(args["name"])))  # a rename
        if password:
            set_secret(plan.account.name, str(password))
        if args.get("client_secret"):
            set_client_secret(plan.account.name, str(args["client_secret"]))
        if plan.text != plan.config.text:
            toml_edit.write_file(plan.config.path, plan.text)
        self.service.apply(load(plan.config.path))
        return self.get({})

    def remove(self, args: dict[str, Any]) -> dict[str, Any]:
        config = load(self.service.config.path)
        config.account(str(args["name"]))
        text = toml_edit.remove_account(config.text, str(args["name"]))
        parse(text, config.path)
        toml_edit.write_file(config.path, text)
        self.service.apply(load(config.path))
        return self.get({})


def _stored_password(account: Account) -> str | None:
    try:
        return get_secret(account)
    except MailboxError:
        return None  # none stored (a Maildir, or never given): nothing to carry over


def _identity(account: Account) -> dict[str, Any] | None:
    if isinstance(account.identity, Path):
        try:
            return tomllib.loads(account.identity.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            return None
    return dict(account.identity) if account.identity is not None else None


def _raw_tables(config: Config) -> dict[str, dict[str, Any]]:
    """Each account's table as written in the file (what the window compares its form to)."""
    try:
        data = tomllib.loads(config.text) if config.text else {}
    except tomllib.TOMLDecodeError:
        return {}
    return {str(t.get("name")): t for t in data.get("accounts", []) if isinstance(t, dict)}


def _account_json(
    a: Account, identity: dict[str, Any] | None, raw: dict[str, Any]
) -> dict[str, Any]:
    return {
        "name": a.name,
        "host": a.host,
        "port": a.port,
        "security": a.security,
        "username": a.username,
        "maildir": str(a.maildir) if a.maildir else None,
        "ca_file": str(a.ca_file) if a.ca_file else None,
        "tls_fingerprint": raw.get("tls_fingerprint"),
        "quarantine": a.quarantine,
        "policy": a.policy,
        "identity": identity,
        "identity_file": str(a.identity) if isinstance(a.identity, Path) else None,
        "auth": a.auth,
        "oauth": a.oauth.to_table() if a.oauth else None,
        "table": raw,
    }


def _table(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{what} must be a table of settings")
    return value


def _clean(values: Any) -> list[str] | None:
    """A list setting as the form gives it; empty means: remove the setting."""
    if values is None:
        return None
    cleaned = [str(v).strip() for v in values if str(v).strip()]
    return cleaned or None


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
