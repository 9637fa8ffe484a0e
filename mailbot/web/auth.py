"""Who may use the review app: argon2 password hashes, a session per login, CSRF on every POST,
and a lockout after repeated failures.

The session is Flask's signed cookie (HttpOnly, SameSite=Lax, Secure behind https); it holds the
user's name, checked against the store on every request, so disabling someone takes effect at
their next click. The CSRF token lives in the session and must come back with every POST, as a
form field or, for htmx, as the X-CSRF-Token header.
"""

from __future__ import annotations

import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD = 10
_HASHER = PasswordHasher()
# A hash to verify against when the name is unknown, so both cases take the same time.
_DUMMY = _HASHER.hash(secrets.token_hex(16))


class PasswordError(ValueError):
    """A password that may not be used."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise PasswordError(f"a password needs at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def check_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """(right, a new hash when the stored one uses old parameters)."""
    try:
        _HASHER.verify(stored_hash or _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if stored_hash is None:
        return False, None
    return True, (_HASHER.hash(password) if _HASHER.check_needs_rehash(stored_hash) else None)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))
