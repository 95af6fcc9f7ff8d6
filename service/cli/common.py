"""What every service command shares: `--config`, opening the config and the state.

Each command module calls `add_config_option` on its parser and `open_config` / `open_state`
in its `run`, so that NDRGUARD_HOME and `--config FILE` mean the same everywhere.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ndrguard.errors import shown
from ndrguard.service.settings.config import Config, ConfigError, Paths, load
from ndrguard.service.store.state import State


def add_config_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="the config file (default: the platform's config dir, or $NDRGUARD_HOME)",
    )


def paths(args: argparse.Namespace) -> Paths:
    return Paths.resolve(getattr(args, "config", None))


def open_config(args: argparse.Namespace, *, create: bool = False) -> Config:
    """The config; a file named by `--config` that does not exist is an error (a typo must
    not read as "no accounts configured"), unless the command makes it (`create`)."""
    path = paths(args).config_file
    named = getattr(args, "config", None)
    if named is not None and not create and not path.exists():
        default = Paths.resolve().config_file
        raise ConfigError(f"{path}: no such file; check the name given to --config, or leave "
                          f"--config out to use {default}")  # fmt: skip
    return load(path)


def open_state(args: argparse.Namespace) -> State:
    return State(paths(args).state_file)


def fail(err: BaseException, where: str = "") -> int:
    """Print a user-facing error and return the exit code 1.

    Every command's errors look alike: `ndrguard: [where: ]title: message`, the title being
    the NdrguardError's own (ndrguard/errors.py) or one for a built-in error's kind.
    """
    prefix = f"{where}: " if where else ""
    print(f"ndrguard: {prefix}{shown(err)}", file=sys.stderr)
    return 1


def ndrguard_command() -> list[str]:
    """How to run this very ndrguard again, for commands printed to be copied: the absolute
    path of the `ndrguard` script beside this interpreter (a venv's bin/ is rarely on PATH),
    else this interpreter with `-m`."""
    folder = Path(sys.executable).parent
    for script in (folder / "ndrguard", folder / "ndrguard.exe"):
        if script.is_file():
            return [str(script.absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "ndrguard.service.cli.main"]
