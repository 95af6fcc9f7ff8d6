"""Recognisers for messages that travel like bounces but are not: feedback, receipts, replies."""

from __future__ import annotations

from types import ModuleType

STRUCTURED: tuple[ModuleType, ...] = ()
TEXT: tuple[ModuleType, ...] = ()
