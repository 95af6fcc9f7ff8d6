"""One sign-in of a configured account, the same from the CLI and from the service's API: find
the endpoints, run the loopback or device grant, keep the grant in the keyring.

`SignIns` runs sign-ins inside the service for the tray: the API's `signin` starts one and
answers at once with the URL to open (or the code to show), `signin_status` tells how it
ended, and on success the account's worker is told to try again at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ndrguard.service.mailboxes.base import MailboxError
from ndrguard.service.oauth.grant import Grant, client_secret, save_grant
from ndrguard.service.oauth.providers import endpoints
from ndrguard.service.oauth.signin import (
    DeviceCode,
    SignInFailed,
    signin_device,
    signin_loopback,
)
from ndrguard.service.settings.config import Account, ConfigError

log = logging.getLogger(__name__)

START_TIMEOUT = 30.0  # for the URL or the device code to be ready


def sign_in(
    account: Account,
    *,
    device: bool = False,
    open_browser: Callable[[str], object] | None = None,
    show: Callable[[DeviceCode], object] | None = None,
    cancel: threading.Event | None = None,
) -> Grant:
    """Sign `account` in and store its grant; raises SignInFailed, ConfigError."""
    if account.oauth is None:
        raise ConfigError(f"account {account.name!r} does not sign in with OAuth (no oauth table)")
    try:
        where = endpoints(account.oauth)
    except ValueError as err:
        raise SignInFailed(f"the provider's endpoints could not be found: {err}") from err
    secret = client_secret(account.name)
    if device:
        grant = signin_device(account.oauth, where, secret, show or (lambda _c: None),
                              cancel=cancel)  # fmt: skip
    else:
        grant = signin_loopback(account.oauth, where, secret, open_browser or (lambda _u: None),
                                cancel=cancel, login_hint=account.username)  # fmt: skip
    save_grant(account.name, grant)
    log.info("%s: signed in", account.name)
    return grant


@dataclass(frozen=True, slots=True)
class SignInState:
    account: str
    state: str  # "waiting", "signed-in", "failed", "cancelled"
    detail: str = ""
    url: str = ""  # the loopback grant: the page the browser must open
    user_code: str = ""  # the device grant: what the user types at verification_uri
    verification_uri: str = ""
    verification_uri_complete: str = ""
    started: float = 0.0

    def to_json(self) -> dict[str, object]:
        return {"account": self.account, "state": self.state, "detail": self.detail,
                "url": self.url, "user_code": self.user_code,
                "verification_uri": self.verification_uri,
                "verification_uri_complete": self.verification_uri_complete,
                "started": self.started}  # fmt: skip


class SignIns:
    """Sign-ins the service runs for the tray, at most one per account at a time."""

    def __init__(self, on_signed_in: Callable[[str], object]) -> None:
        self._on_signed_in = on_signed_in
        self._lock = threading.Lock()
        self._states: dict[str, SignInState] = {}
        self._cancels: dict[str, threading.Event] = {}

    def start(self, account: Account, device: bool = False) -> SignInState:
        """Begin a sign-in (a running one for the account is cancelled first); return once
        the URL or the code is known."""
        self.cancel(account.name)
        cancel = threading.Event()
        ready = threading.Event()
        state = SignInState(account.name, "waiting", started=time.time())
        with self._lock:
            self._states[account.name] = state
            self._cancels[account.name] = cancel

        def update(**changes: Any) -> None:
            with self._lock:
                if self._cancels.get(account.name) is cancel:
                    self._states[account.name] = replace(self._states[account.name], **changes)

        def opened(url: str) -> None:
            update(url=url)
            ready.set()

        def shown(code: DeviceCode) -> None:
            update(user_code=code.user_code, verification_uri=code.verification_uri,
                   verification_uri_complete=code.verification_uri_complete)  # fmt: skip
            ready.set()

        def run() -> None:
            try:
                sign_in(account, device=device, open_browser=opened, show=shown, cancel=cancel)
            except (MailboxError, ConfigError) as err:
                update(state="cancelled" if cancel.is_set() else "failed", detail=str(err))
                ready.set()
                return
            update(state="signed-in", detail="")
            ready.set()
            self._on_signed_in(account.name)

        threading.Thread(target=run, name=f"ndrguard-signin-{account.name}", daemon=True).start()
        ready.wait(START_TIMEOUT)
        return self.status(account.name)

    def status(self, name: str) -> SignInState:
        with self._lock:
            return self._states.get(name) or SignInState(name, "none")

    def cancel(self, name: str) -> None:
        with self._lock:
            event = self._cancels.pop(name, None)
            old = self._states.get(name)
            if old is not None and old.state == "waiting":
                self._states[name] = replace(old, state="cancelled", detail="cancelled")
        if event is not None:
            event.set()
