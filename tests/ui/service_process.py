"""A real ndrguard service with its local API, on the demo mailbox, for API and UI tests.

The controller (aiosmtpd's idea) lays out the demo home (the demo user's Maildir, identity and
BATV key, as `ndrguard demo` makes them), starts `ndrguard run` (which serves the API) in a
session of its own, and can kill it, restart it and drop mail into the inbox.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from ndrguard.service.api.channel import Endpoint
from ndrguard.service.api.client import ApiClient
from ndrguard.service.api.protocol import ApiError
from ndrguard.service.cli import demo as demo_cli
from ndrguard.service.demo import mailbox as demo_mailbox
from ndrguard.service.settings.config import Paths
from ndrguard.ui.launcher import SERVICE_COMMAND
from tests.support.procs import kill_session, wait_until

ROOT = Path(__file__).resolve().parents[2]
KEYRING = "tests.support.keyring_file.FileKeyring"


class ServiceProcess:
    def __init__(self, burst: int = 60, *, empty: bool = False) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="ng-"))
        self.box = demo_mailbox.build(burst=burst)
        if empty:
            # First run: no account yet; the demo Maildir lies ready for the settings window.
            self.home.joinpath("config.toml").write_text("")
            self.box = demo_mailbox.DemoMailbox([], self.box.burst, [])
            demo_cli.lay_out(self.home / "demo", self.box)
            self.mail = self.home / "demo" / "Mail"
        else:
            demo_cli.lay_out(self.home, self.box)
            self.mail = self.home / "Mail"
        self.env = {
            **os.environ,
            "NDRGUARD_HOME": str(self.home),
            "PYTHON_KEYRING_BACKEND": KEYRING,
            "NDRGUARD_TEST_KEYRING": str(self.home / "keyring.json"),
            "PYTHONPATH": str(ROOT),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.endpoint = endpoint_for(self.home)

    def start(self) -> ServiceProcess:
        log = (self.home / "service.out").open("ab")
        self.proc = subprocess.Popen(
            SERVICE_COMMAND,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        return self

    def client(self) -> ApiClient:
        return ApiClient(self.endpoint)

    def wait_ready(self, timeout: float = 60, watching: bool = True) -> dict[str, Any]:
        """Wait until the API answers (and every account watches); the status."""
        client = self.client()

        def ready() -> dict[str, Any] | None:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"the service exited: {self.log()}")
            try:
                status = client.call("status")
            except ApiError:
                return None
            states = [a["state"] for a in status["accounts"]]
            return status if not watching or all(s == "watching" for s in states) else None

        try:
            return wait_until(ready, timeout=timeout, what="the service to be ready")
        finally:
            client.close()

    def deliver(self, messages: list[demo_mailbox.Message]) -> None:
        for msg in messages:
            demo_cli.deliver(self.mail, msg)

    def kill(self) -> None:
        """SIGKILL, as a crash would: no goodbye on any socket."""
        assert self.proc is not None
        kill_session(self.proc.pid)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_session(self.proc.pid)
            self.proc.wait()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    def log(self) -> str:
        try:
            return (self.home / "service.out").read_text()[-3000:]
        except OSError:
            return ""

    def files(self, folder: str = "") -> list[Path]:
        base = self.mail / (f".{folder}" if folder else "")
        return [p for sub in ("new", "cur") for p in (base / sub).iterdir()]


def endpoint_for(home: Path) -> Endpoint:
    """Where the service of NDRGUARD_HOME=`home` listens (the channel reads the variable)."""
    old = os.environ.get("NDRGUARD_HOME")
    os.environ["NDRGUARD_HOME"] = str(home)
    try:
        return Endpoint.for_paths(Paths.resolve())
    finally:
        if old is None:
            del os.environ["NDRGUARD_HOME"]
        else:
            os.environ["NDRGUARD_HOME"] = old


def wait_for(predicate: Any, timeout: float = 30, what: str = "") -> Any:
    return wait_until(predicate, timeout=timeout, interval=0.05, what=what)


__all__ = ["ServiceProcess", "endpoint_for", "time", "wait_for"]
