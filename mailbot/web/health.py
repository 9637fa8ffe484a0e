"""For the people who run mailbot: ``/healthz`` (no session, no data: does the database answer, when
did the daemon last finish a pass) and ``/metrics`` in Prometheus' text format, readable only with
the token of the settings (``[web] metrics_token_env``)."""

from __future__ import annotations

import os
from typing import Callable

from flask import Blueprint, Response, current_app, jsonify, request
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from mailbot.web.auth import same_token

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz() -> Response:
    try:
        with current_app.config["STORE"]() as store:
            store.db.execute("select 1").fetchone()
            last = store.state("last_pass")
    except Exception as exc:  # noqa: BLE001 - whatever fails, the answer is "not healthy"
        response = jsonify(database="unavailable", error=type(exc).__name__)
        response.status_code = 503
        return response
    return jsonify(database="ok", last_pass=last[1] if last else None,
                   last_pass_seconds=float(last[0]) if last else None)


class _Figures:
    """A collector reading the store at each scrape."""

    def __init__(self, store_factory: Callable, waiting: Callable) -> None:
        self.store_factory, self.waiting = store_factory, waiting

    def collect(self):
        with self.store_factory() as store:
            messages = GaugeMetricFamily("mailbot_messages", "Messages decided, by action and situation",
                                         labels=["action", "situation"])
            for row in store.db.execute("select coalesce(action, '-'), coalesce(situation, '-'), count(*) "
                                        "from messages group by 1, 2"):
                messages.add_metric([row[0], row[1]], row[2])
            outbox = GaugeMetricFamily("mailbot_outbox", "Outbox rows by state", labels=["state"])
            for state, count in store.db.execute("select state, count(*) from outbox group by state"):
                outbox.add_metric([state], count)
            queue = GaugeMetricFamily("mailbot_queue", "Items waiting for a person, by kind", labels=["kind"])
            for kind, count in self.waiting(store).items():
                queue.add_metric([kind], count)
            last = store.state("last_pass")
            duration = GaugeMetricFamily("mailbot_last_pass_seconds", "Duration of the daemon's last pass")
            duration.add_metric([], float(last[0]) if last else float("nan"))
        yield from (messages, outbox, queue, duration)


@health.get("/metrics")
def metrics() -> Response:
    expected = os.environ.get(current_app.config["METRICS_TOKEN_ENV"], "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not same_token(expected, given):
        return Response("a metrics token is needed (Authorization: Bearer …; [web] metrics_token_env)\n",
                        status=401, mimetype="text/plain")
    registry = CollectorRegistry()
    registry.register(_Figures(current_app.config["STORE"], current_app.config["QUEUE_COUNTS"]))
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4")
