"""The one error tree: every failure a user can meet is an `NdrguardError` with a title.

A user meets ndrguard's errors in three places, the command line, the local API and the tray,
and used to meet them in three shapes: some errors had a title, some only a message, and the
API wrapped others in "Action failed" and lost what they were. Now every error that is meant
for a person derives from `NdrguardError` and carries:

- `title`: a few words naming what went wrong ("Login failed", "Config problem"), the same for
  every instance of a class, so that a notification or a log can be scanned by it;
- `message`: the sentence for the person, naming the file, folder or account and the fix.

The CLI prints `ndrguard: [where: ]title: message`, the API carries `{"code", "title",
"message"}`, and the tray shows `title: message`. Errors that are bugs (a KeyError in our own
code) stay ordinary exceptions: they are not the user's to fix, and are reported as such.

The core's branches live beside what raises them (`ndrguard.identity.IdentityError`); the
service's subclass this module's classes (a mailbox, config, state, API or autostart error).
Many also keep the built-in base they always had (`ConfigError` is still a `ValueError`), so
that code catching the built-in goes on working.
"""

from __future__ import annotations


class NdrguardError(Exception):
    """Something a user can meet while ndrguard works, with words for them."""

    title = "ndrguard could not do that"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def shown(self) -> str:
        """`title: message`, the one way the CLI, the API and the tray put it."""
        return f"{self.title}: {self.message}" if self.message else self.title

    def to_json(self) -> dict[str, str]:
        """What a program is handed: the title and the message, each on its own."""
        return {"title": self.title, "message": self.message}


# Titles for the built-in errors that reach a user unwrapped (a file the OS refused, a value
# the standard library would not parse), most specific first.
_FOREIGN_TITLES: tuple[tuple[type[BaseException], str], ...] = (
    (OSError, "The system refused"),
    (ValueError, "Not valid"),
)


def title_of(err: BaseException) -> str:
    """The title an error is shown under: its own, or one for its built-in kind."""
    if isinstance(err, NdrguardError):
        return err.title
    for kind, title in _FOREIGN_TITLES:
        if isinstance(err, kind):
            return title
    return f"Unexpected error ({type(err).__name__})"


def shown(err: BaseException) -> str:
    """`title: message` for any exception, so that nothing reaches a user without a title."""
    if isinstance(err, NdrguardError):
        return err.shown()
    text = str(err)
    return f"{title_of(err)}: {text}" if text else title_of(err)
