"""The wire format of the local API: versioned JSON objects, one per message, never pickle.

`multiprocessing.connection` frames the messages and authenticates the peer; this module only
turns dicts into bytes and back, and names the errors a client can meet. Pickle is never used
(`Connection.send`/`recv` unpickle whatever arrives), so a peer can send nothing but data.

Three kinds of message (docs/api.md has the table of operations):

- request  `{"v": 1, "id": 7, "op": "status", "args": {...}}`
- response `{"v": 1, "id": 7, "ok": true, "result": ...}` or
           `{"v": 1, "id": 7, "ok": false, "error": {"code", "title", "message"}}`
- event    `{"v": 1, "event": "verdicts", "data": {...}}` (only on a subscribed connection)
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from ndrguard.errors import NdrguardError

# The API's words for policies, verdicts and actions are the core's own (ndrguard/vocabulary.py,
# which imports nothing); the tray takes them from here, its one door to the service.
from ndrguard.vocabulary import Action as Action
from ndrguard.vocabulary import Outcome as Outcome
from ndrguard.vocabulary import Policy as Policy

VERSION = 1
# The service sends subscribers a heartbeat this often (seconds): a client that hears nothing
# for a few of them knows the service froze, not just went quiet.
HEARTBEAT = 5.0
MAX_MESSAGE = 16 * 1024 * 1024  # a page of verdicts is far smaller; a bigger frame is an attack


class WorkerState(StrEnum):
    """What an account's worker is doing, as `status` reports it: one word each, in the order a
    worker usually goes through them. The service sets these, the CLI and the tray read them."""

    STARTING = "starting"  # configured, its worker not yet reporting
    PAUSED = "paused"  # paused by the user (kept across restarts)
    CONNECTING = "connecting"  # opening the connection and logging in
    CATCHING_UP = "catching-up"  # the first pass: judging what arrived while the service was away
    WATCHING = "watching"  # waiting for news (IDLE, file events or polling; see `watch`)
    # Watching, but evidence that could prove bounces real cannot be read (the Sent folder is
    # missing, DNS does not answer for a DKIM key): such bounces are held where they are.
    EVIDENCE_UNREADABLE = "evidence-unreadable"
    BACKING_OFF = "backing-off"  # a fault; the next attempt is at `until`
    AUTH_FAILED = "auth-failed"  # the server refused the login; retried at the longest interval
    SIGNIN_NEEDED = "signin-needed"  # the OAuth grant is missing, expired or revoked
    CERT_REJECTED = "cert-rejected"  # the certificate did not verify; retried at the longest
    STOPPED = "stopped"

    @property
    def is_trouble(self) -> bool:
        """Whether the user must be told (the tray's attention, `status`'s exit code)."""
        return self in _TROUBLE


_TROUBLE = frozenset(
    (
        WorkerState.EVIDENCE_UNREADABLE,
        WorkerState.BACKING_OFF,
        WorkerState.AUTH_FAILED,
        WorkerState.SIGNIN_NEEDED,
        WorkerState.CERT_REJECTED,
    )
)


class ApiError(NdrguardError):
    """An error the service reports to a client, with words for the user.

    On the wire it is `{"code", "title", "message"}`: the code says which class the client
    raises again, the title and message are the user's words, shown as `title: message`."""

    code = "error"
    title = "The service could not do that"

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, **super().to_json()}

    @classmethod
    def wrapping(cls, err: NdrguardError) -> ApiError:
        """`err` as the client will see it: itself if it is an API error, else this class
        carrying its title and message (a login that failed stays "Login failed", not
        "Action failed")."""
        if isinstance(err, ApiError):
            return err
        wrapped = cls(err.message)
        wrapped.title = err.title
        return wrapped


class BadRequest(ApiError):
    """The request is malformed or names an unknown operation (a client bug)."""

    code = "bad-request"
    title = "Bad request"


class VersionMismatch(ApiError):
    """Client and service speak different versions of the protocol."""

    code = "version"
    title = "ndrguard versions differ"


class NotFound(ApiError):
    """The verdict or account named does not exist."""

    code = "not-found"
    title = "Not found"


class ActionFailed(ApiError):
    """The service tried and failed (mailbox unreachable, folder missing, config broken)."""

    code = "failed"
    title = "Action failed"


class ServiceUnavailable(ApiError):
    """No service is listening, it refused our key, or the connection broke."""

    code = "unavailable"
    title = "The ndrguard service is not running"


class ServiceNotAnswering(ServiceUnavailable):
    """The service accepted the connection but did not answer in time: it runs, stopped
    (SIGSTOP, a debugger) or stuck. Told apart so that a command does not go on as if no
    service ran, and writes beside it."""

    title = "The ndrguard service does not answer"


_BY_CODE = {
    c.code: c
    for c in (ApiError, BadRequest, VersionMismatch, NotFound, ActionFailed, ServiceUnavailable)
}


def error_from_json(data: dict[str, Any]) -> ApiError:
    """The typed error a response carries (an unknown code becomes a plain ApiError)."""
    cls = _BY_CODE.get(str(data.get("code")), ApiError)
    err = cls(str(data.get("message", "")))
    if data.get("title"):
        err.title = str(data["title"])
    return err


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps({"v": VERSION, **message}, separators=(",", ":")).encode()


def decode(data: bytes) -> dict[str, Any]:
    """One message as a dict; BadRequest when it is not a JSON object of our version."""
    try:
        message = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadRequest(f"not JSON: {err}") from err
    if not isinstance(message, dict):
        raise BadRequest("a message must be a JSON object")
    if message.get("v") != VERSION:
        raise VersionMismatch(
            f"this side speaks API version {VERSION}, the other {message.get('v')!r}; "
            "restart the tray app and the service after an upgrade"
        )
    return message
