"""Fast search for long lists of phrases in report texts.

The fallback and look-alike recognisers match a hundred-odd phrases in eleven languages. As one
regular expression that is slow in Python (about 1 MB/s: the engine tries every alternative at
every position), and it runs on every message that passes triage, ordinary mail included. So a
`Phrases` also holds *anchors*, plain lower-case fragments of which every phrase contains at
least one; C-speed substring search finds them, and the expression only runs on a window
around each hit. Text without an anchor costs a few microseconds.
"""

from __future__ import annotations

import re

_WINDOW = 100  # characters either side of an anchor: more than any phrase reaches past it
_MAX_HITS = 64  # anchors looked at per text; a text full of them is read whole instead


class Phrases:
    """A phrase expression with the anchors that every one of its matches contains."""

    __slots__ = ("_flags", "_pattern", "_regex", "anchors", "window")

    def __init__(
        self, pattern: str, anchors: tuple[str, ...], flags: int = 0, window: int = _WINDOW
    ) -> None:
        self._pattern = pattern
        self._flags = flags | re.IGNORECASE
        self._regex: re.Pattern[str] | None = None
        self.anchors = anchors
        self.window = window  # must exceed how far any match reaches from its anchor

    @property
    def regex(self) -> re.Pattern[str]:
        """The expression, compiled on first use: the long alternations take milliseconds
        each to compile, most runs over a mailbox never find an anchor of some of them, and
        start-up is a large part of classifying a small folder."""
        if self._regex is None:
            self._regex = re.compile(self._pattern, self._flags)
        return self._regex

    def search(self, text: str, low: str | None = None) -> re.Match[str] | None:
        """The first match in `text` (by position of its anchor), or None.

        `low` is `text.lower()` when the caller already has it (several searches, one text).
        """
        if low is None or len(low) != len(text):
            low = text.lower()
        windows = self._windows(low)
        if windows is None:
            return self.regex.search(text)
        for lo, hi in windows:
            m = self.regex.search(text, lo, hi)
            if m is not None:
                return m
        return None

    def findall(self, text: str) -> set[str]:
        """Every distinct match, lower case (read in the windows around anchors, as search)."""
        windows = self._windows(text.lower())
        if windows is None:
            return {m.group(0).lower() for m in self.regex.finditer(text)}
        return {
            m.group(0).lower() for lo, hi in windows for m in self.regex.finditer(text, lo, hi)
        }

    def _windows(self, low: str) -> list[list[int]] | None:
        """The merged spans of text around each anchor, in order; [] when there is no anchor,
        None when there are so many that reading the whole text is cheaper."""
        starts: list[int] = []
        for anchor in self.anchors:
            pos = low.find(anchor)
            while pos >= 0 and len(starts) < _MAX_HITS:
                starts.append(pos)
                pos = low.find(anchor, pos + len(anchor))
        if len(starts) >= _MAX_HITS:
            return None
        starts.sort()
        windows: list[list[int]] = []
        for pos in starts:
            lo, hi = max(pos - self.window, 0), pos + self.window
            if windows and lo <= windows[-1][1]:
                windows[-1][1] = hi
            else:
                windows.append([lo, hi])
        return windows
