"""The review web app over a real processor and database, for the test-client and browser tests."""

from __future__ import annotations

import email
import email.policy
import re

from mailbot.app import App
from mailbot.store import DRAFT
from mailbot.web import create_app
from mailbot.web.auth import hash_password
from tests.conversations import CONVERSATIONS, first_message
from tests.test_cases import Bot

PASSWORD = "un-mot-de-passe-long"
PO = next(c for c in CONVERSATIONS if c.situation == "po_change")
HOSTILE_HTML = ("<p>Bonjour, voici notre <b>nouveau bon de commande</b>.</p>"
                "<script>parent.document.body.innerHTML='PWNED'; document.title='PWNED'</script>"
                "<img src='http://127.0.0.1:{port}/pixel.png' onerror=\"parent.document.body.innerHTML='PWNED'\">"
                "<a href=\"javascript:parent.document.body.innerHTML='PWNED'\">lien</a>"
                "<iframe src='http://127.0.0.1:{port}/frame'></iframe>"
                "<style>@import url('http://127.0.0.1:{port}/css');</style>"
                "<div style=\"background:url('http://127.0.0.1:{port}/bg.png')\">fond</div>")


def with_html(raw: bytes, html: str) -> bytes:
    """The message with an HTML alternative beside its text, and a PDF attached."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    message.add_alternative(html, subtype="html")
    message.add_attachment(b"%PDF-1.4 bon de commande", maintype="application", subtype="pdf",
                           filename="BC 2027.pdf")
    return bytes(message)


def only_a_pdf(raw: bytes) -> bytes:
    """The customer's request, its text replaced by an attached PDF the bot cannot read: a review."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    message.set_content("")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="bon_de_commande.pdf")
    return bytes(message)


class Site:
    """A bot in draft mode that has read a PO change in HTML (its request for the missing contract
    number is a draft) and one unreadable request (a case in review), two users, and the web app on
    the same database."""

    def __init__(self, tmp_path, pixel_port: int = 9, mode: str = "draft"):
        self.bot = Bot(tmp_path, bot={"mode": mode})
        self.bot.receive(with_html(first_message(PO)[0], HOSTILE_HTML.format(port=pixel_port)))
        self.bot.receive(only_a_pdf(first_message(PO, "valmont-print.fr")[0]))
        store = self.bot.store
        for name in ("alice", "bruno"):
            store.add_user(name, "desk", hash_password(PASSWORD), self.bot.clock())
        self.app = App.build(self.bot.settings, rules=self.bot.processor.app.rules,
                             model=self.bot.processor.app.model, clock=self.bot.clock)
        self.flask = create_app(self.bot.settings, clock=self.bot.clock, app=self.app)
        self.flask.testing = True

    @property
    def store(self):
        return self.bot.store

    def drafts(self) -> list[int]:
        return [r[0] for r in self.store.db.execute("select id from outbox where state = ? order by id", [DRAFT])]

    def review_row(self) -> int:
        return self.store.db.execute("select id from messages where destination = 'review' order by id").fetchone()[0]

    def html_row(self) -> int:
        return self.store.db.execute("select id from messages order by id").fetchone()[0]

    def close(self) -> None:
        self.bot.close()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)
