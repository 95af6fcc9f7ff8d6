"""ndrguard's core: bytes in, facts and verdicts out. No network, no Qt, no disk.

    >>> from ndrguard import recognise_bytes
    >>> recognise_bytes(b"From: a@example.org\\nSubject: hi\\n\\nhello\\n").kind
    <Kind.OTHER: 'other'>
"""

from ndrguard.mail import Limits, Mail, parse
from ndrguard.recognise import recognise, recognise_bytes
from ndrguard.report import Kind, Original, Recipient, Report, Shape

__version__ = "0.1.0"

__all__ = [
    "Kind",
    "Limits",
    "Mail",
    "Original",
    "Recipient",
    "Report",
    "Shape",
    "parse",
    "recognise",
    "recognise_bytes",
]
