"""A person's correction of a reading: each value checked as the extractors would keep it.

The desk types "contract_number=CT-2025-05512" or "effective_date=01/02/2027";
what goes into the case is the same shape the extractors produce (an ISO
date, a list of serials, a five-digit postcode, a plain address, a valid
SIREN), or a clear error naming the field. Meter readings are read from the
message, not typed: they are not correctable here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from stdnum.fr import siren as stdnum_siren

from mailbot.read.addresses import plain

NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9./_ -]{0,38}[A-Za-z0-9]|[A-Za-z0-9]")
DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
CORRECTABLE = ("contract_number", "serial_numbers", "po_number", "customer_number", "effective_date",
               "new_address_postcode", "new_email", "siren", "kbis")


class CorrectionError(ValueError):
    """A value a person typed that the reading cannot take; the message names the field."""


def _number(name: str, text: str) -> str:
    value = " ".join(text.split())
    if not NUMBER.fullmatch(value):
        raise CorrectionError(f"{name}: {text!r} is not a number or reference (letters, digits, . / _ - and "
                              "spaces, at most 40)")
    return value


def _date(name: str, text: str) -> str:
    value = text.strip()
    try:
        if match := DAY_FIRST.fullmatch(value):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day).isoformat()
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise CorrectionError(f"{name}: {text!r} is not a date (2027-02-01 or 01/02/2027)") from None


def parse_value(name: str, text: str) -> Any:
    """The value of field ``name`` from what a person typed; "" clears the field."""
    if name not in CORRECTABLE:
        raise CorrectionError(f"{name}: not a field a person can correct here (one of {', '.join(CORRECTABLE)})")
    if not text.strip():
        return [] if name == "serial_numbers" else False if name == "kbis" else None
    if name == "serial_numbers":
        return [_number(name, part) for part in re.split(r"[,;]", text) if part.strip()]
    if name == "effective_date":
        return _date(name, text)
    if name == "new_address_postcode":
        if not re.fullmatch(r"\d{5}", text.strip()):
            raise CorrectionError(f"{name}: {text!r} is not a French postcode (five digits)")
        return text.strip()
    if name == "new_email":
        address = plain(text.strip())
        if address is None:
            raise CorrectionError(f"{name}: {text!r} is not a plain e-mail address")
        return address
    if name == "siren":
        digits = re.sub(r"\s", "", text)
        if not stdnum_siren.is_valid(digits):
            raise CorrectionError(f"{name}: {text!r} is not a valid SIREN (nine digits, Luhn check)")
        return digits
    if name == "kbis":
        if text.strip().lower() not in ("yes", "no", "oui", "non", "true", "false"):
            raise CorrectionError(f"{name}: {text!r}: say yes or no (is the K-bis extract attached?)")
        return text.strip().lower() in ("yes", "oui", "true")
    return _number(name, text)


def parse_assignments(items: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``["po_number=BC-1", "serial_numbers=A1, B2"]`` as checked values."""
    values: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep:
            raise CorrectionError(f"{item!r}: write FIELD=VALUE (FIELD one of {', '.join(CORRECTABLE)})")
        values[name.strip()] = parse_value(name.strip(), text)
    return values
