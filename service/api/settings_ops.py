"""The settings window's operations: read the accounts, save one, remove one.

The tray app never writes the config itself: it sends the account as a table and the service
checks it with the same parser that loads the file, writes the file by rename (so the config
watcher never reads half of it), puts the password and BATV secrets in the keyring and applies
the new config at once. The identity (addresses, relays, DKIM domains, BATV keys) goes to a
file of its own per account beside the config, as docs/identity.md describes it; BATV secrets
are referenced by keyring name, never written to a file.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import keyring

from ndrguard.service.api.protocol import ActionFailed, BadRequest
from ndrguard.service.cli.account import remove_account_table
from ndrguard.service.engine.daemon import Service
from ndrguard.service.oauth.grant import set_client_secret
from ndrguard.service.settings.config import Account, load, parse
from ndrguard.service.settings.secrets import set_secret

BATV_KEYRING = "ndrguard-batv"
_LISTS = ("addresses", "domains", "relays", "dkim_domains")


class SettingsOperations:
    def __init__(self, service: Service) -> None:
        self.service = service

    def table(self) -> dict[str, Any]:
        return {"config_get": self.get, "account_save": self.save, "account_remove": self.remove}

    def get(self, _args: dict[str, Any]) -> dict[str, Any]:
        config = self.service.config
        return {
            "config_file": str(config.path),
            "accounts": [_account_json(a, self._identity(a)) for a in config.accounts],
        }

    def _identity(self, account: Account) -> dict[str, Any] | None:
        if isinstance(account.identity, Path):
            try:
                return tomllib.loads(account.identity.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError):
                return None
        return dict(account.identity) if account.identity is not None else None

    def save(self, args: dict[str, Any]) -> dict[str, Any]:
        """Add or replace (`replace`: its old name) an account; its password and identity."""
        table = args["account"]
        if not isinstance(table, dict) or not isinstance(table.get("name"), str):
            raise BadRequest("account must be a table with a name")
        config = load(self.service.config.path)
        name = table["name"]
        old = args.get("replace")
        text = config.text
        if old and any(a.name == old for a in config.accounts):
            text = remove_account_table(config, old)
        elif any(a.name == name for a in config.accounts):
            raise ActionFailed(f"an account named {name!r} exists already")
        identity = args.get("identity")
        if identity:
            path = config.path.parent / f"identity-{_slug(name)}.toml"
            _write(path, _identity_toml(name, identity))
            table = {**table, "identity": str(path)}
        text = text.rstrip("\n") + ("\n\n" if text.strip() else "") + account_toml(table)
        parse(text, config.path)  # never write a file the service could not read back
        if args.get("password"):
            set_secret(name, str(args["password"]))
        if args.get("client_secret"):
            set_client_secret(name, str(args["client_secret"]))
        _write(config.path, text)
        self.service.apply(load(config.path))
        return self.get({})

    def remove(self, args: dict[str, Any]) -> dict[str, Any]:
        config = load(self.service.config.path)
        text = remove_account_table(config, str(args["name"]))
        parse(text, config.path)
        _write(config.path, text)
        self.service.apply(load(config.path))
        return self.get({})


def _account_json(a: Account, identity: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "name": a.name,
        "host": a.host,
        "port": a.port,
        "security": a.security,
        "username": a.username,
        "maildir": str(a.maildir) if a.maildir else None,
        "quarantine": a.quarantine,
        "policy": a.policy,
        "identity": identity,
        "auth": a.auth,
        "oauth": a.oauth.to_table() if a.oauth else None,
    }


def account_toml(table: dict[str, Any]) -> str:
    lines = ["[[accounts]]"]
    for key, value in table.items():
        if value in (None, ""):
            continue
        lines.append(f"{key} = {_value(value)}")
    return "\n".join(lines) + "\n"


def _identity_toml(account: str, identity: dict[str, Any]) -> str:
    lines = [f"# ndrguard identity of account {account!r}, written by the settings window"]
    for key in _LISTS:
        values = [str(v).strip() for v in identity.get(key) or [] if str(v).strip()]
        if values:
            lines.append(f"{key} = {_value(values)}")
    keys = identity.get("batv_keys") or []
    if keys:
        lines += ["", "[batv]", f"lifetime_days = {int(identity.get('batv_lifetime', 7))}"]
    for key in keys:
        number = int(key["number"])
        if not 0 <= number <= 9:
            raise BadRequest("a BATV key number is one digit, 0 to 9")
        ref = f"{account}-{number}"
        if key.get("secret"):
            keyring.set_password(BATV_KEYRING, ref, str(key["secret"]))
        lines += [
            "",
            "[[batv.keys]]",
            f"number = {number}",
            f"keyring = {_value(f'{BATV_KEYRING}/{ref}')}",
        ]
    return "\n".join(lines) + "\n"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, dict):  # an inline table, on one line (the `oauth` settings)
        items = ", ".join(f"{k} = {_value(v)}" for k, v in value.items() if v not in (None, ""))
        return "{ " + items + " }"
    raise BadRequest(f"cannot write {value!r} as a setting")


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
