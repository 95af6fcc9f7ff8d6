"""ndrguard's core: bytes in, facts and verdicts out. No network, no Qt, no disk.

    >>> from ndrguard import recognise_bytes
    >>> recognise_bytes(b"From: a@example.org\\nSubject: hi\\n\\nhello\\n").kind
    <Kind.OTHER: 'other'>

The names below are imported on first use (PEP 562), not with the package: `ndrguard
--version` and the commands that never recognise anything should not pay for compiling every
recogniser's patterns. No name here may be a submodule's name too (`recognise` is the module
`ndrguard.recognise`): importing a submodule sets the package attribute of that name, so a lazy
name like it would turn into the module as soon as anything imported the module.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ndrguard.mail import Limits, Mail, parse
    from ndrguard.recognise import recognise_bytes
    from ndrguard.report import Kind, Original, Recipient, Report, Shape

__version__ = "0.1.0"

_HOME = {
    "Limits": "ndrguard.mail",
    "Mail": "ndrguard.mail",
    "parse": "ndrguard.mail",
    "recognise_bytes": "ndrguard.recognise",
    "Kind": "ndrguard.report",
    "Original": "ndrguard.report",
    "Recipient": "ndrguard.report",
    "Report": "ndrguard.report",
    "Shape": "ndrguard.report",
}

__all__ = [
    "Kind",
    "Limits",
    "Mail",
    "Original",
    "Recipient",
    "Report",
    "Shape",
    "parse",
    "recognise_bytes",
]


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'ndrguard' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value
