"""`ndrguard run -v` with its console output redirected into the config folder: the folder
the live reload watches. watchdog's own debug line for each event it saw was written there,
which was an event: 5 MB in 6 seconds, and the rotating log turned over until the real log
was gone (issue 13). The reload must still see a real save."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ndrguard.service.api.client import ApiClient
from ndrguard.service.api.protocol import ApiError
from ndrguard.ui.launcher import SERVICE_COMMAND
from tests.support.procs import wait_until
from tests.ui.service_process import ROOT, endpoint_for


def _answers(home: Path) -> bool:
    client = ApiClient(endpoint_for(home))
    try:
        client.call("hello")
        return True
    except ApiError:
        return False
    finally:
        client.close()


def test_verbose_console_output_in_the_config_folder_does_not_feed_on_itself(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "NDRGUARD_HOME": str(home), "PYTHONPATH": str(ROOT),
           "PYTHON_KEYRING_BACKEND": "tests.support.keyring_file.FileKeyring",
           "NDRGUARD_TEST_KEYRING": str(tmp_path / "keyring.json")}  # fmt: skip
    console = home / "run.out"
    with console.open("wb") as out:
        proc = subprocess.Popen([*SERVICE_COMMAND, "-v"], env=env, cwd=ROOT, stdout=out,
                                stderr=out)  # fmt: skip
        try:
            wait_until(lambda: _answers(home), timeout=60, what="the service to answer")
            (home / "config.toml").write_text("# saved\n")  # a real save: reloaded
            wait_until(lambda: "config reloaded" in console.read_text(errors="replace"),
                       timeout=30, what="the save to be reloaded")  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    text = console.read_text(errors="replace")
    assert " DEBUG " in text, "not a debug run"
    assert "watchdog" not in text, text[-2000:]
    assert console.stat().st_size < 200_000, f"{console.stat().st_size} bytes of console"
    assert not (home / "logs" / "ndrguard.log.1").exists(), "the log rotated away"
