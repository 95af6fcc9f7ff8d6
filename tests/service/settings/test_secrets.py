"""Where secrets go when there is nowhere safe for them: ndrguard refuses and says what to do.

A headless Linux machine has no Secret Service until the user starts one; keyring then falls
back to its `fail` backend. ndrguard must not store the password anywhere else, must save no
account it cannot log in to, and must name the fix.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.service.imap_util import ndrguard, service_env


def test_without_any_keyring_account_add_refuses_and_names_the_fix(tmp_path: Path) -> None:
    env = {
        **service_env(tmp_path / "home"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    done = ndrguard(env, "account", "add", "work", "--host", "127.0.0.1", "--username", "me",
                    "--no-test", "--password-stdin", stdin="a-password\n")  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "no OS keyring is running" in done.stderr
    assert "docs/install.md" in done.stderr
    written = [p for p in (tmp_path / "home").rglob("*") if p.is_file()]
    assert all(b"a-password" not in p.read_bytes() for p in written), written
    assert "work" not in ndrguard(env, "account", "list").stdout


@pytest.mark.skipif(
    not (shutil.which("gnome-keyring-daemon") and shutil.which("dbus-run-session")),
    reason="gnome-keyring and dbus are not installed (scripts/setup --test installs them)",
)
def test_the_server_recipe_of_docs_install_md_keeps_the_password_across_sessions(
    tmp_path: Path,
) -> None:
    """docs/install.md's 'A keyring on a server', run as written, twice: the second session
    (a reboot, as far as the keyring knows) reads what the first stored."""
    env = {**service_env(tmp_path / "home"), "HOME": str(tmp_path / "user")}
    del env["PYTHON_KEYRING_BACKEND"]
    (tmp_path / "user").mkdir()
    unlock = (
        'printf "%s" keyring-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; '
    )
    first = (
        unlock
        + "ndrguard account add work --host 127.0.0.1 --username me --no-test --password-stdin"
    )
    second = (
        unlock + 'python -c \'import keyring; print(keyring.get_password("ndrguard", "work"))\''
    )
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"  # the venv's ndrguard, python
    for script, stdin in ((first, "a-password\n"), (second, None)):
        done = subprocess.run(["dbus-run-session", "--", "sh", "-c", script], env=env, input=stdin,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "a-password"
