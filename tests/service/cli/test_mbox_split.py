"""split_mbox finds separators by searching for `From ` lines, not by walking every line:
the mbox rules (a separator starts the data, follows a blank line or another separator;
`>From ` is unescaped; the blank line before a separator is the mbox's) must still hold."""

from __future__ import annotations

import pytest

from ndrguard.service.cli.sources import split_mbox

SEP = b"From alice@example.org Sat Oct  4 08:00:09 2025\n"


@pytest.mark.parametrize(
    "data, messages",
    [
        (SEP + b"A: 1\n\nbody\n", [b"A: 1\n\nbody\n"]),
        (SEP + b"A: 1\n\none\n\n" + SEP + b"B: 2\n\ntwo\n", [b"A: 1\n\none\n", b"B: 2\n\ntwo\n"]),
        # Not after a blank line: text, not a separator.
        (SEP + b"A: 1\n\nline\n" + SEP + b"more\n", [b"A: 1\n\nline\n" + SEP + b"more\n"]),
        # A separator right after another starts an (empty, skipped) message.
        (SEP + SEP + b"B: 2\n\ntwo\n", [b"B: 2\n\ntwo\n"]),
        # "From me to you" is not of the separator's form.
        (SEP + b"A: 1\n\nFrom me to you\n", [b"A: 1\n\nFrom me to you\n"]),
        (SEP + b"A: 1\n\n>From here\n>>From there\n", [b"A: 1\n\nFrom here\n>From there\n"]),
        (
            SEP.replace(b"\n", b"\r\n") + b"A: 1\r\n\r\none\r\n\r\n" + SEP + b"B: 2\r\n",
            [b"A: 1\r\n\r\none\r\n", b"B: 2\r\n"],
        ),
        (b"A: 1\n\nfirst\n\n" + SEP + b"B: 2\n", [b"A: 1\n\nfirst\n", b"B: 2\n"]),
    ],
)
def test_split(data: bytes, messages: list[bytes]) -> None:
    assert list(split_mbox(data)) == messages
