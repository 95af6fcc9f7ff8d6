"""`ndrguard manpage`: the manual page in roff, made from the argparse definitions
(parser_tree.py); scripts/manpage writes it to docs/ndrguard.1, which is shipped, and a test
checks that the shipped page is the one the commands make today."""

from __future__ import annotations

import argparse

from ndrguard import __version__
from ndrguard.service.cli.parser_tree import Command, Option, tree, walk


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "manpage",
        help="print the manual page (roff), made from these commands",
        description="Print ndrguard(1) in roff: `ndrguard manpage | man -l -` reads it.",
    )
    p.set_defaults(func=run)


def run(_args: argparse.Namespace) -> int:
    print(page(), end="")
    return 0


def _esc(text: str) -> str:
    """Text as roff reads it literally: backslashes, hyphens, and no line opening a request."""
    out = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line[:1] in (".", "'") else line for line in out.split("\n"))


def _synopsis(cmd: Command) -> str:
    parts = [f"\\fBndrguard {_esc(' '.join(cmd.words))}\\fR"]
    for opt in cmd.options:
        if "--help" in opt.flags:
            continue
        value = f" \\fI{_esc(opt.metavar)}\\fR" if opt.metavar else ""
        parts.append(f"[\\fB{_esc(opt.flags[-1])}\\fR{value}]")
    if cmd.subcommands:
        parts.append("\\fI" + "|".join(_esc(s.words[-1]) for s in cmd.subcommands) + "\\fR ...")
    for pos in cmd.positionals:
        shown = "|".join(pos.choices) if pos.choices else pos.metavar or ""
        parts.append(f"\\fI{_esc(shown)}\\fR")
    return " ".join(parts)


def _option(opt: Option) -> list[str]:
    value = f" \\fI{_esc(opt.metavar)}\\fR" if opt.metavar else ""
    flags = ", ".join(f"\\fB{_esc(f)}\\fR" for f in opt.flags)
    choices = f" (one of: {', '.join(opt.choices)})" if opt.choices and opt.flags else ""
    return [".TP", f"{flags}{value}", _esc(opt.help + choices)]


def page() -> str:
    root = tree()
    lines = [
        f'.TH NDRGUARD 1 "" "ndrguard {__version__}" "User Commands"',
        ".SH NAME",
        "ndrguard \\- " + _esc(root.description[0].lower() + root.description[1:].rstrip(".")),
        ".SH SYNOPSIS",
        "\\fBndrguard\\fR [\\fB\\-\\-version\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] ...",
        ".SH DESCRIPTION",
        _esc(
            "ndrguard recognises every bounce (NDR, DSN) and look-alike in your IMAP mailboxes "
            "or Maildirs, decides whether each answers mail you really sent (BATV tags, your "
            "Sent folder, your DKIM signature, your own relay), and moves the forged ones "
            "(backscatter) to a quarantine folder. It never deletes; every move is journalled "
            "first and can be undone with restore."
        ),
        ".SH COMMANDS",
    ]
    for cmd in walk(root)[1:]:
        lines += [f".SS {_esc(' '.join(cmd.words))}", _synopsis(cmd), ".PP", _esc(cmd.description)]
        for pos in cmd.positionals:
            if pos.help:
                lines += [".TP", f"\\fI{_esc(pos.metavar or '')}\\fR", _esc(pos.help)]
        for opt in cmd.options:
            if "--help" not in opt.flags:
                lines += _option(opt)
    lines += [
        ".SH ENVIRONMENT",
        ".TP",
        "\\fBNDRGUARD_HOME\\fR",
        _esc(
            "Keep config, state and logs together in this folder instead of the platform's "
            "config, data and log folders; every command and the tray honour it."
        ),
        ".SH EXIT STATUS",
        _esc(
            "0 on success; 1 when something failed (a message not restored, the service not "
            "running or an account failing for status); 2 for a command line ndrguard does "
            "not understand."
        ),
        ".SH SEE ALSO",
        "\\fBndrguard\\-tray\\fR(1), and the documentation in docs/ of the source.",
    ]
    return "\n".join(lines) + "\n"
