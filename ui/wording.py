"""What a notification says, and what it offers to do: sentences for people.

One notification tells a whole burst: how many forged bounces were moved away, how many
nobody could vouch for. A real bounce of the user's own mail is not part of a burst: it is
told at once, on its own, by the subject of the message that failed (what the user
recognises: "Quarterly report" rather than an address), because the user needs to act on it.

Each Note carries its actions (the freedesktop notification buttons; the click on the tray
balloon is the "default" one): Open summary, Review what nobody could vouch for, Undo the
moves it tells of, Sign in again. The words go through QCoreApplication.translate (context
"wording"), which needs no QApplication.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from email.header import decode_header, make_header
from typing import Any

from PySide6.QtCore import QCoreApplication

from ndrguard.service.api.protocol import Outcome

translate = QCoreApplication.translate  # by this name lupdate finds the strings

MOVED = ("quarantine-pending", "quarantined")
REAL_NAMED = 3  # real bounces told one by one; more are counted

# Action keys (the app maps them to what they do: TrayApp.act).
DEFAULT = "default"  # a click on the notification itself
SUMMARY = "summary"
REVIEW = "review"
UNDO = "undo"
SIGNIN = "signin"


def _status_words(status: str) -> str | None:
    """Enhanced status codes (RFC 3463) as a person would say them."""
    if status in ("5.1.1", "5.1.10"):
        return translate("wording", "no such user")
    if status == "5.1.2":
        return translate("wording", "no such domain")
    if status == "5.2.1":
        return translate("wording", "the mailbox is disabled")
    if status in ("5.2.2", "4.2.2"):
        return translate("wording", "the mailbox is full")
    if status in ("5.2.3", "5.3.4"):
        return translate("wording", "the message is too big")
    if status == "5.4.4":
        return translate("wording", "the domain has no mail server")
    if status == "5.7.1":
        return translate("wording", "refused by the recipient's server")
    if status == "5.7.26":
        return translate("wording", "refused: it failed the recipient's authentication checks")
    return None


@dataclass(frozen=True, slots=True)
class Note:
    title: str
    body: str
    urgent: bool  # a real bounce is in it: the user should act
    actions: tuple[tuple[str, str], ...] = ()  # (key, label), DEFAULT first when there is one
    moved: tuple[int, ...] = ()  # verdict ids of the moves it tells of: what Undo moves back
    review: tuple[int, ...] = ()  # verdict ids nobody could vouch for: what Review shows
    account: str = ""  # the account a sign-in note is about

    @property
    def default(self) -> str | None:
        """What a click on the notification (or the tray balloon) does."""
        return next((k for k, _ in self.actions if k == DEFAULT), None)


def count(n: int, one: str, many: str) -> str:
    """The translated template for `n` (one and many are whole sentences, each a static
    literal for lupdate; the caller fills in {n} and the rest)."""
    return one if n == 1 else many


def decoded(text: str) -> str:
    """A header as a person reads it (RFC 2047 encoded words decoded); never raises."""
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # a malformed encoded word: shown as it came
        return text


def why_failed(details: dict[str, Any] | None) -> str:
    """'no such user (bob@example.com)', from a bounce's first recipient."""
    recipients = (details or {}).get("recipients") or []
    if not recipients:
        return translate("wording", "it was not delivered")
    r = recipients[0]
    status = r.get("status") or ""
    words = _status_words(status)
    if words is None:
        diagnostic = (r.get("diagnostic") or "").strip()
        words = (
            diagnostic[:90] + ("…" if len(diagnostic) > 90 else "")
            if diagnostic
            else (translate("wording", "delayed, still being retried") if status.startswith("4")
                  else translate("wording", "refused"))
        )  # fmt: skip
    if r.get("action") == "delayed":
        return translate("wording", "mail to {address} is delayed: {why}").format(
            address=r.get("address"), why=words)
    return translate("wording", "mail to {address} failed: {why}").format(
        address=r.get("address"), why=words)


def subject_of(details: dict[str, Any] | None) -> str | None:
    subject = ((details or {}).get("original") or {}).get("subject")
    return decoded(str(subject)).strip() or None if subject else None


def is_real_kept(item: dict[str, Any]) -> bool:
    """A real bounce of the user's mail left in the inbox: told at once, on its own."""
    return (item.get("verdict") == Outcome.LEGIT and item.get("state") not in MOVED
            and item.get("state") != "monitored")  # fmt: skip


def real_bounce_note(item: dict[str, Any]) -> Note:
    """'Not delivered: "Quarterly report"' with why, for one real bounce."""
    details = item.get("details")
    subject = subject_of(details)
    title = (
        translate("wording", 'Not delivered: "{subject}"').format(subject=subject)
        if subject else translate("wording", "A message you sent was not delivered")
    )  # fmt: skip
    body = why_failed(details) + "."
    if subject is None:
        body = translate("wording", "A message you sent: {why}").format(why=body)
    return Note(title, body, urgent=True, actions=_open_summary())


def _open_summary() -> tuple[tuple[str, str], ...]:
    label = translate("wording", "Open summary")
    return ((DEFAULT, label), (SUMMARY, label))


def signin_note(account: str) -> Note:
    return Note(
        translate("wording", "{account}: sign in again").format(account=account),
        translate("wording", "The sign-in for {account} has expired or was revoked; ndrguard "
                      "cannot watch it until you sign in again. The other accounts are "
                      "still watched.").format(account=account),
        urgent=True,
        actions=((DEFAULT, translate("wording", "Sign in again")),
                 (SIGNIN, translate("wording", "Sign in again"))),
        account=account,
    )  # fmt: skip


def undone_note(restored: int, failed: int) -> Note:
    body = count(restored, translate("wording", "1 message moved back to where it was."),
                 translate("wording", "{n} messages moved back to where they were."))
    body = body.format(n=restored)
    if failed:
        body += " " + count(failed, translate("wording", "1 could not be moved: see the summary."),
                            translate("wording", "{n} could not be moved: see the summary.")
                            ).format(n=failed)
    return Note(translate("wording", "ndrguard: undone"), body, urgent=False,
                actions=((DEFAULT, translate("wording", "Open summary")),))  # fmt: skip


def burst_note(items: Iterable[dict[str, Any]], minutes: float, folder: str) -> Note | None:
    """The notification for the verdicts of one burst, or None when nothing is worth telling.
    Real bounces kept are counted here only when they were not told on their own."""
    forged = undecided = undecided_kept = monitored = real_moved = 0
    moved: list[int] = []
    review: list[int] = []
    real_kept: list[dict[str, Any]] = []
    for item in items:
        verdict, state = item.get("verdict"), item.get("state")
        if verdict == Outcome.NOT_A_BOUNCE:
            continue
        if state in MOVED:
            moved.append(int(item["id"]))
        if state == "monitored":
            monitored += 1
        elif verdict == Outcome.LEGIT and state in MOVED:
            real_moved += 1
        elif verdict == Outcome.LEGIT:
            real_kept.append(item)
        elif verdict == Outcome.BACKSCATTER and state in MOVED:
            forged += 1
        elif verdict == Outcome.UNDECIDED and state in MOVED:
            undecided += 1
            review.append(int(item["id"]))
        elif verdict == Outcome.UNDECIDED and state in ("kept", "held"):
            undecided_kept += 1
            review.append(int(item["id"]))
    mins = max(1, round(minutes))
    span = count(mins, translate("wording", "in the last minute"),
                 translate("wording", "in the last {n} minutes")).format(n=mins)
    parts = []
    if forged:
        parts.append(count(forged, translate("wording", "1 forged bounce moved to {folder} {span}"),
                           translate("wording", "{n} forged bounces moved to {folder} {span}"))
                     .format(n=forged, folder=folder, span=span))  # fmt: skip
    if undecided:
        parts.append(count(
            undecided,
            translate("wording", "1 bounce nobody could vouch for moved to {folder} "
                                 "(see the summary)"),
            translate("wording", "{n} bounces nobody could vouch for moved to {folder} "
                          "(see the summary)"),
        ).format(n=undecided, folder=folder))
    if undecided_kept:
        parts.append(count(
            undecided_kept,
            translate("wording", "1 bounce nobody could vouch for left where it is, to review"),
            translate("wording", "{n} bounces nobody could vouch for left where they are, to "
                                 "review"),
        ).format(n=undecided_kept))
    if monitored:
        parts.append(count(
            monitored,
            translate("wording", "1 bounce found that would be moved (monitor only: nothing "
                                 "was moved)"),
            translate("wording", "{n} bounces found that would be moved (monitor only: nothing was "
                          "moved)"),
        ).format(n=monitored))
    if real_moved:
        parts.append(count(
            real_moved,
            translate("wording", "1 real bounce moved anyway under the block-all policy"),
            translate("wording", "{n} real bounces moved anyway under the block-all policy"),
        ).format(n=real_moved))
    if real_kept:
        named = "; ".join(why_failed(i.get("details")) for i in real_kept[:REAL_NAMED])
        more = len(real_kept) - REAL_NAMED
        parts.append(count(len(real_kept), translate("wording", "1 real bounce kept in your inbox: "
                                                         "{named}"),
                           translate("wording", "{n} real bounces kept in your inbox: {named}"))
                     .format(n=len(real_kept), named=named)
                     + (translate("wording", " (and {n} more)").format(n=more) if more > 0 else ""))
    if not parts:
        return None
    if real_kept:
        title = count(len(real_kept), translate("wording", "A message you sent was not delivered"),
                      translate("wording", "{n} messages you sent were not delivered")
                      ).format(n=len(real_kept))
    elif forged or undecided:
        title = count(forged + undecided, translate("wording", "ndrguard moved 1 bounce away"),
                      translate("wording", "ndrguard moved {n} bounces away")
                      ).format(n=forged + undecided)
    else:
        title = "ndrguard"
    actions = list(_open_summary())
    if review:
        actions.append((REVIEW, translate("wording", "Review")))
    if moved:
        actions.append((UNDO, translate("wording", "Undo last move")))
    return Note(title, "; ".join(parts) + ".", urgent=bool(real_kept), actions=tuple(actions),
                moved=tuple(moved), review=tuple(review))  # fmt: skip
