"""Recognisers for messages that travel like bounces but are not: feedback, receipts, replies.

STRUCTURED run first of all, before the RFC 3464 reader: their MIME types (message/feedback-report,
message/disposition-notification, report-type=tlsrpt) or RFC-prescribed subjects and file names
(DMARC reports) say what they are, and an ARF report's attached original must not be mistaken
for a returned one. DMARC comes after ARF, which carries most DMARC failure reports.

TEXT run after every bounce recogniser, since bounces carry Auto-Submitted: auto-replied and
talk about held and returned messages too. Challenge-response goes before auto-reply because a
challenge is an auto-reply that asks for something, and the specific answer wins.
"""

from __future__ import annotations

from types import ModuleType

from ndrguard.recognisers.lookalikes import autoreply, challenge, dmarc, feedback, receipt

STRUCTURED: tuple[ModuleType, ...] = (feedback, dmarc, receipt)
TEXT: tuple[ModuleType, ...] = (challenge, autoreply)
