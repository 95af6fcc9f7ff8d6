"""The CLI imports only what the command needs (issue 9, item 6).

`ndrguard --version` and `ndrguard classify` without an identity must not load the keyring,
dnspython, dkimpy, imapclient, OAuth, Qt or the service's engine and state: those made every
start-up several times slower than the work. Each check runs in a fresh interpreter, since
this test process has imported everything already.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ndrguard.service.cli import main as cli

HEAVY = (
    "keyring",
    "dns",
    "dkim",
    "imapclient",
    "PySide6",
    "requests",
    "authlib",
    "watchdog",
    "sqlite3",
    "ndrguard.service.engine",
    "ndrguard.service.store",
    "ndrguard.service.mailboxes",
    "ndrguard.service.oauth",
)

_PROBE = """
import json, sys
from ndrguard.service.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
heavy = {heavy!r}
loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy or
                any(m == h or m.startswith(h + ".") for h in heavy))
print(json.dumps({{"code": code, "loaded": loaded}}), file=sys.stderr)
"""


def _loaded(*argv: str) -> tuple[object, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY), *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    result = json.loads(done.stderr.strip().splitlines()[-1])
    return result["code"], result["loaded"]


def test_version_loads_nothing_heavy() -> None:
    code, loaded = _loaded("--version")
    assert code == 0
    assert loaded == [], f"ndrguard --version imported {loaded}"


def test_classify_without_identity_loads_nothing_heavy(tmp_path: Path) -> None:
    message = tmp_path / "one.eml"
    message.write_bytes(b"From: a@example.org\nSubject: hi\n\nhello\n")
    code, loaded = _loaded("classify", "--json", str(message))
    assert code == 0
    assert loaded == [], f"ndrguard classify imported {loaded}"


def test_help_lists_every_command_without_loading_them() -> None:
    code, loaded = _loaded("--help")
    assert code == 0
    assert loaded == [], f"ndrguard --help imported {loaded}"


@pytest.mark.parametrize("module", sorted({m for m, _ in cli.COMMANDS.values()}))
def test_the_table_says_what_each_module_registers(module: str) -> None:
    """COMMANDS names each command's module and help line; the module is the authority."""
    sub = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(f"ndrguard.service.cli.{module}").add_parser(sub)
    registered = {a.dest: a.help for a in sub._choices_actions}
    table = {name: h for name, (m, h) in cli.COMMANDS.items() if m == module}
    assert registered == table


def test_an_unknown_command_is_refused() -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["no-such-command"])
    assert exc.value.code == 2


def test_classify_offers_every_policy_the_verdict_knows() -> None:
    from ndrguard.service.cli.classify import POLICIES
    from ndrguard.verdict import Policy

    assert list(POLICIES) == [str(p) for p in Policy]
