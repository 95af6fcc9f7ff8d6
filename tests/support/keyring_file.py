"""A keyring backend in a JSON file, for tests: no OS keychain prompts, no D-Bus, no leftovers.

Select it with PYTHON_KEYRING_BACKEND=tests.support.keyring_file.FileKeyring and name the file
with NDRGUARD_TEST_KEYRING (default: keyring.json in NDRGUARD_HOME). Plain text on purpose:
it only ever holds the throwaway passwords of the test Dovecot.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1

    @staticmethod
    def _path() -> Path:
        named = os.environ.get("NDRGUARD_TEST_KEYRING")
        if named:
            return Path(named)
        return Path(os.environ.get("NDRGUARD_HOME", ".")) / "keyring.json"

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self._path().read_text())
        except FileNotFoundError:
            return {}

    def _save(self, data: dict[str, str]) -> None:
        path = self._path()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\0{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\0{username}", None) is None:
            raise PasswordDeleteError("no such password")
        self._save(data)
