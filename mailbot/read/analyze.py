"""The pure heart of mailbot: raw message bytes in, a complete ``Analysis`` out.

parse → guard → split → classify → extract → the reading's gates of the
decision chain (chain.READING), with no I/O (beyond loading the default rules
once) and no clock: the received date is the message's own Date header. The CLI, the daemon, eval and the tests all go
through here, so it never raises: a message that breaks a stage comes out
as situation "other", action "review", with the error as a reason.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mailbot.read import bounces, guard, mime, quotes
from mailbot.read.analysis import Analysis, Evidence, empty_fields
from mailbot.read.authentication import authenticate
from mailbot.read.bounds import MAX_TEXT, wrap_long_lines
from mailbot.decide.cases import without_reference
from mailbot.read.attachments import of_mail
from mailbot.read.classify import Classification, classify
from mailbot.decide.chain import judge_broken, judge_reading
from mailbot.read.extract import INVOICE_PASSED, NOTHING_TO_TAKE, extract_all, fraud_signals, gives_new_address
from mailbot.read.rules import Rules, default_rules
from mailbot.read.softwraps import join_soft_wraps
from mailbot.read.textcat import TextModel, default_model, model_input

SHIPPED = "shipped"  # analyze's default model: the one in classifiers/model/

_FR_WORDS = frozenset(
    "le la les des du de et est une un pour que qui nous vous notre nos votre vos merci bonjour avec sur dans"
    " au aux ce cette sont pas par madame monsieur cordialement facture factures contrat".split()
)
_EN_WORDS = frozenset(
    "the and is are to of for our your we you please thank thanks hello dear with on in this that from will be"
    " regards invoice invoices contract kind best".split()
)


def detect_language(text: str) -> str:
    """"fr" or "en", whichever has more of its common words; French when in doubt."""
    words = re.findall(r"[a-zà-ÿ']+", text.lower())
    english = sum(w in _EN_WORDS for w in words)
    french = sum(w in _FR_WORDS for w in words)
    return "en" if english > french else "fr"


def _fill_envelope(analysis: Analysis, mail: mime.Mail) -> None:
    analysis.message_id = mail.message_id
    analysis.subject = mail.subject
    analysis.sender = mail.from_addr
    analysis.sender_name = mail.from_name
    analysis.reply_to = mail.reply_to
    analysis.sender_plain = mail.from_plain is not None
    analysis.reply_to_plain = mail.reply_to_plain is not None
    if mail.from_problem:
        analysis.evidence.append(Evidence("address", "from_not_plain", mail.from_addr[:80], mail.from_problem))
    if mail.reply_to_problem:
        analysis.evidence.append(Evidence("address", "reply_to_not_plain", mail.reply_to[:80], mail.reply_to_problem))
    analysis.received = mail.date
    analysis.in_reply_to = mail.in_reply_to
    analysis.references = list(mail.references)
    analysis.attachments = list(mail.attachments)
    analysis.evidence.extend(Evidence("parse", "defect", d) for d in mail.defects)


def _not_a_message(raw: bytes, mail: mime.Mail) -> str | None:
    """Why there is no e-mail to judge at all (then even the guard has nothing to look at)."""
    if not raw.strip():
        return "empty message: nothing to read"
    if not mail.headers:
        return "not an e-mail: no header could be read"
    return None


def _broken(mail: mime.Mail) -> str | None:
    """Why a message's body could not be read at all (not read, its MIME structure, binary data), or None."""
    if mail.not_read:
        return f"body not read ({mail.defects[-1] if mail.defects else mail.not_read}): a person opens it"
    broken = next((d for d in mail.defects if d.startswith("parse error")), None)
    if broken:
        return f"MIME structure could not be read ({broken})"
    if mail.binary_text:
        return "body is not readable text (binary data)"
    return None


def _nothing_to_read(mail: mime.Mail) -> str | None:
    """Why a human-sent message has no text to classify, or None when it has."""
    why = _broken(mail)
    if why or mail.text.strip():
        return why
    files = [a["filename"] or a["content_type"] for a in mail.attachments]
    if files:
        return f"no text body, only attachments: {', '.join(files[:5])}{' …' if len(files) > 5 else ''}"
    malformed = sorted({d for d in mail.defects if d.endswith("Defect")})
    return f"empty body: nothing to read{' (malformed MIME: ' + ', '.join(malformed) + ')' if malformed else ''}"


def _only_files(mail: mime.Mail) -> bool:
    """Is a message without a word of text, nothing broken, all in files that give text? The desk opens them: they
    are read as a body that says nothing (``_attached_request``); when they name no request, a person opens them (so
    does a file that gives no text: "kbis.pdf" that cannot be read)."""
    return bool(mail.attachments) and not mail.text.strip() and _broken(mail) is None \
        and any(not d.unreadable and d.text.strip() for d in of_mail(mail))


def _unreadable(analysis: Analysis, why: str) -> None:
    """Bad input goes to a person, saying why."""
    analysis.evidence.append(Evidence("parse", "unreadable", detail=why))


def _received(mail: mime.Mail, arrived: datetime | None) -> datetime | None:
    """The Date header; the server's arrival date when Date is absent or absurd
    (more than a day after arrival, or years before it)."""
    if arrived is not None and arrived.tzinfo is None:
        arrived = arrived.astimezone()  # a naive server date is local time
    if mail.date is None or arrived is None:
        return mail.date or arrived
    if not arrived - timedelta(days=365) <= mail.date <= arrived + timedelta(days=1):
        return arrived
    return mail.date


def _run(analysis: Analysis, raw: bytes, own_addresses: tuple[str, ...], rules: Rules, model: TextModel | None,
         tz: ZoneInfo, arrived: datetime | None, authserv_id: str) -> None:
    """Fill ``analysis`` with the reading; the reading's gates (chain.READING) decide after it."""
    mail = mime.parse(raw)
    _fill_envelope(analysis, mail)
    auth = authenticate(mail.auth_results, mail.from_plain or "", authserv_id)
    analysis.auth = auth.as_dict()
    analysis.evidence.append(Evidence("auth", auth.status, auth.method, auth.detail))
    mail.subject = without_reference(mail.subject)  # our [Réf. …] is read by the processor, not as a number
    received = analysis.received = _received(mail, arrived)
    why = _not_a_message(raw, mail)
    if why:
        _unreadable(analysis, why)
        return

    automated = guard.automated_hits(mail, own_addresses)
    person = guard.writes_for(mail, automated)
    if person is not None:  # a platform's notice (for a buyer, or nobody named): read, answered by a person
        analysis.evidence.append(Evidence("guard", guard.NO_REPLY_PLATFORM, person,
                                          f"{automated[0].text}; Reply-To: {person[:80] or 'none'}"))
    elif automated:
        analysis.automated = True
        analysis.confidence = 1.0
        analysis.notes.extend(hit.text for hit in automated)
        analysis.evidence.extend(Evidence("guard", hit.code, detail=hit.text) for hit in automated)
        if bounces.is_bounce(hit.code for hit in automated) and not mail.not_read:
            analysis.bounce = {"quoted": bounces.quoted_message_ids(raw),
                               "failed": bounces.failed_recipients(raw, own_addresses)}
        return
    why = _nothing_to_read(mail)
    if why and not _only_files(mail):
        _unreadable(analysis, why)
        return

    text, cuts = _bounded_text(mail)
    analysis.evidence.extend(cuts)
    parts = quotes.split(text, mail.subject)
    inner = quotes.request(parts)
    analysis.language = detect_language(f"{mail.subject}\n{inner.new}")

    classification = classify(mail.subject, parts, rules, model, gives_new_address(inner.new))
    # (also when the model alone read a request in a body that says nothing: "Veuillez trouver ci-joint le courrier de M.
    # le Maire" and the letter asks for invoices by e-mail)
    says_nothing = quotes.says_nothing(inner.new)
    if mail.attachments and (classification.situation == "other" or (says_nothing and not _named(classification, rules))):
        classification = _attached_request(mail, classification, rules, model, says_nothing)
    if why and classification.situation == "other":  # files without a word, that name no request: a person opens them
        _unreadable(analysis, why)
        return
    analysis.situation = classification.situation
    analysis.secondary_situation = classification.secondary
    analysis.confidence = classification.confidence
    analysis.evidence.extend(classification.evidence)

    reference = received.astimezone(tz).date() if received else None
    rule = rules.situations.get(classification.situation)
    # a mail that doubts a forwarded one (a bank-details check) or asks nothing takes nothing from the forward: its
    # own words only (a prefix of inner.new, so the spans still point into request_texts' "new"); answers written
    # inside our quoted request are its own words
    own = parts.new if classification.situation in NOTHING_TO_TAKE and parts.forwarded else inner.new
    extraction = extract_all(own, inner.quoted, mail, reference, classification.situation,
                             lead_time=rule.weak_dates if rule else False, required=rule.required if rule else (),
                             dated=rule.effective_date if rule else True, signature=inner.signature,
                             addressed=rule.new_address if rule else True, from_files=rule.attached if rule else ())
    fields, evidence = extraction.fields, extraction.evidence
    analysis.fields = fields
    analysis.details = extraction.details
    analysis.evidence.extend(evidence)
    analysis.evidence.extend(fraud_signals(parts.new, parts.quoted, mail.subject, mail.from_name))
    if mail.date is None:
        analysis.notes.append("no usable Date header: " + (
            "the server's arrival date is used" if received else "lead time unknown"))
    elif received is not mail.date:
        analysis.notes.append(f"Date header {mail.date.isoformat()} is absurd: the server's arrival date is used")


def _named(classification: Classification, rules: Rules) -> set[str]:
    """The requests the keywords found in the customer's own words (before the model overruled them)."""
    return {e.name for e in classification.matched if e.source in ("subject", "new") and e.name != "other"
            and classification.scores.get(e.name, 0.0) >= rules.min_score}


def _attached_request(mail: mime.Mail, classification: Classification, rules: Rules,
                      model: TextModel | None, says_nothing: bool) -> Classification:
    """A body that says nothing in words sends a file ("Compteurs", a signature and a csv): the subject and the
    files' text are read as the request, as the desk would; the extractors then read the files for its values.
    A body with a side topic of its own ("Autre point : le bac 2 grince") keeps it as the secondary situation
    when its subject or its words name the request the files hold ("Formulaire relevé compteurs + problème bac")."""
    named = _named(classification, rules)
    if INVOICE_PASSED.search(mail.subject) or not (says_nothing or named):
        return classification  # "TR: facture" and "Voir PJ": an invoice passed on, whose counters were billed
    documents = [d for d in of_mail(mail) if not d.unreadable and d.text.strip() and not INVOICE_PASSED.search(d.name)]
    if not documents:
        return classification
    text = "\n\n".join(d.text for d in documents)[:MAX_TEXT]
    found = classify(mail.subject, quotes.Parts(new=text), rules, model)
    if found.situation == "other" or not (says_nothing or found.situation in named):
        return classification
    if not says_nothing:
        found.secondary = "other"
    found.evidence.insert(0, Evidence("classify", "attached_request", ", ".join(d.name for d in documents)[:80],
                                      "the body says nothing but a greeting and a closing: what it attaches is read"
                                      if says_nothing else "the subject names the request the files hold; the "
                                      "body's own topic is the secondary situation"))
    return found


def _bounded_text(mail) -> tuple[str, list[Evidence]]:
    """The body text analyze reads (cut to MAX_TEXT, long lines wrapped) and the evidence of each cut."""
    text, cuts = mail.text, []
    if len(text) > MAX_TEXT:  # the request is at the top; bound the work on huge bodies
        text = text[:MAX_TEXT]
        cuts.append(Evidence("parse", "truncated", detail=f"body cut to {MAX_TEXT} characters"))
    text, wrapped = wrap_long_lines(text)
    if wrapped:
        cuts.append(Evidence("parse", "lines_wrapped", detail=f"{wrapped} line(s) over the line cap"))
    cuts.extend(Evidence("parse", f"cut_{what}", detail=what) for what in mail.cut)
    return text, cuts


def example_text(raw: bytes) -> str:
    """A message as the classifier's training example (``textcat.example_input`` reads it): its subject, a
    blank line and the body analyze reads, quotes and signature kept (training splits them off as analyze
    does). Empty for what analyze does not read (not a message, no text) and when the body's request says nothing
    ("Bonjour, voir PJ. Cordialement"): its situation is in files the example does not hold, and learnt from such a
    text it would be guessed for every "voir PJ"."""
    mail = mime.parse(raw)
    if _not_a_message(raw, mail) or _nothing_to_read(mail):
        return ""
    text, _ = _bounded_text(mail)
    subject = without_reference(mail.subject)
    if quotes.says_nothing(quotes.request(quotes.split(text, subject)).new):
        return ""
    return model_input(subject, text)


def request_texts(raw: bytes) -> dict[str, str]:
    """The texts the spans of an analysis point into ("subject", "new", "quoted", "signature": see
    extract.Extraction), rebuilt from the message as analyze read it, for a person's screen."""
    mail = mime.parse(raw)
    text, _ = _bounded_text(mail)
    inner = quotes.request(quotes.split(text, mail.subject))
    return {"subject": mail.subject, "new": join_soft_wraps(inner.new), "quoted": join_soft_wraps(inner.quoted),
            "signature": inner.signature}


def analyze(raw: bytes, *, own_addresses: tuple[str, ...] = (), rules: Rules | None = None,
            model: TextModel | None | str = SHIPPED, timezone: str = "Europe/Paris",
            arrived: datetime | None = None, authserv_id: str = "") -> Analysis:
    """Analyse one raw message; never raises.

    ``timezone`` is the business's (lead times count in local calendar days);
    ``arrived`` is the server's arrival date (IMAP INTERNALDATE), used only when
    the Date header is missing or absurd. Both are data, not a clock.
    ``authserv_id`` names our MTA: only its Authentication-Results header is
    read (authentication.py); empty, nothing is authenticated. ``rules`` and
    ``model`` default to the shipped ones (an App passes its own; ``model=None``:
    the keywords alone classify).
    """
    analysis = Analysis()
    rules = rules or default_rules()
    model = default_model() if model == SHIPPED else model
    tz = ZoneInfo(timezone)
    try:
        _run(analysis, raw, tuple(own_addresses), rules, model, tz, arrived, authserv_id)
        judge_reading(analysis, rules, tz)
        return analysis
    except Exception as exc:  # one bad message must not stop the pipeline
        analysis.situation = "other"
        analysis.secondary_situation = None
        analysis.fields = empty_fields()
        analysis.details = {}
        analysis.evidence.append(Evidence("parse", "internal_error", detail=f"{type(exc).__name__}: {exc}"))
    try:
        judge_reading(analysis, rules, tz)  # "other", no fields: review (ignore when automated)
    except Exception:  # the rules themselves are broken
        judge_broken(analysis, tz)
    return analysis
