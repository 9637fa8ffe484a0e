"""The policy: what mailbot does with a message, as one ordered list of gates.

Read ``READING`` and ``GATES`` at the bottom: they are the whole decision.
Each gate is a small function that looks at the message's facts and returns a
``Verdict`` (gate, code, action, text, details). A gate may only make the
action safer (acknowledge < request_info < review < ignore): the safe choice
always wins, whatever the order. Every gate's verdict, hit or pass, is kept in
``analysis.chain``; the first verdict that set the final action is
``analysis.decided_by``. Nothing here or elsewhere branches on a verdict's
text: codes are the contract, texts are for people.

``READING`` is the part that needs nothing but the message (``analyze`` runs
it: bytes in, decision out). ``GATES`` is the whole chain the processor runs
with a ``Context``: what the database says about the sender, the case, the
limits and the routing, read-only. The effects (recording, opening a case,
queueing replies, alerts) happen after the chain, in the processor, from the
verdicts it left on the ``Message``.

Its size (over 400 lines) is on purpose: the policy reads top to bottom, each gate beside the
next; split up, it would no longer read as the policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol, Sequence
from zoneinfo import ZoneInfo

from mailbot.decide import cases, limits, trust
from mailbot.read.addresses import domain_of, fold
from mailbot.read.analysis import FRAUD_SIGNALS, Analysis, Evidence
from mailbot.read.guard import NO_REPLY_PLATFORM
from mailbot.decide.measures import lead_time_ok, missing_fields
from mailbot.read.rules import Rules

if TYPE_CHECKING:
    from mailbot.decide.routing import Route

ACKNOWLEDGE, REQUEST_INFO, REVIEW, IGNORE = "acknowledge", "request_info", "review", "ignore"
REPLY_ACTIONS = (ACKNOWLEDGE, REQUEST_INFO)
SAFETY = {ACKNOWLEDGE: 0, REQUEST_INFO: 1, REVIEW: 2, IGNORE: 3}
# The outbox states a reply may get (the store's names), and the reply to a sender outside the directory.
PENDING, DRAFT, SHADOW, HELD = "pending", "draft", "shadow", "held"
NEUTRAL_ACK = "neutral_ack"
OUTBOX_STATE = {"auto": PENDING, "draft": DRAFT, "shadow": SHADOW}
NOT_RUN = "not_run"  # the code of the gates after an ignore: nothing safer exists, they do not run

# The trust rule's codes (trust.py): about the sender, and about the numbers and addresses cited.
SENDER_CODES = (trust.FROM_NOT_PLAIN, trust.NO_DIRECTORY, trust.SENDER_UNKNOWN, trust.AUTH_FAILED,
                trust.UNAUTHENTICATED)
CROSS_CHECK_CODES = (trust.CONTRACT_OF_ANOTHER, trust.SERIAL_OF_ANOTHER, trust.CUSTOMER_NUMBER_OF_ANOTHER,
                     trust.SERIAL_NOT_ON_CONTRACT, trust.NUMBERS_OF_KNOWN_CUSTOMER, trust.NEW_EMAIL_FOREIGN,
                     trust.NEW_EMAIL_LOOKALIKE)


@dataclass(frozen=True)
class Verdict:
    """One gate's answer: ``action`` None lets the message through unchanged."""

    gate: str
    code: str
    action: str | None = None
    text: str = ""  # the reason, for people (kept in analysis.reasons when not empty)
    details: dict[str, Any] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()  # what the gate found, added to the analysis' evidence

    def as_dict(self) -> dict[str, Any]:
        return {"gate": self.gate, "code": self.code, "action": self.action, "text": self.text,
                "details": self.details}


@dataclass
class ThreadFinding:
    """The case a message cites or continues (a Context's answer): ``thread`` when it joins one;
    ``refused`` (the case's ref, how it was cited) when a stranger cites a case."""

    thread: cases.Thread | None = None
    refused: tuple[str, str] | None = None


class Context(Protocol):
    """What the chain may ask beyond the message itself; read-only (lookups.py has the store's)."""

    limits: limits.Limits

    def earlier(self, analysis: Analysis) -> dict[str, Any] | None: ...
    def thread(self, analysis: Analysis) -> ThreadFinding: ...
    def trust(self, analysis: Analysis, *, sensitive: bool, checks_new_email: bool) -> trust.Verdict: ...
    def suppression(self, address: str) -> str | None: ...
    def usage(self, address: str, case_ref: str | None, outgoing: int) -> limits.Usage: ...
    def unknown_usage(self, address: str) -> limits.UnknownUsage: ...
    def route(self, analysis: Analysis) -> Route | None: ...
    def mode(self, situation: str) -> str: ...
    def auto_min_confidence(self) -> float: ...


@dataclass
class Message:
    """The facts of one message under decision, and what the gates found so far."""

    analysis: Analysis
    rules: Rules
    tz: ZoneInfo
    context: Context | None = None  # None: the pure reading, no database (analyze)
    action: str = ACKNOWLEDGE
    decided_by: Verdict | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    # Found by the gates, used by the effects (processor.py):
    earlier: dict[str, Any] | None = None  # the ledger row of the same message, decided before
    thread: cases.Thread | None = None
    changes: list[cases.Change] = field(default_factory=list)
    wanted: bool = False  # the reading alone would answer the customer
    trust: trust.Verdict = field(default_factory=trust.Verdict)
    reply: str | None = None  # the reply queued: acknowledge, request_info, neutral_ack; None
    outbox_state: str = PENDING
    brake: int | None = None  # the global brake held the reply: replies counted in the last hour
    unknown_cap: limits.Verdict | None = None  # the caps on acknowledgements to unknown senders
    route: Route | None = None  # the colleague a complete case goes to
    to_person: bool = False  # complete, but nobody to forward to: the message and its case wait for a person

    @property
    def rule(self):
        return self.rules.situation(self.analysis.situation)


Gate = Callable[[Message], "Verdict | Sequence[Verdict]"]


def _pass(gate: str, code: str, **details: Any) -> Verdict:
    return Verdict(gate, code, details=details)


# -- the gates of the reading (no database) ----------------------------------------------------


def readable(m: Message) -> Verdict:
    """Nothing could be read (empty, not an e-mail, only attachments, an error): a person reads it."""
    for e in m.analysis.evidence:
        if e.stage == "parse" and e.name == "unreadable":
            return Verdict("readable", "unreadable", REVIEW, e.detail)
        if e.stage == "parse" and e.name == "internal_error":
            return Verdict("readable", "internal_error", REVIEW, f"internal error: {e.detail}")
    return _pass("readable", "readable")


def automated(m: Message) -> Verdict:
    """Never answer a machine: auto-replies, bounces, lists, our own mail (guard.py's codes); a no-reply platform
    writing for a buyer is read, and a person answers it."""
    if any(e.stage == "guard" and e.name == NO_REPLY_PLATFORM for e in m.analysis.evidence):
        return Verdict("automated", NO_REPLY_PLATFORM, REVIEW,
                       "sent by a no-reply platform (for the person of its Reply-To, if any): a person answers")
    if not m.analysis.automated:
        return _pass("automated", "human")
    codes = [e.name for e in m.analysis.evidence if e.stage == "guard"]
    return Verdict("automated", codes[0] if codes else "automated", IGNORE, "automated message: never answered",
                   {"codes": codes, "bounce": bool(m.analysis.bounce)})


def situation(m: Message) -> Verdict:
    if m.rule.id == "other":
        return Verdict("situation", "other", REVIEW, "situation other: a person decides")
    return _pass("situation", "known", situation=m.rule.id)


def fraud(m: Message) -> list[Verdict]:
    """An IBAN or a claim that bank details changed, anywhere in the message: a person checks it."""
    return [Verdict("fraud", e.name, REVIEW, f"possible fraud: {e.name} ({e.detail})", {"text": e.text})
            for e in m.analysis.evidence if e.stage == "extract" and e.name in FRAUD_SIGNALS
            ] or [_pass("fraud", "none")]


def confidence(m: Message) -> Verdict:
    sure, threshold = m.analysis.confidence, m.rules.review_below
    if sure < threshold:
        return Verdict("confidence", "low_confidence", REVIEW, f"confidence {sure:.2f} below {threshold:.2f}",
                       {"confidence": round(sure, 4), "threshold": threshold})
    return _pass("confidence", "sure", confidence=round(sure, 4), threshold=threshold)


def lead_time(m: Message) -> Verdict:
    """The one-month notice (the rule's lead time), counted from the date the message was received.
    A late request is still answered: the reply says from when it can apply."""
    analysis, months = m.analysis, m.rule.lead_time_months
    effective = analysis.fields.get("effective_date")
    analysis.lead_time_ok = lead_time_ok(effective, analysis.received, months, m.tz)
    if analysis.lead_time_ok is False:
        return Verdict("lead_time", "late", None, f"late: effective {effective} is less than {months} month(s) "
                       "after receipt", {"effective": effective, "months": months})
    code = {True: "in_time", None: "not_applicable" if not months else "unknown"}[analysis.lead_time_ok]
    return _pass("lead_time", code, effective=effective, months=months)


def completeness(m: Message) -> Verdict:
    """What the situation requires (situations.toml) and the message does not give: asked for."""
    analysis, rule = m.analysis, m.rule
    if rule.id == "other":
        analysis.missing = []
        return _pass("completeness", "not_applicable")
    analysis.missing = missing_fields(rule.required, analysis.fields, generic_email=rule.generic_email,
                                      email_nominative=analysis.email_nominative,
                                      postal_address=rule.postal_address)
    if analysis.missing:
        return Verdict("completeness", "missing", REQUEST_INFO, "missing: " + ", ".join(analysis.missing),
                       {"missing": list(analysis.missing)})
    return Verdict("completeness", "complete", ACKNOWLEDGE, "all required information present")


# -- the gates that need the context (the processor's) -----------------------------------------


def duplicate(m: Message) -> Verdict:
    """The same message (Message-ID, or fingerprint) decided before: it goes where the first one went."""
    m.earlier = m.context.earlier(m.analysis)
    if m.earlier is None:
        return _pass("duplicate", "new")
    return Verdict("duplicate", "duplicate", IGNORE, f"duplicate of ledger row {m.earlier['id']}",
                   {"row": m.earlier["id"]})


def threading(m: Message) -> list[Verdict]:
    """The case this message continues (cases.py): its fields are merged in, and the case's situation
    wins. A stranger citing a case, or a customer writing on a case no longer waiting for them, or an
    answer that also asks for something else, goes to a person."""
    finding = m.context.thread(m.analysis)
    if finding.refused:
        ref, how = finding.refused
        analysis = m.analysis
        why = (f"cites case {ref} ({how}) but comes from {analysis.sender or '?'}"
               f"{' (Reply-To ' + analysis.reply_to + ')' if analysis.reply_to else ''}, "
               f"not from that case's customer: a person checks it")
        return [Verdict("threading", "not_joined", REVIEW, why, {"case": ref, "how": how},
                        (Evidence("case", "not_joined", ref, why),))]
    if finding.thread is None:
        return [_pass("threading", "new_case")]
    m.thread = thread = finding.thread
    joined = cases.join(m.analysis, thread, m.rules)
    m.changes = joined.changes
    verdicts = [Verdict("threading", "joined", None, f"continues case {thread.ref} (found by {thread.how})",
                        {"case": thread.ref, "how": thread.how, "state": thread.case.state})]
    if thread.case.state != cases.AWAITING:
        verdicts.append(Verdict("threading", "case_not_awaiting", REVIEW,
                                f"case {thread.ref} is {thread.case.state}: a person reads the customer's "
                                "new message", {"case": thread.ref, "state": thread.case.state}))
    if joined.asks_else:
        verdicts.append(Verdict("threading", "asks_else", REVIEW,
                                f"the answer also asks for something else ({', '.join(joined.asks_else)}): "
                                "a person reads it", {"situations": joined.asks_else}))
    return verdicts


def reading(m: Message) -> Verdict:
    """Where the reading alone stands: would it answer the customer? (Trust and limits come next.)"""
    m.wanted = m.action in REPLY_ACTIONS
    return _pass("reading", m.action)


def _trust(m: Message) -> trust.Verdict:
    rule = m.rule
    takes_new_email = rule.sensitive and bool({"new_email", "new_address"} & set(rule.required))
    m.trust = m.context.trust(m.analysis, sensitive=rule.sensitive, checks_new_email=takes_new_email)
    return m.trust


def _findings(m: Message, gate: str, codes: tuple[str, ...]) -> list[Verdict]:
    """The trust rule's findings of ``codes`` as verdicts of ``gate``: to a person when the reading
    would have answered, else only noted."""
    return [Verdict(gate, f.code, REVIEW if m.wanted else None, f.reason if m.wanted else "")
            for f in m.trust.review if f.code in codes]


def sender(m: Message) -> list[Verdict]:
    """Who wrote (trust.py): a sender outside the directory, a forged From, an unauthenticated
    sender of a sensitive change goes to a person."""
    verdict = _trust(m)
    found = _findings(m, "sender", SENDER_CODES) or [_pass("sender", "trusted", customers=list(verdict.customers))]
    # The trust rule's evidence is kept whatever the action (the forward shows it).
    return [replace(found[0], evidence=tuple(verdict.evidence)), *found[1:]]


def cross_check(m: Message) -> list[Verdict]:
    """What the message cites (trust.py): numbers of another customer, a serial not on the contract, a
    new invoice address outside the customer's domains: a person checks it."""
    return (_findings(m, "cross_check", CROSS_CHECK_CODES)
            or [_pass("cross_check", "consistent", same_customer=m.trust.same_customer)])


def _outgoing(m: Message) -> int:
    """How many messages the reply sends: the forward to the colleague counts too."""
    if m.action != ACKNOWLEDGE:
        return 1
    m.route = m.context.route(m.analysis)
    return 2 if m.route is not None and m.route.address else 1


def suppression(m: Message) -> Verdict:
    """An address that bounced is not written to for bounce_block_days (limits.py)."""
    address = m.trust.recipient
    if m.action not in REPLY_ACTIONS or not address:
        return _pass("suppression", "not_applicable")
    why = m.context.suppression(address)
    if why is None:
        return _pass("suppression", "not_suppressed")
    text = f"no reply: {address} {why}"
    return Verdict("suppression", "suppressed", REVIEW, text, evidence=(Evidence("limits", "suppressed", detail=text),))


def rate_limits(m: Message) -> Verdict:
    """Replies per sender and per case (to review), and the global brake (the reply is held)."""
    address = m.trust.recipient
    if m.action not in REPLY_ACTIONS or not address:
        return _pass("rate_limits", "not_applicable")
    ref = m.thread.ref if m.thread else None
    brake = _outbox_state(m) == PENDING
    usage = m.context.usage(address, ref, _outgoing(m))
    verdict = limits.judge(m.context.limits, usage, address=address, case_ref=ref, brake=brake)
    if verdict.outcome == limits.REPLY:
        return _pass("rate_limits", "within", last_hour=usage.last_hour, to_address=usage.to_address)
    evidence = (Evidence("limits", verdict.rule, detail=verdict.reason),)
    if verdict.outcome == limits.HOLD:
        m.brake = usage.last_hour
        return Verdict("rate_limits", verdict.rule, None, verdict.reason, {"held": True, "last_hour": usage.last_hour},
                       evidence)
    return Verdict("rate_limits", verdict.rule, REVIEW, verdict.reason, evidence=evidence)


def unknown_sender(m: Message) -> Verdict:
    """A sender outside the directory whose request the bot would answer gets at most a neutral
    acknowledgement: a plain From that our MTA does not call forged, within caps that drop."""
    address, verdict = m.trust.recipient, m.trust
    if m.action in REPLY_ACTIONS or not m.wanted or not verdict.unknown_sender or not address:
        return _pass("unknown_sender", "not_applicable")
    if trust.AUTH_FAILED in verdict.codes:
        return _pass("unknown_sender", "forged")
    cap = m.unknown_cap = limits.judge_unknown(m.context.limits, m.context.unknown_usage(address),
                                               address=fold(address), domain=domain_of(address))
    if cap.outcome == limits.DROP:
        return Verdict("unknown_sender", cap.rule, None, cap.reason, evidence=(Evidence("limits", cap.rule,
                                                                                         detail=cap.reason),))
    m.reply = NEUTRAL_ACK
    return _pass("unknown_sender", "neutral_ack", to=address)


def routing(m: Message) -> Verdict:
    """Who acts on a complete case (routing.py): contracts team, sales contact or account manager."""
    if m.action != ACKNOWLEDGE:
        m.route = None
        return _pass("routing", "not_applicable")
    route = m.route = m.route or m.context.route(m.analysis)
    if route is None:
        return _pass("routing", "answered")
    if not route.address:
        m.to_person = True
        text = f"complete, but nobody to forward it to: {route.note}"
        return Verdict("routing", "no_recipient", None, text, {"route": route.route},
                       (Evidence("route", "no_recipient", detail=route.note),))
    return Verdict("routing", "routed", details={"route": route.route, "to": route.address},
                   evidence=(Evidence("route", route.route, route.address, route.note),))


def outbox_state(context: Context, analysis: Analysis) -> str:
    """The outbox state of a reply in the situation's mode (a reminder's too)."""
    mode_name = context.mode(analysis.situation)
    if mode_name == "auto" and analysis.confidence < context.auto_min_confidence():
        return DRAFT
    return OUTBOX_STATE[mode_name]


def _outbox_state(m: Message) -> str:
    return outbox_state(m.context, m.analysis)


def mode(m: Message) -> Verdict:
    """The situation's mode: auto sends, draft waits for a person's approval, shadow only records.
    In auto mode a reading less sure than bot.auto_min_confidence waits as a draft."""
    if m.action in REPLY_ACTIONS:
        m.reply = m.action
    m.outbox_state = state = _outbox_state(m)
    mode_name = m.context.mode(m.analysis.situation)
    if m.reply and m.brake is not None and state == PENDING:
        m.outbox_state = HELD
    if state == DRAFT and mode_name == "auto":
        threshold = m.context.auto_min_confidence()
        text = (f"confidence {m.analysis.confidence:.2f} below {threshold:.2f}: reply kept as a draft"
                if m.action in REPLY_ACTIONS else "")
        return Verdict("mode", "draft_low_confidence", None, text, {"state": m.outbox_state})
    return _pass("mode", mode_name, state=m.outbox_state)


# -- the policy ----------------------------------------------------------------------------------

# What the message alone decides (analyze.py).
READING: tuple[Gate, ...] = (readable, automated, situation, fraud, confidence, lead_time, completeness)
# What the processor decides, with the database's answers.
GATES: tuple[Gate, ...] = (duplicate, readable, automated, threading, situation, fraud, confidence, lead_time,
                           completeness, reading, sender, cross_check, suppression, rate_limits, unknown_sender,
                           routing, mode)


def run(m: Message, gates: Iterable[Gate]) -> Message:
    """Pass ``m`` through ``gates`` in order; record each verdict in the analysis. After an
    ignore nothing safer exists: the remaining gates are recorded as not run."""
    analysis = m.analysis
    for gate in gates:
        if m.action == IGNORE:
            m.verdicts.append(_pass(gate.__name__, NOT_RUN))
            continue
        found = gate(m)
        for verdict in [found] if isinstance(found, Verdict) else found:
            m.verdicts.append(verdict)
            analysis.evidence.extend(verdict.evidence)
            if verdict.action and SAFETY[verdict.action] > SAFETY[m.action]:
                m.action, m.decided_by = verdict.action, verdict
            elif verdict.action == m.action and m.decided_by is None:
                m.decided_by = verdict
    analysis.action = m.action
    analysis.chain = [v.as_dict() for v in m.verdicts]
    analysis.decided_by = m.decided_by.as_dict() if m.decided_by else None
    return m


def judge_reading(analysis: Analysis, rules: Rules, tz: ZoneInfo) -> Message:
    """The reading's decision, from the message alone (``analyze``)."""
    return run(Message(analysis, rules, tz), READING)


def judge_broken(analysis: Analysis, tz: ZoneInfo) -> Message:
    """When the rules themselves cannot be used: the gates that need none (a person reads it,
    unless a machine wrote it)."""
    return run(Message(analysis, None, tz), (readable, automated))  # type: ignore[arg-type]


def decide(analysis: Analysis, rules: Rules, tz: ZoneInfo, context: Context) -> Message:
    """The whole chain for one message, with the database's answers (``context``)."""
    return run(Message(analysis, rules, tz, context), GATES)
