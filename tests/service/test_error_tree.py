"""One error tree (issue 8): every error a user can meet is an NdrguardError with a title of its
own, and the CLI, the API and so the tray show it one way, `title: message`.

The walk below imports every module of the core and the service and looks at each exception
class defined there, so a new error class that forgets its root or its title fails here.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from pathlib import Path

import pytest

import ndrguard
import ndrguard.service
from ndrguard.errors import NdrguardError
from ndrguard.service.api.protocol import ActionFailed, ApiError, NotFound, error_from_json
from ndrguard.service.cli import common as cli_common
from ndrguard.service.mailboxes.base import AuthFailed
from ndrguard.service.settings.config import ConfigError
from tests.service.imap_util import ndrguard as run_ndrguard
from tests.service.imap_util import service_env


def _error_classes() -> list[type[BaseException]]:
    found = []
    packages = [(ndrguard.__path__, "ndrguard."), (ndrguard.service.__path__, "ndrguard.service.")]
    for path, prefix in packages:
        for info in pkgutil.walk_packages(path, prefix):
            if info.name.startswith("ndrguard.ui"):
                continue  # the tray's own widgets; it meets errors through the API
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if (inspect.isclass(value) and issubclass(value, BaseException)
                        and value.__module__ == module.__name__):  # fmt: skip
                    found.append(value)
    return found


def test_every_error_class_is_rooted_in_the_tree_with_a_title_of_its_own() -> None:
    classes = _error_classes()
    assert len(classes) > 20, [c.__name__ for c in classes]
    unrooted = [f"{c.__module__}.{c.__name__}" for c in classes if not issubclass(c, NdrguardError)]
    assert not unrooted, f"not an NdrguardError: {unrooted}"
    plain = NdrguardError.title
    untitled = [f"{c.__module__}.{c.__name__}" for c in classes
                if c is not NdrguardError and getattr(c, "title", "") == plain]  # fmt: skip
    assert not untitled, f"no title of their own: {untitled}"


def test_the_api_carries_the_errors_own_title_and_message() -> None:
    login = AuthFailed("the server refused the password for alice@example.org")
    wire = ActionFailed.wrapping(login).to_json()
    assert wire == {"code": "failed", "title": "Login failed", "message": login.message}
    back = error_from_json(json.loads(json.dumps(wire)))
    assert isinstance(back, ActionFailed) and isinstance(back, NdrguardError)
    assert back.shown() == "Login failed: the server refused the password for alice@example.org"
    missing = NotFound("no verdict 7")
    assert ActionFailed.wrapping(missing) is missing  # an API error travels as itself
    assert error_from_json(missing.to_json()).shown() == "Not found: no verdict 7"
    assert isinstance(error_from_json({"code": "?", "message": "m"}), ApiError)


def test_the_cli_prints_title_and_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_common.fail(ConfigError("/x/config.toml: line 3: unknown key 'polcy'"), "work") == 1
    assert capsys.readouterr().err == (
        "ndrguard: work: Configuration error: /x/config.toml: line 3: unknown key 'polcy'\n"
    )
    cli_common.fail(FileNotFoundError(2, "No such file or directory"))
    assert capsys.readouterr().err == (
        "ndrguard: The system refused: [Errno 2] No such file or directory\n"
    )


def test_a_command_shows_a_config_error_under_its_title(tmp_path: Path) -> None:
    env = service_env(tmp_path / "home")
    missing = tmp_path / "nowhere.toml"
    done = run_ndrguard(env, "status", "--config", str(missing))
    assert done.returncode == 1
    assert done.stderr.startswith(f"ndrguard: Configuration error: {missing}: no such file"), (
        done.stderr
    )
