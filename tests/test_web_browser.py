"""The review web app in a real browser: Debian's Chromium driven by Playwright, against the app
served by waitress on a free loopback port, replies sent to a real SMTP server (aiosmtpd).

What a desk member does with the keyboard and the mouse, and what a hostile customer's HTML can
not do: run a script, or make the browser fetch a remote image. The tests also write the
screenshots the README shows (var/screenshots/)."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from mailbot.config import parse_settings
from mailbot.mail.outbox import Outbox
from mailbot.mail.senders import SmtpSender
from tests.servers import SmtpServer
from tests.web_support import PASSWORD, Site

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Pixel:
    """An HTTP server that counts what is asked of it: a remote image must never be fetched."""

    def __init__(self):
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the stdlib's name
                hits.append(self.path)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Served:
    """The site behind waitress on a free port, and the SMTP server its replies go to."""

    def __init__(self, tmp_path, mode: str = "draft"):
        from waitress import create_server

        self.pixel = Pixel()
        self.site = Site(tmp_path, pixel_port=self.pixel.port, mode=mode)
        self.server = create_server(self.site.flask, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        self.smtp = SmtpServer().start()
        smtp_settings = parse_settings({"smtp": {"kind": "smtp", "port": self.smtp.port, "tls": "none"}},
                                       tmp_path / "smtp.toml")
        bot = self.site.bot
        bot.processor.outbox = Outbox(bot.store, SmtpSender(smtp_settings), now=bot.clock)

    def send(self) -> list:
        """A daemon pass: held replies released within the limit, then sent."""
        self.site.bot.processor.run_once()
        return list(self.smtp.messages)

    def close(self):
        self.server.close()
        self.smtp.stop()
        self.pixel.close()
        self.site.close()


@pytest.fixture
def served(tmp_path):
    s = Served(tmp_path)
    yield s
    s.close()


def login(browser, served, name="alice", password=PASSWORD, path="/"):
    context = browser.new_context()
    page = context.new_page()
    page.goto(served.url + path)
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    with page.expect_navigation():  # under load the next page's title is read only once it has come
        page.click("button[type=submit]")
    return page


def keys_ready(page):
    """The queue is shown and its deferred app.js has run: a key pressed earlier would be lost."""
    page.wait_for_selector("tr.row")
    page.wait_for_function("document.readyState === 'complete'")


def test_login_wrong_password_and_logout(browser, served):
    page = browser.new_context().new_page()
    page.goto(served.url + "/")
    assert page.url.startswith(served.url + "/login")  # no session: the login page
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", "pas-le-bon-mot")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "Identifiant ou mot de passe incorrect" in page.content()
    page = login(browser, served)
    assert page.title().startswith("(2) dossier en revue 1")
    page.click("#logout")
    assert page.url.startswith(served.url + "/login")
    page.goto(served.url + "/")
    assert page.url.startswith(served.url + "/login")


def test_a_post_without_the_csrf_token_is_refused(browser, served):
    page = login(browser, served)
    draft = served.site.drafts()[0]
    answer = page.context.request.post(f"{served.url}/outbox/{draft}/approve", form={"x": "1"})
    assert answer.status == 400
    assert served.site.drafts() == [draft]


def test_a_customers_html_runs_no_script_and_fetches_nothing(browser, served):
    page = login(browser, served)
    dialogs, requests = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{served.url}/message/{served.site.html_row()}")
    frame = page.frame_locator("#html-view")
    assert "nouveau bon de commande" in frame.locator("body").inner_text()
    page.wait_for_timeout(500)
    assert "PWNED" not in page.content() and "PWNED" not in page.title()
    assert dialogs == [] and served.pixel.hits == []
    assert not [u for u in requests if f":{served.pixel.port}" in u]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "item.png"), full_page=True)


def test_the_keyboard_path_from_the_queue_to_one_sent_reply(browser, served):
    page = login(browser, served, path="/?kind=draft")
    keys_ready(page)
    page.keyboard.press("?")
    assert page.is_visible("#keys")
    page.keyboard.press("?")
    page.keyboard.press("j")
    assert page.get_attribute("tr.row.selected", "data-kind") == "draft"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{served.url}/outbox/*")
    page.keyboard.press("a")
    page.wait_for_selector(".flashes")
    assert "Approuvé" in page.inner_text(".flashes")
    first = served.send()
    again = served.send()
    customer = [m for m in again if "paul.martin@valmont-print.fr" in m.rcpt_tos]
    assert len(first) == 1 and len(customer) == 1


def test_a_correction_turns_a_review_into_an_acknowledgement_and_a_forward(browser, tmp_path):
    served = Served(tmp_path, mode="auto")
    try:
        before = len(served.send())
        page = login(browser, served)
        page.goto(f"{served.url}/message/{served.site.review_row()}")
        page.select_option("#situation", "po_change")
        page.fill("#field_contract_number", "CT-2025-05512")
        page.fill("#field_po_number", "BC-2027-0815")
        page.fill("#field_effective_date", "01/03/2027")
        page.click("#preview")  # what the bot would send: nothing written yet
        assert "le robot déciderait : accusé de réception" in page.inner_text("h1")
        assert len(served.send()) == before
        page.click("#confirm")
        assert "Corrigé : décision accusé de réception" in page.inner_text(".flashes")
        sent = served.send()[before:]
        assert sorted(r for m in sent for r in m.rcpt_tos) == ["equipe.contrats@cf.canon.fr",
                                                             "paul.martin@valmont-print.fr"]
        forward = next(m for m in sent if "equipe.contrats@cf.canon.fr" in m.rcpt_tos)
        assert "BC-2027-0815" in forward.message.get_body(("plain",)).get_content()
    finally:
        served.close()


def test_two_people_approving_the_same_draft_send_it_once(browser, served):
    draft = served.site.drafts()[0]
    alice, bruno = login(browser, served), login(browser, served, "bruno")
    for page in (alice, bruno):
        page.goto(f"{served.url}/outbox/{draft}")
    alice.click("#approve")
    bruno.click("#approve")
    assert "Approuvé" in alice.inner_text(".flashes")
    assert "Déjà traité" in bruno.inner_text(".flashes")
    served.send()
    sent = served.send()  # everything the SMTP server got, after two passes
    assert len([m for m in sent if "paul.martin@valmont-print.fr" in m.rcpt_tos]) == 1


def test_the_queue_screenshot(browser, served):
    page = login(browser, served)
    keys_ready(page)
    page.keyboard.press("j")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)
    assert (SCREENSHOTS / "queue.png").stat().st_size > 5000  # the file the README points at
