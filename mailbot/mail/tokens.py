"""OAuth2 access tokens for hosted mailboxes (Microsoft 365, Google): XOAUTH2 instead of a password.

mailbot does not run an OAuth2 flow itself: the token comes from an environment
variable (``token_env``: fine for a run of a few minutes, a token lives about an
hour) or from a command that prints a valid one (``token_command``: the site's
own helper, e.g. one that refreshes with a stored refresh token). A token the
server refuses is fetched again once from the command; refused again, it is a
refusal of the credentials.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
from typing import Callable

from mailbot.config import SettingsError

log = logging.getLogger("mailbot.mail.tokens")

COMMAND_SECONDS = 30  # a token helper that takes longer is taken as broken


class TokenUnavailable(OSError):
    """The token command failed for now (exit status, timeout, nothing printed): retried like a
    server away. An OSError, so the SMTP outbox keeps replies pending."""


def xoauth2(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64), as Google and Microsoft document it."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


class AccessToken:
    """The access token of one section ([mailbox] or [smtp])."""

    def __init__(self, section: str, settings_section, base_dir):
        self.section = section
        self.env = settings_section.token_env
        self.command = settings_section.token_command
        self.base_dir = base_dir
        self.current: str | None = None
        if not self.command and not os.environ.get(self.env):
            raise SettingsError(f"{section}.token_env: environment variable {self.env} is not set, and no "
                                f"{section}.token_command is given (needed for auth = \"xoauth2\")")

    @property
    def key(self) -> str:
        """The setting to look at when the server refuses the token."""
        return f"{self.section}.{'token_command' if self.command else 'token_env'}"

    def log_in(self, attempt: Callable[[str], None], refused: Callable[[Exception], bool]) -> None:
        """``attempt`` the login with the token; when the server refuses it (``refused``: the credentials,
        not the moment) and a command can print a new one, once more with a new token."""
        try:
            attempt(self.get())
        except Exception as exc:
            if not (self.command and refused(exc)):
                raise
            log.info("%s: the server refused the access token: fetching a new one", self.section)
            attempt(self.get(fresh=True))

    def get(self, fresh: bool = False) -> str:
        """The token: the last one, or (``fresh``, or none yet) a new one from the command or the variable."""
        if self.current and not fresh:
            return self.current
        self.current = self._run() if self.command else os.environ.get(self.env, "")
        if not self.current:
            raise SettingsError(f"{self.section}.token_env: environment variable {self.env} is empty")
        return self.current

    def _run(self) -> str:
        where = f"{self.section}.token_command"
        try:
            done = subprocess.run(shlex.split(self.command), capture_output=True, text=True,
                                  timeout=COMMAND_SECONDS, cwd=self.base_dir, stdin=subprocess.DEVNULL)
        except (FileNotFoundError, PermissionError, ValueError) as exc:
            raise SettingsError(f"{where}: cannot run {self.command!r}: {exc}") from None
        except subprocess.TimeoutExpired:
            raise TokenUnavailable(f"{where}: no token after {COMMAND_SECONDS} s") from None
        token = done.stdout.strip()
        if done.returncode != 0 or not token or len(token.split()) != 1:
            said = (done.stderr.strip().splitlines() or ["nothing on stderr"])[-1][:200]
            why = f"exited with status {done.returncode}" if done.returncode else "printed no single token"
            raise TokenUnavailable(f"{where}: {why} ({said})")
        return token
