"""One recogniser per family of mail software, run in order by `ndrguard.recognise`.

Each module exposes NAME and `recognise(mail) -> Report | None`; it answers None when the
message is not of its family. The order goes from the most structured formats to the loosest:
  0. a person's forward of any of these ("Fwd:"), which is ordinary mail (see `forwarded`);
  1. standard look-alike reports (ARF feedback, DMARC and TLS reports, MDN receipts), whose MIME
     type or RFC-prescribed form says what they are;
  2. recognisers of software that must be read before the generic DSN reader, because its
     RFC 3464 part is incomplete or misleading;
  3. RFC 3464 delivery status notifications;
  4. each MTA's and provider's own text format, a list manager's notice about a refused or
     held post (`list_notices`), then a gateway's notice that wraps another server's report
     (read as the report inside, `wrapped`);
  5. text look-alikes (auto-replies, challenge-response), which must come after the bounces
     because bounces also carry Auto-Submitted: auto-replied;
  6. the multilingual fallback that reads plain words.
"""

from __future__ import annotations

from types import ModuleType

from ndrguard.recognisers import (
    dsn,
    forwarded,
    generic,
    list_notices,
    lookalikes,
    mta,
    providers,
    wrapped,
)

ORDER: tuple[ModuleType, ...] = (
    forwarded,
    *lookalikes.STRUCTURED,
    *mta.BEFORE_DSN,
    *providers.BEFORE_DSN,
    dsn,
    *mta.ORDER,
    *providers.ORDER,
    list_notices,
    wrapped,
    *lookalikes.TEXT,
    generic,
)
