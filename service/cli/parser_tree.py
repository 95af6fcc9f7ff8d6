"""The whole command tree, read from the argparse definitions: what shell completion and the
man page are generated from, so that neither can drift from the commands themselves."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path


@dataclass
class Option:
    flags: list[str]  # --config, -h ...
    help: str
    metavar: str | None  # None for a flag that takes no value
    choices: list[str] = field(default_factory=list)
    path: bool = False  # its value is a file or folder name


@dataclass
class Command:
    """A command or subcommand: its words from the top (`account add`), help, and what it takes."""

    words: list[str]
    help: str
    description: str
    options: list[Option] = field(default_factory=list)
    positionals: list[Option] = field(default_factory=list)
    subcommands: list[Command] = field(default_factory=list)


def full_parser() -> argparse.ArgumentParser:
    """`ndrguard`'s parser with every command's module loaded (main.py loads one at a time)."""
    from ndrguard.service.cli import main

    parser = argparse.ArgumentParser(prog="ndrguard", description=main.DESCRIPTION)
    parser.add_argument("--version", action="version", version="ndrguard")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in dict.fromkeys(m for m, _ in main.COMMANDS.values()):
        import_module(f"ndrguard.service.cli.{module}").add_parser(sub)
    return parser


def tree(parser: argparse.ArgumentParser | None = None) -> Command:
    parser = parser or full_parser()
    return _command(parser, [], "")


def _command(parser: argparse.ArgumentParser, words: list[str], help_line: str) -> Command:
    cmd = Command(words, help_line, parser.description or help_line)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, child in action.choices.items():
                cmd.subcommands.append(_command(child, [*words, name], helps.get(name, "")))
            continue
        choices = [str(c) for c in action.choices] if action.choices else []
        takes = action.nargs != 0
        named = action.metavar if isinstance(action.metavar, str) else None
        metavar = (named or action.dest.upper()) if takes else None
        path = action.type is Path or (metavar or "") in ("FILE", "PATH", "DIR")
        option = Option(list(action.option_strings), action.help or "", metavar, choices, path)
        (cmd.options if action.option_strings else cmd.positionals).append(option)
    return cmd


def walk(cmd: Command) -> list[Command]:
    """`cmd` and every command under it, depth first."""
    return [cmd, *(c for sub in cmd.subcommands for c in walk(sub))]
