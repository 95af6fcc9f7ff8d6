"""The operations of the local API, on top of the running service (docs/api.md lists them).

Each operation checks its arguments, does its work through the service's own modules (state,
journal, accounts) and returns plain JSON values; every failure a user can meet becomes an
ApiError with words for them. The event feed is told about what an operation changed, so
that every subscribed client (not just the one that asked) sees it at once.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ndrguard import __version__
from ndrguard.errors import NdrguardError
from ndrguard.judge import JudgeContext, judge
from ndrguard.service.api.message_view import text_view
from ndrguard.service.api.protocol import VERSION, ActionFailed, BadRequest, NotFound, WorkerState
from ndrguard.service.api.queries import Queries
from ndrguard.service.api.settings_ops import SettingsOperations
from ndrguard.service.engine.daemon import Service
from ndrguard.service.mailboxes.base import Mailbox, MailboxError
from ndrguard.service.oauth.flow import SignIns
from ndrguard.service.settings.config import Account, ConfigError, load
from ndrguard.service.store import locate
from ndrguard.service.store.state import StateError, VerdictRow, VerdictState

ATTENTION_WINDOW = 86400.0  # undecided bounces of the last day ask for the user's eye
FACTS_CACHE = 5000
RECOUNT = 60.0  # the one-day window slides: counted again this often without any commit


@dataclass(frozen=True, slots=True)
class StoredCounts:
    """The parts of the status that live in the state database (see `tick`)."""

    undecided_recent: int
    rejudge_offered: dict[str, dict[str, object]]
    at: float  # when counted (epoch s)


@dataclass(frozen=True, slots=True)
class PauseEnd:
    until: float  # epoch s
    accounts: list[str] | None  # None: every account


class ServiceOperations:
    def __init__(
        self,
        service: Service,
        queries: Queries,
        changed: Callable[[list[int]], None],
    ) -> None:
        self.service = service
        self.state = service.state
        self.queries = queries
        self._changed = changed
        self._facts: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._pause_lock = threading.Lock()  # pause, resume and a pause's end, one at a time
        self._pause_end = _stored_pause_end(self.state.paused_until())
        self._ending: threading.Thread | None = None
        self._counts = self._count()
        # A sign-in that ends well wakes the account's worker: it leaves "signin-needed".
        self.signins = SignIns(lambda name: service.scan_now([name]))
        self.settings = SettingsOperations(service)
        self._ops: dict[str, Callable[[dict[str, Any]], Any]] = {
            "hello": self.hello,
            "status": lambda _args: self.snapshot(),
            "verdicts": self.verdicts,
            "details": self.details,
            "message": self.message,
            "summary": self.summary,
            "pause": self.pause,
            "resume": self.resume,
            "scan": self.scan,
            "rejudge": self.rejudge,
            "restore": self.restore,
            "mark_legit": self.mark_legit,
            "quarantine": self.quarantine,
            "reload": self.reload,
            "test_account": self.test_account,
            "peer_certificate": self.peer_certificate,
            "signin": self.signin,
            "signin_status": lambda args: self.signins.status(str(args["account"])).to_json(),
            "signin_cancel": self.signin_cancel,
            **self.settings.table(),
        }

    def call(self, op: str, args: dict[str, Any]) -> Any:
        handler = self._ops.get(op)
        if handler is None:
            raise BadRequest(f"unknown operation {op!r}; known: {', '.join(sorted(self._ops))}")
        try:
            return handler(args)
        except NdrguardError as err:
            # The user's error keeps its title ("Login failed", "Configuration error") on its
            # way to the tray: one error tree, shown one way (ndrguard/errors.py).
            raise ActionFailed.wrapping(err) from err
        except (KeyError, TypeError, ValueError) as err:
            raise BadRequest(f"{op}: bad arguments: {err}") from err

    # -- reading ---------------------------------------------------------------------------

    def hello(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "api": VERSION,
            "version": __version__,
            "pid": os.getpid(),
            "started": self.service.started,
        }

    def snapshot(self) -> dict[str, Any]:
        """The status of the service and of every account (also what subscribers get first),
        from memory alone: the database may be held for up to 30 s by a writer in another
        process, and a status that waits for it makes the tray and `ndrguard status` hang.
        What lives in the database is counted on the event feed's ticker (`tick`)."""
        end = self._pause_end
        counts = self._counts
        accounts = self.service.account_states()
        error = self.service.config_error
        trouble = any(WorkerState(a["state"]).is_trouble for a in accounts)
        # Undecided bounces are work to review (undecided_recent), not a fault: no attention.
        attention = bool(error) or trouble
        names = {a.name for a in self.service.config.accounts}
        return {
            "pid": os.getpid(),
            "config_file": str(self.service.config.path),
            "config_error": error,
            "accounts": accounts,
            "paused": bool(names) and names <= self.service.paused,
            # When a pause for a while ends (epoch s), or None: paused until resumed.
            "paused_until": end.until if end is not None and self.service.paused else None,
            "undecided_recent": counts.undecided_recent,
            "attention": attention,
            # Accounts whose policy changed since messages were judged: the tray offers
            # `rejudge` for them (account -> {"policy": now, "messages": n}).
            "rejudge_offered": counts.rejudge_offered,
        }

    def tick(self, committed: bool) -> None:
        """The event feed's turn, twice a second on its own thread: the database-held parts
        of the status counted again after a commit (`committed`) or once the window has slid,
        and a pause for a while ended when its end has come (on a thread of its own: resuming
        starts workers, which must not hold up the events)."""
        if committed or time.time() - self._counts.at >= RECOUNT:
            self._counts = self._count()
        end = self._pause_end
        due = end is not None and end.until <= time.time()
        if due and (self._ending is None or not self._ending.is_alive()):
            self._ending = threading.Thread(
                target=self._end_pause, name="ndrguard-pause-end", daemon=True
            )
            self._ending.start()

    def _count(self) -> StoredCounts:
        now = time.time()
        return StoredCounts(
            self.queries.undecided_recent(now - ATTENTION_WINDOW),
            self.service.rejudge_offered(),
            now,
        )

    def verdicts(self, args: dict[str, Any]) -> dict[str, Any]:
        limit = int(args.get("limit", 100))
        items = self.queries.verdicts(
            account=args.get("account"),
            states=_strings(args.get("states")),
            verdicts=_strings(args.get("verdicts")),
            before=_opt_int(args.get("before")),
            since=float(args.get("since", 0.0)),
            until=None if args.get("until") is None else float(args["until"]),
            search=str(args["search"]) if args.get("search") else None,
            limit=limit,
        )
        if args.get("details"):
            found = self.facts_for([int(i["id"]) for i in items])
            for item in items:
                item["details"] = found.get(int(item["id"]))
        more = len(items) == limit and bool(items)
        return {"items": items, "next_before": items[-1]["id"] if more else None}

    def details(self, args: dict[str, Any]) -> dict[str, Any]:
        ids = [int(i) for i in args["ids"]]
        return {str(k): v for k, v in self.facts_for(ids).items()}

    def facts_for(self, ids: list[int]) -> dict[int, dict[str, Any] | None]:
        """Report facts per verdict: as stored with it, or for verdicts stored before the
        service kept them, read from the message once and remembered."""
        out: dict[int, dict[str, Any] | None] = {i: self._facts.get(i) for i in ids}
        missing = [i for i, f in out.items() if f is None]
        unread = []
        for row in self.state.verdicts(ids=missing, limit=len(missing)):
            if row.facts is not None:
                out[row.id] = row.facts
            else:
                unread.append(row)
        for vid, raw in self._read(unread).items():
            found = judge(raw, JudgeContext()).facts
            if found is not None:
                self._facts[vid] = found
            out[vid] = found
        while len(self._facts) > FACTS_CACHE:
            self._facts.popitem(last=False)
        return out

    def message(self, args: dict[str, Any]) -> dict[str, Any]:
        row = self._row(int(args["id"]))
        raw = self._read([row]).get(row.id)
        if raw is None:
            raise NotFound(f"message {row.id} is no longer in {row.account}")
        return {"id": row.id, **text_view(raw)}

    def summary(self, args: dict[str, Any]) -> dict[str, Any]:
        days = max(1, min(int(args.get("days", 14)), 366))
        per_day = self.queries.per_day(days, args.get("account"))
        totals: dict[str, int] = {}
        for day in per_day:
            for name, n in day["counts"].items():
                totals[name] = totals.get(name, 0) + n
        return {"days": per_day, "totals": totals}

    # -- acting ----------------------------------------------------------------------------

    def pause(self, args: dict[str, Any]) -> dict[str, Any]:
        """Pause `accounts` (default all) until `resume`, or until `until` (epoch s) when
        given: the tray's "pause for an hour / until tomorrow". The end is kept in the state
        database, so a restart in between still resumes on time."""
        until = args.get("until")
        if until is not None:
            until = float(until)
            if until <= time.time():
                raise BadRequest(f"pause: until ({until:.0f}) is not in the future")
        names = _strings(args.get("accounts"))
        with self._pause_lock:
            # The end first: the event feed, polling meanwhile, never sees a pause for a
            # while without its end (it would tell "paused until resumed").
            self.state.set_paused_until(
                None if until is None else json.dumps({"until": until, "accounts": names})
            )
            self._pause_end = None if until is None else PauseEnd(until, names)
            self.service.pause(names)
        return self.snapshot()

    def resume(self, args: dict[str, Any]) -> dict[str, Any]:
        with self._pause_lock:
            self.service.resume(_strings(args.get("accounts")))
            self.state.set_paused_until(None)
            self._pause_end = None
        return self.snapshot()

    def _end_pause(self) -> None:
        """A pause for a while whose end has come is ended (within half a second: `tick`)."""
        with self._pause_lock:
            end = self._pause_end
            if end is None or end.until > time.time():
                return  # resumed, or paused anew, meanwhile
            self.state.set_paused_until(None)
            self._pause_end = None
            try:
                self.service.resume(end.accounts)
            except (KeyError, ValueError):  # an account removed meanwhile: resume the rest
                self.service.resume(None)

    def scan(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"scanning": self.service.scan_now(_strings(args.get("accounts")))}

    def rejudge(self, args: dict[str, Any]) -> dict[str, Any]:
        """Judge again under the current policy (after a change: `rejudge_offered` in the
        status); each account's pass as `scan --json` shows one."""
        since = args.get("since")
        try:
            done = self.service.rejudge(
                _strings(args.get("accounts")), None if since is None else float(since)
            )
        except NdrguardError as err:
            raise ActionFailed.wrapping(err) from err
        self._changed([])
        return {"accounts": [r.to_json(name, False) for name, r in done.items()]}

    def restore(self, args: dict[str, Any]) -> dict[str, Any]:
        rows = [self._row(int(i)) for i in args["ids"]]
        done, failed = self.service.restore(rows)
        self._changed(done)
        return {
            "restored": done,
            "failed": {str(k): v for k, v in failed.items()},
            "items": self.queries.by_ids([r.id for r in rows]),
        }

    def mark_legit(self, args: dict[str, Any]) -> dict[str, Any]:
        """The user says these bounces are real: remember that, and put them back."""
        rows = [self._row(int(i)) for i in args["ids"]]
        done, failed = self.service.mark_legit(rows)
        self._changed([r.id for r in rows])
        return {
            "marked": [r.id for r in rows],
            "restored": done,
            "failed": {str(k): v for k, v in failed.items()},
            "items": self.queries.by_ids([r.id for r in rows]),
        }

    def quarantine(self, args: dict[str, Any]) -> dict[str, Any]:
        """Undo of restore or mark_legit: `was` {id: [verdict, reason, state]} (what the
        verdicts said before a mark_legit; state may be left out) sets the user's word back;
        restored messages go back to quarantine, journalled, and one that was waiting to be
        moved waits again: its account's worker is woken to move it."""
        rows = [self._row(int(i)) for i in args["ids"]]
        unmarked = []
        waiting_again = set()
        for key, value in dict(args.get("was") or {}).items():
            if not isinstance(value, list) or len(value) not in (2, 3):
                raise BadRequest(
                    f"was[{key}] must be [verdict, reason] or [verdict, reason, state]"
                )
            verdict, reason, *before = value
            try:
                if not self.state.unmark_legit(
                    int(key), str(verdict), str(reason), str(before[0]) if before else None
                ):
                    continue
            except StateError as err:
                raise BadRequest(str(err)) from err
            unmarked.append(int(key))
            now = self.state.verdict(int(key))  # only an unmarked one can be waiting again
            if now is not None and now.state is VerdictState.QUARANTINE_PENDING:
                waiting_again.add(now.account)
        done, failed = self.service.requarantine(rows)  # refuses, saying why, what is not restored
        if waiting_again:
            self.service.scan_now(sorted(waiting_again))
        self._changed([r.id for r in rows])
        return {
            "quarantined": done,
            "unmarked": unmarked,
            "failed": {str(k): v for k, v in failed.items()},
            "items": self.queries.by_ids([r.id for r in rows]),
        }

    def signin(self, args: dict[str, Any]) -> dict[str, Any]:
        """Start an OAuth sign-in: the answer has the `url` the tray opens in the browser (or,
        with `device`, the `user_code` and `verification_uri` to show); `signin_status`
        tells when it ended."""
        account = self.service.config.account(str(args["account"]))
        return self.signins.start(account, device=bool(args.get("device"))).to_json()

    def signin_cancel(self, args: dict[str, Any]) -> dict[str, Any]:
        self.signins.cancel(str(args["account"]))
        return self.signins.status(str(args["account"])).to_json()

    def reload(self, _args: dict[str, Any]) -> dict[str, Any]:
        path = self.service.config.path
        try:
            config = load(path)
        except ConfigError as err:
            self.service.broken(err)
            failed = ActionFailed.wrapping(err)
            failed.message += " (the running config stays in force)"
            raise failed from err
        self.service.apply(config)
        self._counts = self._count()  # a policy changed in the file changes rejudge_offered
        return self.snapshot()

    def test_account(self, args: dict[str, Any]) -> dict[str, Any]:
        """Log in and say what the server supports; `name` of a configured account, or an
        `account` table as the config file would hold it (the settings window's test)."""
        account = self._account_for_test(args)
        if account.maildir is not None:
            ok = (account.maildir / "cur").is_dir()
            return {
                "ok": ok,
                "kind": "maildir",
                "capabilities": [],
                "sent_folder": None,
                "message": f"{'a Maildir' if ok else 'not a Maildir'} at {account.maildir}",
            }
        from ndrguard.service.mailboxes.imap import INTERACTIVE_TIMEOUT, ImapMailbox
        from ndrguard.service.settings.secrets import get_secret

        try:
            if account.oauth is not None:
                from ndrguard.service.oauth.login import connect

                box = connect(account)
            else:
                # An edited account keeps its stored password until a new one is typed.
                named = "name" in args
                stored = self.service.config.account(str(args["name"])) if named else account
                password = args.get("password") or get_secret(stored)
                box = ImapMailbox.connect(
                    account, str(password), connect_timeout=INTERACTIVE_TIMEOUT
                )
        except MailboxError as err:
            return {
                "ok": False,
                "kind": "imap",
                "capabilities": [],
                "sent_folder": None,
                "message": err.shown(),
            }
        try:
            caps, sent = sorted(box.caps), box.special_folder("\\Sent")
        finally:
            box.close()
        return {
            "ok": True,
            "kind": "imap",
            "capabilities": caps,
            "sent_folder": sent,
            "message": f"logged in as {account.username}",
        }

    def peer_certificate(self, args: dict[str, Any]) -> dict[str, str]:
        """The server's certificate unverified (fingerprint, PEM), for the user to see before
        trusting it by `tls_fingerprint`: the settings window's "Trust this certificate"."""
        from ndrguard.service.mailboxes.imap import peer_certificate

        security = str(args.get("security", "tls"))
        if security not in ("tls", "starttls"):
            raise BadRequest("security must be tls or starttls to have a certificate")
        return peer_certificate(str(args["host"]), int(args["port"]), security)

    def _account_for_test(self, args: dict[str, Any]) -> Account:
        """A configured account (`name` alone), or the account a Save of the same arguments
        would store (`account`, or `name` with `changes`): the settings window's Test."""
        if "account" not in args and "changes" not in args:
            return self.service.config.account(str(args["name"]))
        return self.settings.plan(args).account

    # -- helpers ---------------------------------------------------------------------------

    def _row(self, verdict_id: int) -> VerdictRow:
        row = self.state.verdict(verdict_id)
        if row is None:
            raise NotFound(f"there is no message with id {verdict_id}")
        return row

    def _read(self, rows: list[VerdictRow]) -> dict[int, bytes]:
        """The raw messages of `rows`, from wherever each is now, read by each account's
        worker (daemon.Service.on_mailbox)."""
        out: dict[int, bytes] = {}
        by_account: dict[str, list[int]] = {}
        for row in rows:
            if row.state is not VerdictState.GONE:
                by_account.setdefault(row.account, []).append(row.id)
        for name, ids in by_account.items():
            try:
                found = self.service.on_mailbox(name, functools.partial(self._fetch, ids=ids))
                out.update(found)
            except ConfigError:
                continue  # the account was removed; its old verdicts stay listed
        return out

    def _fetch(self, mailbox: Mailbox, ids: list[int]) -> dict[int, bytes]:
        """Each verdict is looked up when its worker gets to it (a restore just before may
        have moved its message), and its place checked as a move checks it (store/locate.py):
        after a renamed or recreated folder the old UID names another message, which must not
        be shown as this one."""
        out = {}
        rows = self.state.verdicts(ids=ids, limit=len(ids))
        held = [r for r in rows if r.state is VerdictState.QUARANTINED and r.quarantine_folder]
        rest = [r for r in rows if r not in held]
        places = {
            **locate.resolve(mailbox, held, locate.RESTORE),
            **locate.resolve(mailbox, rest, locate.QUARANTINE),
        }
        for row in rows:
            place = places.get(row.id)
            if place is not None:
                raw = mailbox.fetch(place.folder, [place.uid]).get(place.uid)
                if raw is not None:
                    out[row.id] = raw
        return out


def _stored_pause_end(raw: str | None) -> PauseEnd | None:
    """The end of a pause for a while as `pause` stored it (kept across restarts); an
    unreadable one is no end (the pause then lasts until resumed, as the tray will show)."""
    if raw is None:
        return None
    try:
        stored = json.loads(raw)
        return PauseEnd(float(stored["until"]), _strings(stored.get("accounts")))
    except (ValueError, KeyError, TypeError, BadRequest):
        return None


def _strings(value: object) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRequest("expected a string or a list of strings")
    return value


def _opt_int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]
