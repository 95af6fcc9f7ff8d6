"""The one writer of the user's config and identity files: edits in place, through tomlkit.

Every change a program makes to these files (`account add|edit|remove`, the settings window's
Save) goes through here, so that what the user wrote and ndrguard was not asked to change
stays as it was, byte for byte: comments, order, spacing, settings no form shows (`ca_file`,
`folders`, `sent`, timeouts, key references). A change is a mapping of key to new value;
None removes the key. Files are written by rename (a running service never reads half of
one) and private to the user (0600: they name servers, accounts and where secrets are).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.items import AoT, Item, Table

from ndrguard.errors import NdrguardError

Changes = Mapping[str, Any]


class TomlEditError(NdrguardError, ValueError):
    """The file has no table the edit is about (an account that is not there)."""

    title = "Config not changed"


def add_account(text: str, table: Changes) -> str:
    """`text` with a new `[[accounts]]` table at its end, keys in the order given."""
    doc = tomlkit.parse(text)
    new = tomlkit.table()
    for key, value in table.items():
        if value is not None and value != "":
            new.add(key, _item(value))
    accounts = doc.get("accounts")
    if accounts is None:
        if text.strip():
            doc.add(tomlkit.nl())
        doc.append("accounts", tomlkit.aot())
        accounts = doc["accounts"]
    if not isinstance(accounts, AoT):
        raise TomlEditError("accounts is not written as [[accounts]] tables")
    if len(accounts):
        last = accounts[len(accounts) - 1]
        if not tomlkit.dumps(doc).endswith("\n\n"):
            last.add(tomlkit.nl())
    accounts.append(new)
    return tomlkit.dumps(doc)


def edit_account(text: str, name: str, changes: Changes) -> str:
    """`text` with the account table named `name` changed as `changes` say, and only that."""
    doc = tomlkit.parse(text)
    table = _account_table(doc, name)
    _apply(table.value, changes)
    return tomlkit.dumps(doc)


def remove_account(text: str, name: str) -> str:
    """`text` without the account table named `name`."""
    doc = tomlkit.parse(text)
    accounts = doc.get("accounts")
    if isinstance(accounts, AoT):
        for i, table in enumerate(accounts):
            if table.get("name") == name:
                del accounts[i]
                if not len(accounts):
                    del doc["accounts"]
                return tomlkit.dumps(doc)
    raise TomlEditError(f"there is no [[accounts]] table named {name!r}")


def edit_document(text: str, changes: Changes) -> str:
    """`text` with its top-level keys changed (an identity file's lists)."""
    doc = tomlkit.parse(text)
    _apply(doc, changes)
    return tomlkit.dumps(doc)


def set_batv_key(text: str, number: int, reference: str, lifetime_days: int = 7) -> str:
    """`text` whose BATV key `number` takes its secret from the keyring entry `reference`;
    the other keys, and the other settings of this one, stay as they are."""
    doc = tomlkit.parse(text)
    batv = doc.get("batv")
    if batv is None:
        batv = tomlkit.table()
        batv.add("lifetime_days", lifetime_days)
        doc.add(tomlkit.nl())
        doc.append("batv", batv)
        batv = doc["batv"]
    keys = batv.get("keys")
    if keys is None:
        batv.add(tomlkit.nl())
        batv.append("keys", tomlkit.aot())
        keys = batv["keys"]
    for key in keys:
        if key.get("number") == number:
            _apply(key.value, {"secret_file": None, "keyring": reference})
            return tomlkit.dumps(doc)
    entry = tomlkit.table()
    entry.add("number", number)
    entry.add("keyring", reference)
    keys.append(entry)
    return tomlkit.dumps(doc)


def write_file(path: Path, text: str) -> None:
    """Write by rename, private to the user (0600), so no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    tmp.replace(path)


def _account_table(doc: tomlkit.TOMLDocument, name: str) -> Table:
    accounts = doc.get("accounts")
    if isinstance(accounts, AoT):
        for table in accounts:
            if table.get("name") == name:
                return table
    raise TomlEditError(f"there is no [[accounts]] table named {name!r}")


def _apply(body: Container | tomlkit.TOMLDocument, changes: Changes) -> None:
    for key, value in changes.items():
        if value is None:
            if key in body:
                del body[key]
        elif key in body:
            body[key] = _item(value)
        else:
            _add_after_last_key(body, key, _item(value))


def _add_after_last_key(body: Container | tomlkit.TOMLDocument, key: str, item: Item) -> None:
    """A new key goes right after the table's last key, not after its trailing comments and
    blank lines (which tomlkit counts as the table's, though they introduce the next one)."""
    last = None
    for i, (k, v) in enumerate(body.body):
        if k is not None and not isinstance(v, Table | AoT):
            last = i
    if last is None or last + 1 == len(body.body):
        body.add(key, item)
    else:
        # tomlkit has no public "insert at": _insert_at is what its own insert uses.
        body._insert_at(last + 1, key, item)


def _item(value: Any) -> Item:
    if isinstance(value, Mapping):  # inline, on one line: how `oauth = { ... }` is written
        inline = tomlkit.inline_table()
        inline.update({k: v for k, v in value.items() if v not in (None, "")})
        return inline
    if isinstance(value, Path):
        return tomlkit.item(str(value))
    return tomlkit.item(value)
