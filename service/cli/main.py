"""The `ndrguard` command line.

Each command lives in its own module and registers itself with `add_parser(subparsers)`;
this module only builds the parser and maps errors to exit codes, so that `ndrguard --help`
reads like a table of contents.

Only the module of the command being run is imported. The others bring in keyring, dnspython,
dkimpy, imapclient, OAuth and the service's state and worker, which `ndrguard --version` and
`ndrguard classify` never need: importing all of them made every start-up several times slower
than classifying a folder. So the table below names each command's module and its one-line
help (tests/service/test_cli_startup.py checks that it says what the modules register), the
other commands appear in `--help` from the table alone, and `--help` of a command imports
that command's module as running it does.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from ndrguard import __version__
from ndrguard.errors import NdrguardError

# command -> (module under ndrguard.service.cli, the help line its add_parser writes)
COMMANDS: dict[str, tuple[str, str]] = {
    "classify": (
        "classify",
        "say what each message is (bounce, delay warning, auto-reply, ...) and why",
    ),
    "demo": ("demo", "run the service on a demo mailbox it makes itself (no account needed)"),
    "scan": ("scan", "one pass over the accounts: judge new mail, quarantine backscatter, exit"),
    "rejudge": ("scan", "judge again what was judged before, under the current policy"),
    "account": ("account", "add, list, remove or test mail accounts"),
    "status": ("status", "each account's state, folders, open moves and counters"),
    "summary": ("status", "what was quarantined and why, and what was kept"),
    "restore": ("status", "move a quarantined message back to where it came from"),
    "mark-legitimate": (
        "status",
        "say a bounce is real: move it back if quarantined, and never quarantine it again",
    ),
    "run": ("run", "watch the accounts until stopped (SIGTERM or Ctrl-C)"),
    "batv": ("batv", "sign or check BATV (prvs) tagged addresses"),
    "autostart": ("autostart", "start the service (or the tray app) at login"),
    "completion": ("completion", "print a shell completion script (bash, zsh or fish)"),
    "manpage": ("manpage", "print the manual page (roff), made from these commands"),
}


DESCRIPTION = "Find backscatter (bounces for mail you never sent) and keep it out of your inbox."


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with `command`'s module loaded; every other command only as a name and
    help line from COMMANDS (all of them so when `command` is None or unknown)."""
    parser = argparse.ArgumentParser(
        prog="ndrguard",
        description=DESCRIPTION,
    )
    parser.add_argument("--version", action="version", version=f"ndrguard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    loaded = COMMANDS[command][0] if command in COMMANDS else None
    if loaded is not None:
        import_module(f"ndrguard.service.cli.{loaded}").add_parser(sub)
    for name, (module, help_line) in COMMANDS.items():
        if module != loaded:
            sub.add_parser(name, help=help_line)
    return parser


def command_of(argv: Sequence[str]) -> str | None:
    """The command word: the first argument that is not an option (none take a value here)."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_of(args_in))
    args = parser.parse_args(args_in)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    # Whatever the user's umask: config, state, journal, logs and the socket's folder that
    # this process creates are the user's alone (0600 files, 0700 folders). They name the
    # user's correspondents, and the API key file must stay unread by others.
    os.umask(0o077)
    try:
        return int(args.func(args))
    except NdrguardError as err:  # one a command did not catch: shown like every other
        print(f"ndrguard: {err.shown()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ndrguard classify ... | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
