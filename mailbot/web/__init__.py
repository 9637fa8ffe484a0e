"""The review web app: the queue of what waits for a person, one item, and a person's actions, on
the review service (service/review.py) that the CLI also uses.

Flask renders the pages on the server (Jinja), htmx (served from static/, no CDN, no build step)
refreshes the queue's rows, and waitress serves it (``mailbot web``). Every route but the login
page, /healthz and the static files needs a session; every POST needs the session's CSRF token.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, redirect, request, session, url_for

from mailbot.store import Store
from mailbot.web.auth import new_csrf_token, same_token

HERE = Path(__file__).resolve().parent
OPEN_ENDPOINTS = {"pages.login", "static", "health.healthz", "health.metrics"}
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class Stores:
    """One Store per server thread: SQLite connections stay in the thread that made them."""

    def __init__(self, path: Path):
        self.path, self.local = path, threading.local()

    @contextmanager
    def __call__(self) -> Iterator[Store]:
        store = getattr(self.local, "store", None)
        if store is None:
            store = self.local.store = Store(self.path)
        yield store


def create_app(settings, *, clock: Callable, app=None, store_path: Path | None = None) -> Flask:
    """The Flask app for ``settings`` (its [web] section and database). ``app`` is mailbot's App
    (rules and model, for corrections); None: built on the first correction."""
    from mailbot.web.health import health
    from mailbot.web.pages import pages, queue_counts

    web = settings.web
    path = store_path or settings.resolve(settings.database.path)
    stores = Stores(path)
    flask = Flask(__name__, template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"))
    with stores() as store:
        secret = os.environ.get(web.secret_key_env) or store.web_secret(clock())
    flask.config.update(
        SECRET_KEY=secret, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=urlsplit(web.base_url).scheme == "https", SESSION_COOKIE_NAME="mailbot_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=web.session_hours), MAX_CONTENT_LENGTH=2_000_000,
        STORE=stores, SETTINGS=settings, CLOCK=clock, MAILBOT_APP=app, QUEUE_COUNTS=queue_counts,
        METRICS_TOKEN_ENV=web.metrics_token_env, APP_LOCK=threading.Lock())
    flask.register_blueprint(pages)
    flask.register_blueprint(health)

    @flask.before_request
    def guard() -> Response | None:
        if "csrf" not in session:
            session["csrf"] = new_csrf_token()
        if request.method == "POST":
            given = request.form.get("csrf") or request.headers.get("X-CSRF-Token")
            if not same_token(session.get("csrf"), given):
                abort(400, description="jeton CSRF absent ou invalide : rechargez la page")
        g.user = None
        name = session.get("user")
        if name:
            with stores() as store:
                user = store.user(name)
            if user is None or user.disabled:
                session.clear()
            else:
                g.user = user
        if g.user is None and request.endpoint not in OPEN_ENDPOINTS:
            if request.headers.get("HX-Request"):
                return Response(status=401, headers={"HX-Redirect": url_for("pages.login")})
            return redirect(url_for("pages.login", next=request.full_path if request.method == "GET" else "/"))
        return None

    @flask.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response

    return flask
