"""The index of tests/data/mta/: which program (and exact Debian package version) wrote each file.

Two generators write into that directory: tests/mta/make_mta_mail.py (the host's Exim and
Dovecot) and tests/mta/make_root_mail.py (MTAs in their own Debian roots). Each replaces only
the rows of the files it owns, so regenerating one program's mail leaves the others' rows
alone. manifest.tsv is what the tests read; README.md is the same table for people, plus what
each program is known to write.
"""

from __future__ import annotations

import csv
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from tests.support.mta_mail import Sample

MANIFEST = "manifest.tsv"


@dataclass(frozen=True, slots=True)
class Row:
    file: str
    kind: str
    shape: str  # "-" for look-alikes
    package: str  # the Debian package whose program wrote the file
    version: str  # its exact Debian version
    written_by: str  # program, version and role
    generator: str  # the script that captured it
    situation: str


COLUMNS = tuple(f.name for f in fields(Row))


def host_package_version(package: str) -> str:
    """The installed Debian version of `package` on this host ("" when not installed)."""
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return proc.stdout.strip() if proc.returncode == 0 else ""


def rows_for(samples: Iterable[Sample], generator: str, versions: dict[str, str]) -> list[Row]:
    """Manifest rows for freshly generated samples; `versions` maps package -> version."""
    return [
        Row(
            s.filename,
            s.kind,
            s.shape or "-",
            s.package,
            versions[s.package],
            s.writer,
            generator,
            s.what,
        )
        for s in samples
    ]


def read_manifest(directory: Path) -> list[Row]:
    path = directory / MANIFEST
    if not path.exists():
        return []
    with path.open(newline="") as f:
        reader = csv.reader(f, delimiter="\t")
        header = next(reader)
        if tuple(header) != COLUMNS:
            raise ValueError(f"{path}: columns {header}, expected {COLUMNS}")
        return [Row(*line) for line in reader if line]


def update_index(directory: Path, rows: list[Row], owns: Callable[[str], object]) -> list[Path]:
    """Replace the rows of files `owns` claims by `rows`; rewrite manifest.tsv and README.md."""
    kept = [r for r in read_manifest(directory) if not owns(r.file)]
    merged = sorted(kept + rows, key=lambda r: r.file)
    manifest = directory / MANIFEST
    with manifest.open("w", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(astuple(r) for r in merged)
    readme = directory / "README.md"
    readme.write_text(render_readme(merged))
    return [manifest, readme]


HEADER = """# Real MTA output for the recogniser tests

Every file here was written by a real program from Debian, delivered into the user's
(alice@example.test) Maildir and committed as it arrived (LF line ends): dates, queue ids,
ports and boundaries are real and change on every regeneration; the structure does not.
`manifest.tsv` names, per file, the Debian package and exact version that wrote it and the
script that captured it:

- `python -m tests.mta.make_mta_mail`: the host's Exim 4 instances and Dovecot/Pigeonhole on
  loopback (tests/support/mta_mail.py).
- `python -m tests.mta.make_root_mail [postfix ...]`: MTAs that conflict with Exim (Postfix,
  OpenSMTPD, Sendmail, Courier), each in its own `debootstrap --variant=minbase` root
  (tests/support/mta_roots.py, built by `python -m tests.mta.make_roots`, kept outside the
  repository), run chrooted on loopback with the host's Exim playing the remote servers
  (tests/support/root_mail.py, tests/support/chroot_mta.py); and the amavisd-new content
  filter in a root of its own, notifying through the host's Exim
  (tests/support/amavis_lab.py); likewise the mlmmj list manager
  (tests/support/mlmmj_lab.py); and the send-only mailers nullmailer and dma, each in its
  root, with the host's Exim as their smarthost (tests/support/smarthost_lab.py); and the
  auto-responders vacation(1) and maildrop's mailbot(1), run for the recipient as his
  delivery filter would, answering through dma (tests/support/responder_lab.py).

Neither runs in CI: the tests read the committed files (tests/mta/test_sample_files.py,
tests/mta/test_sample_kinds.py).

| file | kind | shape | package version | written by | situation |
| --- | --- | --- | --- | --- | --- |
"""

NOTES = """
What the programs really write, and a recogniser must expect:

- Exim 4.96: `Status: 5.0.0` (4.0.0 in warnings) whatever enhanced code the remote gave;
  the remote's `550 5.1.1` survives only in `Diagnostic-Code` and the text part.
  `Auto-Submitted: auto-replied` on bounces and delay warnings, `auto-generated` on success
  DSNs; `X-Failed-Recipients` on failures only. `Action: delivered` also when it only relayed
  to a server without DSN (the text says "relayed to non-DSN-aware mailer"). Over
  `bounce_return_size_limit` the original comes back as headers only, with
  `X-Exim-DSN-Information: Due to administrative limits only headers are returned`.
  Errors in local submission (`sendmail -t -oee`) come as plain text, no report part:
  "Mail failure - no recipient addresses / malformed recipient address / too many
  recipients / rejected by local scanning code" (the last also for an `acl_not_smtp`
  refusal), from `Mail Delivery System <Mailer-Daemon@...>`, with "------ This is a copy of
  your message, including all the headers. ------" (empty for too many recipients).
- Postfix 3.7: `From: Mail Delivery System <MAILER-DAEMON@...>`, subjects "Undelivered Mail
  Returned to Sender", "Delayed Mail (still being retried)", "Successful Mail Delivery
  Report"; `X-Postfix-Queue-ID`/`X-Postfix-Sender` in the per-message fields. A message that
  expired in the queue keeps its temporary status: `Action: failed` with `Status: 4.4.1`.
  Local delivery errors carry `Diagnostic-Code: x-unix; ...` (a full mailbox is
  "input/output error", the text part says "File too large"). RET=HDRS and success DSNs
  return the original's headers as `text/rfc822-headers`. A refusal by Dovecot's LMTP
  (unknown user at RCPT, over quota at end of DATA) is an ordinary Postfix bounce quoting
  "host 127.0.0.1[127.0.0.1] said: 552 5.2.2 ...".
- OpenSMTPD 6.8: `multipart/mixed` (not multipart/report) around a `message/delivery-status`
  part, subjects "Delivery status notification: failed / delayed / success"; `Status: 5.0.0`
  whatever the remote said; no Return-Path on local delivery. RET=HDRS is ignored: headers
  *and body* of the original come back in a part labelled `text/rfc822-headers`. An expired
  envelope (dropped from the queue) is reported as "delayed for more than 0 seconds ...
  Envelope expired", `Action: delayed`, `Status: 4.4.7`, next to an ordinary warning.
  Unroutable domains are not in its samples: without DNS its resolver only tempfails.
- Sendmail 8.17: `From: Mail Delivery Subsystem <MAILER-DAEMON>` (no domain), subjects
  "Returned mail: see transcript for details" and "Warning: could not send message for past
  2 seconds"; the text part quotes the SMTP transcript; `X-Actual-Recipient` per recipient;
  no `Auto-Submitted`. An expired message is `Action: failed` with `Status: 4.4.7`. The delay
  warning returns the whole original (`message/rfc822`), a size refusal only its headers.
  mail.local writes `Return-Path: <MAILER-DAEMON>` and no delivery header.
- Dovecot 2.3 dovecot-lda: a Sieve `reject` is an RFC 8098 MDN
  (`Disposition: automatic-action/MDN-sent-automatically; deleted`) with the subject
  "Rejected: ..." and `Auto-Submitted: auto-replied (rejected)`; over quota it writes a
  `message/delivery-status` DSN instead (`Status: 5.2.2`). Both return the original's
  headers only, inside a part labelled `message/rfc822`.
- mlmmj 1.3: every notice is plain `multipart/mixed` or text from the list's own address
  (`From: <list>+owner@...`, envelope sender `<list>+bounces-help@...` or `<list>+owner@...`,
  never null), no `Auto-Submitted`, no `Precedence`, no `List-Id`. A denied post ("Post to
  <list> denied: <subject>", "was unable to be delivered to the list because ...") and a held
  one ("Awaiting release to <list>: <subject>") carry the post whole as `message/rfc822`.
  mlmmj sends nothing back to a poster when list mail bounces: its VERP bounce handling
  (mlmmj-bounce) only counts the subscriber's bounces and later probes her address
  ("Bouncing messages from <list>").
- nullmailer 2.2 (nullmailer-dsn): `From: Message Delivery Subsystem <MAILER-DAEMON@...>`,
  subject "Returned mail: Could not send message", a multipart/report with
  `Reporting-MTA: x-local-hostname; ...` and the smarthost's reply as `Diagnostic-Code:
  SMTP; ...` (`Status` is the reply's enhanced code, else 5.0.0; "Connect failed" when the
  queue lifetime ran out). At the first refused recipient the whole message fails: every
  recipient is reported failed with the first refusal's words. The original comes back as
  headers (plus `bouncelines` lines of body) inside `message/rfc822`. No Auto-Submitted.
- dma 0.13: plain text from `MAILER-DAEMON <>` (an empty address in From), subject "Mail
  delivery failed", one notice per refused recipient, `X-Original-To: <recipient>` in the
  header; "There was an error delivering your mail to <...>", the smarthost's words ("HOST
  [IP] did not like our RCPT TO:" / "final DATA:") or "Could not deliver for the last 432000
  seconds. Giving up.", then "Message headers follow." (or with FULLBOUNCE "Original
  message follows.") and the original inline. No Auto-Submitted, no report part.
- vacation 3.3: the user's ~/.vacation.msg (the one its set-up writes: "Subject: away from
  my mail", "I will not be reading my mail for a while. Your mail concerning "..." will be
  read when I return.") sent with only `To:` added: no Auto-Submitted, no In-Reply-To, no
  Precedence unless the user wrote one, the user's own envelope sender.
- maildrop 2.9 mailbot: `Auto-Submitted: auto-replied`, `Precedence: junk`, In-Reply-To and
  References, the sender's text quoted under "NAME writes:". `-M` sends the same answer as a
  multipart/report (`Action: delivered`, `Status: 2.0.0`, headers as text/rfc822-headers);
  `-T replyfeedback` as an RFC 5965 report with no Feedback-Type field.

Not generated, and why: qmail/notqmail are not packaged in Debian 12; Sendmail wrote no
success DSN for NOTIFY=SUCCESS in this set-up (cause not found); Courier's root builds, but
chrooted its courierd started only the dsn module (no courieresmtp/courierlocal, and no
syslog to say why); Mailman and Sympa are not done yet.
"""


def render_readme(rows: list[Row]) -> str:
    table = "".join(
        f"| {r.file} | {r.kind} | {r.shape} | {r.package} {r.version} | {r.written_by} "
        f"| {r.situation} |\n"
        for r in rows
    )
    return HEADER + table + NOTES
