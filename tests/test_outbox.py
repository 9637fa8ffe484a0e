"""How a failed send counts: give up, retry later, or use an attempt."""

import smtplib

import pytest

from mailbot.outbox import verdict
from mailbot.senders import NotAccepted


@pytest.mark.parametrize("exc, kind", [
    (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such user")}), "permanent"),
    (smtplib.SMTPRecipientsRefused({"a@x": (450, b"greylisted"), "b@x": (550, b"no")}), "transient"),
    (smtplib.SMTPDataError(554, b"content rejected"), "permanent"),
    (smtplib.SMTPSenderRefused(451, b"try later", "<>"), "transient"),
    (NotAccepted(552, "too big"), "permanent"),
    (NotAccepted(421, "closing"), "transient"),
    (NotAccepted(0, "connection lost before the end of data"), "attempt"),
    (ConnectionRefusedError(111, "refused"), "transient"),
    (smtplib.SMTPServerDisconnected("gone"), "transient"),
    (TimeoutError("timed out"), "transient"),
    (ValueError("something else"), "attempt"),
])
def test_verdict(exc, kind):
    assert verdict(exc) == kind
