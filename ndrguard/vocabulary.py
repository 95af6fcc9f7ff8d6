"""The words every part of ndrguard uses for a policy, a verdict and an action, as enums.

They are defined here, apart from the judging in ndrguard/verdict.py, so that whoever only
names them (the config reader, `classify`'s option list, the local API protocol and through it
the tray) gets them without importing the evidence machinery: this module imports nothing.
ndrguard.verdict re-exports them, and they are the one vocabulary: no module compares a
policy, a verdict or an action with a string literal of its own
(tests/service/test_vocabulary.py holds that rule). Being StrEnums they are still equal to,
and serialise as, their words ("evidence", "legit"), which the config and the JSON keep.
"""

from __future__ import annotations

from enum import StrEnum


class Policy(StrEnum):
    """What an account does with bounces (DESIGN.md, "Policies")."""

    MONITOR = "monitor"  # classify and report; move nothing
    BLOCK_ALL = "block-all"  # quarantine every bounce, real ones too (own-relay ones excepted)
    BATV = "batv"  # keep proved bounces; every unproved one is backscatter
    EVIDENCE = "evidence"  # keep proved bounces; unproved ones are undecided

    @classmethod
    def parse(cls, value: str) -> Policy:
        """The policy named `value`, or a ValueError whose message lists the choices."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(p.value for p in cls)
            raise ValueError(f"unknown policy {value!r}; choose one of {choices}") from None


class Outcome(StrEnum):
    """What a message is, as far as the evidence goes (the verdict)."""

    LEGIT = "legit"  # answers mail the user really sent
    BACKSCATTER = "backscatter"  # answers forged mail
    UNDECIDED = "undecided"  # nothing proves either way
    PENDING = "pending"  # undecided because evidence could not be read; judged again later
    NOT_A_BOUNCE = "not-a-bounce"  # ordinary mail: none of ndrguard's business


class Action(StrEnum):
    """What the verdict asks to be done with the message."""

    KEEP = "keep"
    QUARANTINE = "quarantine"
