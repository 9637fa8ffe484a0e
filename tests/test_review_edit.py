"""A person edits a draft's text before approving it: the new text goes out, the rest byte for byte."""

from __future__ import annotations

import email
import email.policy

import pytest

from mailbot.compose.mimewrite import message, with_text
from mailbot.service.review import Review
from mailbot.store import DRAFT
from tests.conversations import CONVERSATIONS, first_message
from tests.test_cases import Bot

PO = next(c for c in CONVERSATIONS if c.situation == "po_change")
ORIGINAL = b"From: a@b.fr\r\nSubject: x\r\nMessage-ID: <o@b.fr>\r\n\r\nBonjour,\r\nle texte d'origine.\r\n"


def parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def text_of(mail, kind: str) -> str:
    return mail.get_body((kind,)).get_content().replace("\r\n", "\n").strip()


@pytest.mark.parametrize("attached", [[], [ORIGINAL]])
def test_with_text_replaces_the_alternative_and_keeps_the_rest_byte_for_byte(attached):
    headers = [("From", "Bot <bot@cf.canon.fr>"), ("To", "paul@valmont-print.fr"), ("Subject", "Votre demande"),
               ("Message-ID", "<r1@cf.canon.fr>")]
    raw = message(headers, "Texte du bot.", "<p>Texte du bot.</p>", attached)
    edited = with_text(raw, "Bonjour Paul,\n\nC'est noté <b>à la main</b>.", "<p>html</p>")
    mail = parsed(edited)
    assert text_of(mail, "plain") == "Bonjour Paul,\n\nC'est noté <b>à la main</b>."
    assert text_of(mail, "html") == "<p>html</p>"
    for name in ("From", "To", "Subject", "Message-ID"):
        assert mail[name] == parsed(raw)[name]
    if attached:
        assert ORIGINAL.rstrip(b"\r\n") in edited  # the attached original, byte for byte


def test_with_text_refuses_a_message_without_the_alternative():
    with pytest.raises(ValueError, match="no text/HTML alternative"):
        with_text(ORIGINAL, "x", "<p>x</p>")


@pytest.fixture
def bot(tmp_path):
    b = Bot(tmp_path, modes={"po_change": "draft"})
    yield b
    b.close()


def test_a_draft_edited_then_approved_goes_out_with_the_person_s_text(bot):
    bot.receive(first_message(PO)[0])
    [draft] = bot.store.outbox_ids([DRAFT])
    review = Review(bot.store, actor="claire", clock=bot.clock)
    done = review.edit(draft, "Bonjour,\n\nMerci d'indiquer le numéro de contrat.\n\nClaire, service contrats")
    assert done.changed == [str(draft)]
    assert [(a["actor"], a["action"]) for a in bot.store.actions(f"outbox {draft}")] == [("claire", "edit")]
    assert review.approve([draft]).changed == [str(draft)]
    bot.processor.run_once()
    [sent] = bot.sent()
    assert text_of(sent, "plain").endswith("Claire, service contrats")
    assert "<p>Claire, service contrats</p>" in text_of(sent, "html")
    assert "request_info" in str(sent["Message-ID"])  # the same row, the same threading


def test_only_a_draft_can_be_edited_and_an_unknown_row_is_said(bot):
    bot.receive(first_message(PO)[0])
    [draft] = bot.store.outbox_ids([DRAFT])
    review = Review(bot.store, actor="claire", clock=bot.clock)
    review.approve([draft])
    assert review.edit(draft, "trop tard").refused == [str(draft)]
    assert review.edit(999, "rien").refused == ["999"]
    assert review.edit(draft, "   ").refused == [str(draft)]  # an empty text is never sent
