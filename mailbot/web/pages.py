"""The pages a desk member uses all day: login, the queue, one item, and the actions on it.

Every action goes through the review service (service/review.py): one transaction, its audit
line with the person's name, and the same rules as the CLI (approving goes through the hourly
limit; a second person acting on something already handled is told so, and nothing is sent
twice). Pages answer a POST with a redirect (the back button never repeats an action).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from flask import (Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from markupsafe import Markup, escape

from mailbot.compose.shown import shown
from mailbot.service.corrections import CorrectionError, parse_assignments
from mailbot.service.explain import chain_lines
from mailbot.service.review import KINDS, Review
from mailbot.web import mailview, words
from mailbot.web.auth import check_password, new_csrf_token
from mailbot.web.queue import Filters, page_of

pages = Blueprint("pages", __name__)


def _clock() -> datetime:
    return current_app.config["CLOCK"]()


def _stores():
    return current_app.config["STORE"]()


def _review(store, decisions: bool = False) -> Review:
    from mailbot.service.decisions import Decisions

    app = None
    if decisions:
        with current_app.config["APP_LOCK"]:
            if current_app.config["MAILBOT_APP"] is None:
                from mailbot.app import App
                current_app.config["MAILBOT_APP"] = App.build(current_app.config["SETTINGS"], clock=_clock)
            app = current_app.config["MAILBOT_APP"]
    return Review(store, actor=g.user.name, clock=_clock, decisions=Decisions(app, store) if app else None)


def queue_counts(store) -> dict[str, int]:
    items = Review(store, actor="metrics", clock=datetime.now).waiting()
    return {kind: sum(1 for i in items if i.kind == kind) for kind in KINDS}


@pages.app_context_processor
def _shared() -> dict[str, Any]:
    return {"words": words, "user": getattr(g, "user", None), "csrf": session.get("csrf", "")}


# -- login ------------------------------------------------------------------------------------------


@pages.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    target = request.values.get("next") or "/"
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    if request.method == "GET":
        return render_template("login.html", next=target)
    name = request.form.get("name", "").strip()
    password = request.form.get("password", "")
    settings, now = current_app.config["SETTINGS"].web, _clock()
    with _stores() as store:
        user = store.user(name)
        if user is not None and user.locked(now):
            flash("Compte verrouillé après trop d'échecs : réessayez plus tard ou demandez un nouveau mot de passe.")
            return render_template("login.html", next=target), 403
        right, rehash = check_password(user.hash if user else None, password)
        if not right or user is None or user.disabled:
            if user is not None and not user.disabled:
                locked = store.login_failed(name, now, settings.max_failures,
                                            timedelta(minutes=settings.lock_minutes))
                store.record_action(actor=name, action="login_failed", target=f"user {name}",
                                    detail={"locked": locked}, now=now)
            flash("Identifiant ou mot de passe incorrect.")
            return render_template("login.html", next=target), 401
        store.login_succeeded(name, rehash)
        store.record_action(actor=name, action="login", target=f"user {name}", detail={}, now=now)
    session.clear()
    session.permanent = True
    session["user"], session["csrf"] = name, new_csrf_token()
    return redirect(target)


@pages.post("/logout")
def logout() -> Response:
    with _stores() as store:
        store.record_action(actor=g.user.name, action="logout", target=f"user {g.user.name}", detail={},
                            now=_clock())
    session.clear()
    return redirect(url_for("pages.login"))


# -- the queue --------------------------------------------------------------------------------------


@pages.get("/")
def queue() -> str:
    filters = Filters.of(request.args)
    now = _clock()
    with _stores() as store:
        items = Review(store, actor=g.user.name, clock=_clock).waiting()
        page = page_of(items, filters, now, current_app.config["SETTINGS"].web.page_size)
        week = store.agreement(now - timedelta(days=7))
    situations = sorted({i.situation for i in items if i.situation})
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "queue-rows":
        return render_template("_rows.html", page=page, filters=filters, now=now)
    return render_template("queue.html", page=page, filters=filters, now=now, situations=situations, week=week)


# -- one item ---------------------------------------------------------------------------------------


def _highlighted(text: str, spans: list[tuple[int, int, str]]) -> Markup:
    """The text, escaped, with each extracted value marked at its span (title: the field)."""
    out, at = [], 0
    for start, end, name in sorted(spans):
        if start < at or end > len(text):
            continue
        out.append(escape(text[at:start]))
        out.append(Markup('<mark title="{}">{}</mark>').format(words.FIELDS.get(name, name), text[start:end]))
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


def _spans(analysis: dict[str, Any], source: str) -> list[tuple[int, int, str]]:
    found = []
    for name, where in ((analysis.get("details") or {}).get("spans") or {}).items():
        for one in where if isinstance(where, list) else [where]:
            if isinstance(one, dict) and one.get("source") == source and isinstance(one.get("span"), list):
                found.append((int(one["span"][0]), int(one["span"][1]), name))
    return found


@pages.get("/message/<int:row_id>")
def message(row_id: int) -> str:
    from mailbot.read.analyze import request_texts

    with _stores() as store:
        view = Review(store, actor=g.user.name, clock=_clock).message(row_id)
        if view is None:
            abort(404)
        raw = store.kept_message(row_id)
        case = store.case(view.row.case_ref) if view.row.case_ref else None
        events = store.case_events(case.ref) if case else []
        audit = store.actions(f"message {row_id}")
        outbox = [(row, shown(store.outbox_row(row["id"]).raw)) for row in view.outbox]
    texts = request_texts(raw) if raw else {}
    leaves = mailview.parts(raw)
    analysis = view.analysis
    return render_template(
        "item.html", view=view, analysis=analysis, case=case, events=events, audit=audit, outbox=outbox,
        new_text=_highlighted(texts["new"], _spans(analysis, "new")) if texts else None,
        quoted_text=texts.get("quoted", ""), has_html=mailview.html_body(leaves) is not None,
        attachments=mailview.attachments(leaves), chain=analysis.get("chain") or [],
        chain_lines=chain_lines(analysis), decided=analysis.get("decided_by") or {}, fields=words.FIELDS,
        situations=words.SITUATIONS, quarantined=view.row.destination == "quarantine")


@pages.get("/message/<int:row_id>/html")
def message_html(row_id: int) -> Response:
    with _stores() as store:
        raw = store.kept_message(row_id)
    html = mailview.html_body(mailview.parts(raw))
    if html is None:
        abort(404)
    response = Response(mailview.safe_html(html), mimetype="text/html")
    response.headers["Content-Security-Policy"] = mailview.FRAME_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@pages.get("/message/<int:row_id>/attachment/<int:index>")
def message_attachment(row_id: int, index: int) -> Response:
    with _stores() as store:
        raw = store.kept_message(row_id)
    found = mailview.attachment(mailview.parts(raw), index)
    if found is None:
        abort(404)
    name, data = found
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = "attachment; filename*=UTF-8''" + _quoted(name)
    return response


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name.replace("\r", "").replace("\n", ""), safe="")


@pages.get("/case/<ref>")
def case(ref: str) -> Response:
    """A case opens on the message that put it in front of a person (its last one)."""
    with _stores() as store:
        rows = store.case_messages(ref.upper())
    if not rows:
        abort(404)
    return redirect(url_for("pages.message", row_id=rows[-1]["message_row"]))


@pages.get("/outbox/<int:outbox_id>")
def outbox(outbox_id: int) -> str:
    with _stores() as store:
        row = store.outbox_row(outbox_id)
        if row is None:
            abort(404)
        audit = store.actions(f"outbox {outbox_id}")
    return render_template("outbox.html", row=row, view=shown(row.raw), audit=audit)


# -- acting -----------------------------------------------------------------------------------------


def _told(done, what: str) -> None:
    if done.changed:
        flash(f"{what} : {', '.join(done.changed)}")
    if done.refused:
        flash(f"Déjà traité par quelqu'un d'autre ou impossible : {', '.join(done.refused)}", "refused")


def _back(default: str) -> Response:
    target = request.form.get("back") or default
    return redirect(target if target.startswith("/") and not target.startswith("//") else default)


@pages.post("/outbox/<int:outbox_id>/approve")
def approve(outbox_id: int) -> Response:
    with _stores() as store:
        _told(_review(store).approve([outbox_id]), "Approuvé (envoi dans la limite horaire)")
    return _back(url_for("pages.queue"))


@pages.post("/outbox/<int:outbox_id>/discard")
def discard(outbox_id: int) -> Response:
    with _stores() as store:
        _told(_review(store).discard([outbox_id]), "Abandonné (ne sera pas envoyé)")
    return _back(url_for("pages.queue"))


@pages.post("/outbox/<int:outbox_id>/edit")
def edit(outbox_id: int) -> Response:
    with _stores() as store:
        _told(_review(store).edit(outbox_id, request.form.get("text", "")), "Brouillon modifié")
    return _back(url_for("pages.outbox", outbox_id=outbox_id))


@pages.post("/message/<int:row_id>/resolve")
def resolve(row_id: int) -> Response:
    with _stores() as store:
        review = _review(store)
        row = store.message_row(row_id)
        if row is not None and row["case_ref"]:
            done = review.close([row["case_ref"]], request.form.get("note", "") or "répondu par une personne")
        else:
            done = review.resolve([row_id], request.form.get("note", "") or "répondu par une personne")
    _told(done, "Traité par une personne")
    return _back(url_for("pages.queue"))


@pages.post("/case/<ref>/close")
def close(ref: str) -> Response:
    with _stores() as store:
        _told(_review(store).close([ref], request.form.get("note", "") or "répondu par une personne"), "Dossier clos")
    return _back(url_for("pages.queue"))


@pages.post("/message/<int:row_id>/correct")
def correct(row_id: int) -> Response:
    situation = request.form.get("situation") or None
    assignments = [f"{name}={request.form[f'field_{name}']}" for name in words.FIELDS
                   if f"field_{name}" in request.form and request.form.get(f"was_{name}") != request.form[f"field_{name}"]]
    try:
        fields = parse_assignments(assignments)
    except CorrectionError as exc:
        flash(f"Correction refusée : {exc}", "refused")
        return redirect(url_for("pages.message", row_id=row_id))
    with _stores() as store:
        before = store.message_analysis(row_id)
        if before is not None and situation == before.analysis.get("situation") and not fields:
            situation = None
        if situation is None and not fields:
            flash("Rien à corriger : la lecture est inchangée.", "refused")
            return redirect(url_for("pages.message", row_id=row_id))
        review = _review(store, decisions=True)
        if request.form.get("preview"):
            done, rows = review.preview(row_id, situation=situation, fields=fields)
            if not done.refused:
                return render_template("preview.html", row_id=row_id, done=done, form=request.form,
                                       rows=[(row, shown(row.raw)) for row in rows])
        else:
            done = review.correct(row_id, situation=situation, fields=fields)
    if done.refused:
        flash(f"Correction refusée : {done.refused}", "refused")
    else:
        flash(f"Corrigé : décision {words.ACTIONS.get(done.action, done.action)}"
              + (f" ; réponse au client en file ({done.outbox_state})" if done.reply else "")
              + (f" ; transmis à {done.forward_to}" if done.forward_to else ""))
    return redirect(url_for("pages.message", row_id=row_id))


@pages.post("/message/<int:row_id>/requeue")
def requeue(row_id: int) -> Response:
    from mailbot.mail.sources import SourceRefused, SourceUnavailable, open_source

    with _stores() as store:
        review = _review(store)
        chosen, refused = review.to_requeue([row_id])
        message_id = chosen.get(row_id)
        if refused or not message_id:
            flash("Ce message n'est plus en quarantaine, ou sans Message-ID : déplacez-le à la main.", "refused")
            return redirect(url_for("pages.message", row_id=row_id))
        try:
            source = open_source(current_app.config["SETTINGS"])
            source.connect()
            try:
                count = source.requeue({message_id})
            finally:
                source.close()
        except (SourceRefused, SourceUnavailable) as exc:
            flash(f"Boîte aux lettres indisponible : {exc}", "refused")
            return redirect(url_for("pages.message", row_id=row_id))
        if count:
            _told(review.requeued([row_id]), "Remis dans la boîte de réception")
        else:
            flash("Introuvable dans le dossier de quarantaine (déplacé à la main ?)", "refused")
    return redirect(url_for("pages.queue"))


@pages.post("/bulk")
def bulk() -> Response:
    """Approve, or mark answered/close, the selected items at once (the "merci" answers)."""
    action = request.form.get("action")
    targets = request.form.getlist("target")
    outbox_ids = [int(t.split()[1]) for t in targets if t.startswith("outbox ") and t.split()[1].isdigit()]
    messages = [int(t.split()[1]) for t in targets if t.startswith("message ") and t.split()[1].isdigit()]
    cases = [t.split()[1] for t in targets if t.startswith("case ")]
    with _stores() as store:
        review = _review(store)
        if action == "approve":
            _told(review.approve(outbox_ids), "Approuvés")
        elif action == "close":
            _told(review.close(cases, "clos en lot par une personne"), "Dossiers clos")
            _told(review.resolve(messages, "traité en lot par une personne"), "Messages traités")
        else:
            flash("Action inconnue.", "refused")
    return redirect(url_for("pages.queue"))


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


pages.add_app_template_filter(as_json, "as_json")
