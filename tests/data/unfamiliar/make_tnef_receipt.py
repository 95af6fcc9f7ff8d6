"""Writes receipt-outlook-tnef-only.eml: an Outlook read receipt carried only inside TNEF.

    python tests/data/unfamiliar/make_tnef_receipt.py

The TNEF stream is built from [MS-OXTNEF]: the signature 0x223E9F78, a legacy key, then
message-level attributes (attTnefVersion, attOEMCodepage, attMessageClass = the read
notification class REPORT.IPM.Note.IPNRN of [MS-OXOMSG] 2.2.1.1, attSubject), each as level,
id, length, data and a 16-bit checksum of the data. The mail around it is what Outlook sends
when it writes "rich text" receipts to the Internet: a plain-looking multipart/mixed with no
Content-Class, no MDN part and no Auto-Submitted, whose only receipt sign is the TNEF class.
"""

from __future__ import annotations

import base64
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent


def attribute(aid: int, data: bytes) -> bytes:
    """One message-level TNEF attribute ([MS-OXTNEF] 2.1.3.3)."""
    return struct.pack("<BII", 1, aid, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def tnef() -> bytes:
    return b"".join(
        (
            struct.pack("<IH", 0x223E9F78, 0x0E01),
            attribute(0x00089006, struct.pack("<I", 0x00010000)),  # attTnefVersion
            attribute(0x00069007, struct.pack("<II", 1252, 0)),  # attOEMCodepage
            attribute(0x00078008, b"REPORT.IPM.Note.IPNRN\0"),  # attMessageClass
            attribute(0x00018004, b"Read: Quarterly figures\0"),  # attSubject
        )
    )


def message() -> bytes:
    blob = base64.encodebytes(tnef()).decode("ascii")
    return (
        "Received: from EX01.example.net ([198.51.100.80])\n"
        "\tby mail.example.com with ESMTPS id 5Cu33Is; Wed, 19 Mar 2025 14:00:04 +0100\n"
        "From: Bob <bob@example.net>\n"
        "To: Alice <alice@example.com>\n"
        "Subject: Quarterly figures\n"
        "Date: Wed, 19 Mar 2025 14:00:03 +0100\n"
        "Message-ID: <tnef-receipt-1@EX01.example.net>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="tnef-1"\n'
        "X-MS-Has-Attach:\n"
        "X-MS-TNEF-Correlator: <tnef-receipt-1@EX01.example.net>\n"
        "\n"
        "--tnef-1\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        "\n"
        "--tnef-1\n"
        'Content-Type: application/ms-tnef; name="winmail.dat"\n'
        "Content-Transfer-Encoding: base64\n"
        'Content-Disposition: attachment; filename="winmail.dat"\n'
        "\n" + blob + "--tnef-1--\n"
    ).encode("ascii")


if __name__ == "__main__":
    (HERE / "receipt-outlook-tnef-only.eml").write_bytes(message())
