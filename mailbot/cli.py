"""The command line: a thin click layer over the library.

Library errors that an operator must act on (a wrong setting, a refused login,
an unreachable server for ``once``) become one line on stderr and an exit
status (2 for settings and refusals, 1 for an unreachable server), never a
traceback.

Its size is the number of commands: each is a thin function over the library (review.py,
the store, the daemon); the rules a person applies live there, not here.
"""

from __future__ import annotations

import importlib
import json
import logging
import shutil
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from mailbot import __version__
from mailbot.config import SettingsError, load_settings, parse_settings, settings_path
from mailbot.paths import SAMPLES_DIR
from mailbot.terminal import printable, shorten, shorten_address

EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 1
EXIT_LOCAL = 3  # this machine's problem: the database or its disk (full, read-only, I/O error)
FIRST_LINES = 4  # of each message, in `cases show`

log = logging.getLogger("mailbot.cli")


def fail(message: str, status: int) -> None:
    click.echo(f"mailbot: error: {message}", err=True)
    sys.exit(status)


class _Commands(click.Group):
    """The command group; the web app's and the digests' commands (cli_web.py, cli_digest.py, which
    import this module) are registered the first time a command is looked up or listed."""

    def _web(self) -> None:
        for module in ("mailbot.cli_web", "mailbot.cli_digest"):  # register `web`, `users`, `digest` here
            importlib.import_module(module)

    def get_command(self, ctx: click.Context, cmd_name: str):
        self._web()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._web()
        return super().list_commands(ctx)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False),
              help="Settings file (default: $MAILBOT_SETTINGS, else ./settings.toml).")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(__version__, prog_name="mailbot")
@click.pass_context
def cli(ctx: click.Context, settings_file: str | None, verbose: int) -> None:
    """mailbot: answers the contracts-service mailbox of Canon France."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = {"settings_path": settings_path(settings_file), "explicit": bool(settings_file)}


def settings_of(ctx: click.Context, required: bool = True):
    """The checked settings; without a file and when not required, the defaults."""
    path: Path = ctx.obj["settings_path"]
    if not required and not path.exists() and not ctx.obj["explicit"]:
        return parse_settings({}, Path.cwd() / "settings.toml")
    try:
        return load_settings(path)
    except SettingsError as exc:
        fail(str(exc), EXIT_CONFIG)


def _serve(ctx: click.Context, once: bool) -> None:
    from mailbot.read.analyze import analyze
    from mailbot.app import App
    from mailbot.service.daemon import assemble, ready_line, run, stop_on_signals
    from mailbot.read.rules import RulesError
    from mailbot.mail.senders import SendRefused
    from mailbot.mail.sources import SourceRefused, SourceUnavailable
    from mailbot.store import LocalProblem

    settings = settings_of(ctx)
    try:
        # spaCy and the model are loaded now (~1 s), not on the first customer's mail
        service = assemble(App.build(settings), analyze, on_outcome=lambda outcome: click.echo(outcome.line()))
    except (SettingsError, RulesError) as exc:
        fail(str(exc), EXIT_CONFIG)
    except LocalProblem as exc:
        fail(str(exc), EXIT_LOCAL)
    stop = threading.Event()
    try:
        try:
            service.sender.check()
        except OSError as exc:
            logging.getLogger("mailbot").warning(
                "SMTP server %s:%s not usable now (%s): replies wait in the outbox",
                settings.smtp.host, settings.smtp.port, exc)
        with stop_on_signals(stop):
            run(service, stop, once=once, max_attempts=5 if once else None,
                on_ready=None if once else lambda: click.echo(f"{ready_line(settings)}; Ctrl-C stops"))
    except (SourceRefused, SendRefused, SettingsError) as exc:
        fail(str(exc), EXIT_CONFIG)
    except SourceUnavailable as exc:
        fail(str(exc), EXIT_UNAVAILABLE)
    except LocalProblem as exc:
        fail(str(exc), EXIT_LOCAL)
    finally:
        service.close()


@cli.command(name="run")
@click.pass_context
def run_command(ctx: click.Context) -> None:
    """Run the daemon: answer new mail as it arrives, until SIGTERM or Ctrl-C."""
    _serve(ctx, once=False)


@cli.command()
@click.pass_context
def once(ctx: click.Context) -> None:
    """Process what is waiting in the mailbox now, then exit."""
    _serve(ctx, once=True)


def eml_files(paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix == ".eml" and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise click.BadParameter(f"{name}: no such file or folder", param_hint="PATH")
    return files


@cli.command(name="analyze")
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per message per line.")
@click.pass_context
def analyze_command(ctx: click.Context, paths: tuple[str, ...], as_json: bool) -> None:
    """Show what mailbot understands of .eml files (files or folders)."""
    from mailbot.read.analyze import analyze
    from mailbot.app import App

    options = App.build(settings_of(ctx, required=False)).analysis_options()
    for path in eml_files(paths):
        result = analyze(path.read_bytes(), **options)
        if as_json:
            click.echo(json.dumps({"file": path.name, **result.as_dict()}, ensure_ascii=False))
        else:
            fields = ", ".join(f"{k}={v}" for k, v in result.fields.items() if v not in (None, [], False))
            click.echo(f"{path.name}: {result.situation} ({result.confidence:.2f}) -> {result.action}"
                       f"{'  missing: ' + ', '.join(result.missing) if result.missing else ''}"
                       f"{'  [' + fields + ']' if fields else ''}")


@cli.command(name="explain")
@click.argument("target", metavar="LEDGER_ID|FILE")
@click.pass_context
def explain_command(ctx: click.Context, target: str) -> None:
    """Why a message got its action: the decision chain, gate by gate.

    A ledger id (as `review list` shows, "message 42") prints the chain recorded when it was
    decided; an .eml file is analysed and decided now against the database, without writing
    anything: what would happen to it if it arrived now (with no database, the reading's gates).
    """
    from mailbot.service.explain import chain_lines

    path = Path(target)
    if target.isdigit() and not path.exists():
        with open_store(ctx) as store:
            row = store.message_analysis(int(target))
        if row is None:
            fail(f"no message {target} in the ledger", EXIT_CONFIG)
        click.echo(f"message {row.id}: {printable(row.subject or '(no subject)')} — from "
                   f"{row.sender or '?'}{' — case ' + row.case_ref if row.case_ref else ''} — "
                   f"filed under {row.destination or '-'}")
        for line in chain_lines(row.analysis):
            click.echo(line)
        return
    if not path.is_file():
        raise click.BadParameter(f"{target}: neither a ledger id nor a file", param_hint="LEDGER_ID|FILE")
    how, lines = explain_file(ctx, path)
    click.echo(f"{path.name}: decided now{how}")
    for line in lines:
        click.echo(line)


def explain_file(ctx: click.Context, path: Path) -> tuple[str, list[str]]:
    """Analyse and decide one file now: how (with or without the database), and the chain's lines."""
    from mailbot.read.analyze import analyze
    from mailbot.app import App
    from mailbot.decide.chain import decide
    from mailbot.service.explain import chain_lines
    from mailbot.decide.lookups import StoreContext

    app = App.build(settings_of(ctx, required=False))
    raw = path.read_bytes()
    analysis = analyze(raw, **app.analysis_options())
    database = app.settings.resolve(app.settings.database.path)
    how = " (no database: the reading's gates only)"
    if database.exists():
        with open_store(ctx) as store, store.transaction():
            context = StoreContext(store=store, settings=app.settings, rules=app.rules, now=app.clock(), raw=raw)
            decide(analysis, app.rules, app.tz, context)
        how = f" against {database}"
    return how, chain_lines(analysis.as_dict())


@cli.command(name="eval")
@click.argument("corpus_dirs", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of the readable report.")
@click.pass_context
def eval_command(ctx: click.Context, corpus_dirs: tuple[str, ...], as_json: bool) -> None:
    """Score analyze against labelled corpora (DIR/labels.jsonl, see corpus/FORMAT.md).

    One corpus: its figures and every error. Several, or none (the dev corpus,
    tests/corpus/holdout, tune and the sealed halves sealed … sealed36): their figures side
    by side, without the errors (a sealed corpus is scored, never read).
    """
    from mailbot.read.evaluate import CorpusError, evaluate, report_lines, side_by_side
    from mailbot.paths import DEFAULT_CORPORA

    settings = settings_of(ctx, required=False)
    folders = list(corpus_dirs) or [str(p) for p in DEFAULT_CORPORA if (p / "labels.jsonl").is_file()]
    if not folders:
        fail("no corpus given and none of the default corpora is here", EXIT_CONFIG)
    try:
        reports = [evaluate(folder, own_addresses=settings.own_addresses, timezone=settings.bot.timezone)
                   for folder in folders]
    except CorpusError as exc:
        fail(str(exc), EXIT_CONFIG)
    if as_json:
        data = [r.as_dict() for r in reports]
        click.echo(json.dumps(data[0] if len(corpus_dirs) == 1 else data, ensure_ascii=False, default=str))
    elif len(corpus_dirs) == 1:
        click.echo("\n".join(report_lines(reports[0])))
    else:
        click.echo("\n".join(side_by_side(reports)))


@cli.command()
@click.argument("ids", nargs=-1, type=int, metavar="[ID]...")
@click.pass_context
def requeue(ctx: click.Context, ids: tuple[int, ...]) -> None:
    """Move quarantined messages back to the inbox, to be processed again; with IDS (`message N` in
    `review list`), only those. They leave the review queue, each with its audit line."""
    from mailbot.mail.sources import SourceRefused, SourceUnavailable, open_source

    settings = settings_of(ctx)
    known = settings.resolve(settings.database.path).exists()
    chosen: dict[int, str | None] = {}
    if ids:
        if not known:
            fail("requeue ID: no database yet, nothing was quarantined", EXIT_CONFIG)
        with open_store(ctx) as store:
            chosen, refused = review_of(store).to_requeue(ids)
        refused += [str(r) for r, message_id in chosen.items() if not message_id]
        if refused:
            fail(f"not a quarantined message waiting, or without a Message-ID to find it by: "
                 f"{', '.join(refused)} (move it by hand, then `review resolve`)", EXIT_UNAVAILABLE)
    try:
        source = open_source(settings)
        source.connect()
        try:
            count = source.requeue({m for m in chosen.values() if m} if ids else None)
        finally:
            source.close()
    except (SettingsError, SourceRefused) as exc:
        fail(str(exc), EXIT_CONFIG)
    except SourceUnavailable as exc:
        fail(str(exc), EXIT_UNAVAILABLE)
    if ids and not count:
        fail(f"not found in the quarantine folder: message {', '.join(map(str, ids))} (moved by hand?)",
             EXIT_UNAVAILABLE)
    if count and known:
        with open_store(ctx) as store:
            review = review_of(store)
            review.requeued(chosen if ids else review.to_requeue()[0])
    click.echo(f"{count} quarantined message(s) moved back to {settings.mailbox.folder}")


@cli.command(name="seed-demo")
@click.option("--force", is_flag=True, help="Seed again even if the inbox was seeded before.")
@click.pass_context
def seed_demo(ctx: click.Context, force: bool) -> None:
    """Copy the bundled sample mails into the Maildir inbox (for `make run`)."""
    from mailbot.mail.sources.maildir import make_maildir

    settings = settings_of(ctx)
    if settings.mailbox.kind != "maildir":
        fail("mailbox.kind: seed-demo only fills a Maildir inbox", EXIT_CONFIG)
    inbox = make_maildir(settings.resolve(settings.mailbox.path))
    marker = inbox / ".mailbot-seeded"
    if marker.exists() and not force:
        click.echo(f"{inbox}: already seeded (use --force to seed again)")
        return
    samples = sorted(SAMPLES_DIR.glob("*.eml"))
    # Seeding again needs new keys (the ledger knows the old ones); the same
    # Message-IDs are then reported as duplicates, which is what they are.
    suffix = f".{int(time.time())}" if marker.exists() else ""
    for sample in samples:
        name = sample.stem + suffix
        shutil.copyfile(sample, inbox / "tmp" / name)
        (inbox / "tmp" / name).rename(inbox / "new" / name)
    marker.touch()
    click.echo(f"{inbox}: {len(samples)} sample mails seeded")


@contextmanager
def open_store(ctx: click.Context, create: bool = False):
    """The database of the settings, closed after use; a clear error when it
    cannot be opened, or (unless ``create``) does not exist yet."""
    from mailbot.app import open_store as open_database
    from mailbot.store import LocalProblem

    try:
        store = open_database(settings_of(ctx), create=create)
    except SettingsError as exc:
        fail(str(exc), EXIT_CONFIG)
    except LocalProblem as exc:
        fail(str(exc), EXIT_LOCAL)
    try:
        yield store
    finally:
        store.close()


def review_of(store, app=None):
    """The review service, acting as the person at this terminal (their login name in the audit);
    with an App, it can also correct readings."""
    import getpass

    from mailbot.app import utcnow
    from mailbot.service.decisions import Decisions
    from mailbot.service.review import Review

    return Review(store, actor=getpass.getuser(), clock=app.clock if app else utcnow,
                  decisions=Decisions(app, store) if app else None)


def display_zone(ctx: click.Context) -> ZoneInfo:
    """The time zone times are shown in: the settings' bot.timezone (the store keeps UTC)."""
    return ZoneInfo(settings_of(ctx).bot.timezone)


def local_time(value: str | None, zone: ZoneInfo) -> str:
    """A time of the store (ISO 8601, UTC) as the operator reads it: in ``zone``, to the minute."""
    if not value:
        return "-"
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


@cli.group()
def outbox() -> None:
    """Replies and forwards waiting: drafts to approve, replies held by the brake."""


@outbox.command(name="list")
@click.option("--state", "states", multiple=True,
              type=click.Choice(["draft", "held", "unconfirmed", "failed", "pending", "sent", "shadow",
                                 "discarded"]),
              help="Only these states (default: draft, held, unconfirmed, failed).")
@click.pass_context
def outbox_list(ctx: click.Context, states: tuple[str, ...]) -> None:
    """List the outbox rows that wait for a person (`outbox show ID` shows one)."""
    from mailbot.store import DRAFT, FAILED, HELD, UNCONFIRMED

    zone = display_zone(ctx)
    with open_store(ctx) as store:
        rows = store.list_outbox(states or (DRAFT, HELD, UNCONFIRMED, FAILED))
    for r in rows:
        click.echo(f"{r['id']:>6}  {r['state']:<11} {r['kind']:<13} {r['case_ref'] or '-':<18} "
                   f"{r['recipient'] or '-':<36} {local_time(r['created_at'], zone)}"
                   + (f"  ({printable(r['last_error'])})" if r["last_error"] else ""))
    click.echo(f"{len(rows)} row(s)")


@outbox.command(name="show")
@click.argument("outbox_id", metavar="ID", type=int)
@click.pass_context
def outbox_show(ctx: click.Context, outbox_id: int) -> None:
    """One reply or forward as its recipient will get it: From, To, Subject and the text, decoded."""
    from mailbot.compose.shown import shown
    from mailbot.store import DRAFT, HELD

    zone = display_zone(ctx)
    with open_store(ctx) as store:
        row = store.outbox_row(outbox_id)
    if row is None:
        fail(f"no outbox row {outbox_id} (see `mailbot outbox list`)", EXIT_UNAVAILABLE)
    click.echo(f"outbox {row.id}: {row.state} {row.kind}, case {row.case_ref or '-'}, "
               f"created {local_time(row.created_at, zone)}"
               + (f", sent {local_time(row.sent_at, zone)}" if row.sent_at else "")
               + (f"  ({printable(row.last_error)})" if row.last_error else ""))
    if row.state == DRAFT:
        click.echo(f"  approve: mailbot outbox release {row.id}    drop: mailbot outbox discard {row.id}")
    elif row.state == HELD:
        click.echo("  held: sent at the daemon's next pass, within [limits] per_hour")
    view = shown(row.raw)
    click.echo("")
    for name, value in view.headers:
        click.echo(f"{name}: {printable(value)}")
    if view.attached:
        click.echo(f"Attached: {printable(', '.join(view.attached))}")
    click.echo("")
    for line in view.text.splitlines():
        click.echo(printable(line.expandtabs()) if line.strip() else "")


@outbox.command(name="release")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "everything", is_flag=True, help="Every draft.")
@click.pass_context
def outbox_release(ctx: click.Context, ids: tuple[int, ...], everything: bool) -> None:
    """Approve drafts (IDS from `outbox list`): sent at the daemon's next pass, within [limits] per_hour.
    Approving the forward of a complete case makes the case routed."""
    if not ids and not everything:
        fail("give the ids of the drafts to approve (see `mailbot outbox list`) or --all", EXIT_CONFIG)
    with open_store(ctx) as store:
        done = review_of(store).approve(None if everything else ids)
    log.info("%d draft(s) approved by a person (%s)%s", len(done.changed), "all" if everything else
             ", ".join(map(str, ids)), f"; case(s) now routed: {', '.join(done.routed)}" if done.routed else "")
    click.echo(f"{len(done.changed)} draft(s) approved: sent at the daemon's next pass (or by `mailbot once`), "
               f"within the hourly limit")
    if done.routed:
        click.echo(f"{len(done.routed)} case(s) now routed (their forward is approved): {', '.join(done.routed)}")
    if done.refused:
        fail(f"{len(done.refused)} id(s) were not drafts", EXIT_UNAVAILABLE)


@outbox.command(name="edit")
@click.argument("outbox_id", metavar="ID", type=int)
@click.option("--file", "text_file", type=click.File("r", encoding="utf-8"), default="-", show_default="stdin",
              help="The new text of the draft (UTF-8).")
@click.pass_context
def outbox_edit(ctx: click.Context, outbox_id: int, text_file) -> None:
    """Replace the text of draft ID by your own before approving it (`outbox show ID` shows the bot's):
    the text and HTML parts become your text; recipients, subject, threading and attached originals stay."""
    text = text_file.read()
    with open_store(ctx) as store:
        done = review_of(store).edit(outbox_id, text)
    if done.refused:
        fail(f"outbox {outbox_id}: not a draft, or the text is empty (see `mailbot outbox list`)", EXIT_UNAVAILABLE)
    click.echo(f"draft {outbox_id} edited; approve it with `mailbot outbox release {outbox_id}`")


@outbox.command(name="discard")
@click.argument("ids", nargs=-1, type=int, required=True)
@click.pass_context
def outbox_discard(ctx: click.Context, ids: tuple[int, ...]) -> None:
    """Never send these drafts or held replies (a person answers instead)."""
    with open_store(ctx) as store:
        done = review_of(store).discard(ids)
    click.echo(f"{len(done.changed)} row(s) discarded")
    if done.refused:
        fail(f"{len(done.refused)} id(s) were not draft or held rows", EXIT_UNAVAILABLE)


@cli.group()
def suppressions() -> None:
    """Addresses not written to because they bounced."""


@suppressions.command(name="list")
@click.pass_context
def suppressions_list(ctx: click.Context) -> None:
    """List the addresses not written to, until when, and why."""
    from mailbot.app import utcnow

    zone = display_zone(ctx)
    with open_store(ctx) as store:
        rows = store.suppressions(utcnow())
    for r in rows:
        click.echo(f"{r['address']:<40} until {local_time(r['until'], zone)}  {printable(r['reason'])}")
    click.echo(f"{len(rows)} address(es) suppressed")


@suppressions.command(name="clear")
@click.argument("addresses", nargs=-1, required=True)
@click.pass_context
def suppressions_clear(ctx: click.Context, addresses: tuple[str, ...]) -> None:
    """Write to ADDRESSES again."""
    with open_store(ctx) as store:
        cleared = [a for a in addresses if store.clear_suppression(a)]
    click.echo(f"{len(cleared)} suppression(s) cleared")
    if len(cleared) < len(addresses):
        fail("not suppressed: " + ", ".join(sorted(set(addresses) - set(cleared))), EXIT_UNAVAILABLE)


@cli.group(name="cases")
def cases_group() -> None:
    """Cases: one customer request across its messages."""


@cases_group.command(name="list")
@click.option("--state", default=None, help="Only cases in this state (awaiting_customer, complete, "
              "routed, in_review, closed).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1),
              help="Show at most this many, newest first.")
@click.pass_context
def cases_list(ctx: click.Context, state: str | None, limit: int) -> None:
    """The latest cases, newest first (`cases show REF` shows one)."""
    from mailbot.decide.cases import STATES

    if state is not None and state not in STATES:
        fail(f"--state: {state!r} is not one of {', '.join(STATES)}", EXIT_CONFIG)
    zone = display_zone(ctx)
    with open_store(ctx) as store:
        rows = store.list_cases(state, limit=limit)
        total = store.count_cases(state)
    for r in rows:
        click.echo(f"{r.ref:<18} {r.state:<18} {r.situation:<24} {r.sender or '-':<36} "
                   f"{local_time(r.updated_at, zone)}")
    more = total - len(rows)
    again = f"--state {state} --limit {total}" if state else f"--limit {total}"
    click.echo(f"{len(rows)} case(s)" + (f" … and {more} more: {again}" if more > 0 else ""))


def event_text(kind: str, detail: Any) -> str:
    """One event of a case's history, as a person reads it."""
    if not isinstance(detail, dict):
        return json.dumps(detail, ensure_ascii=False)
    if kind == "message":
        return (f"row {detail.get('row')} {printable(str(detail.get('message_id') or '(no Message-ID)'))}, "
                f"{detail.get('action')}" + (f", joined by {detail['joined_by']}" if detail.get("joined_by") else ""))
    if kind == "changed":
        return f"{detail.get('field')}: {printable(repr(detail.get('old')))} → {printable(repr(detail.get('new')))}"
    if kind == "state":
        return (f"{detail.get('from') or 'new'} → {detail.get('to')}"
                + (f" ({printable(str(detail['why']))})" if detail.get("why") else ""))
    if kind == "reminder":
        return f"to {detail.get('to')}, missing {', '.join(detail.get('missing') or []) or '-'}"
    return printable(json.dumps(detail, ensure_ascii=False))


def first_lines(raw: bytes, count: int = FIRST_LINES) -> list[str]:
    """The first ``count`` non-blank lines of a message's text, as mailbot read it (mime.parse)."""
    from mailbot.read.mime import parse

    lines = [printable(line) for line in parse(raw or b"").text.splitlines() if line.strip()]
    return [line if len(line) <= 100 else line[:99] + "…" for line in lines[:count]]


@cases_group.command(name="show")
@click.argument("ref")
@click.pass_context
def cases_show(ctx: click.Context, ref: str) -> None:
    """One case: its state (and why it is in review), merged fields, history and the start of each message."""
    from mailbot.decide.cases import COMPLETE, IN_REVIEW
    from mailbot.service.review import review_reason_of_case

    zone = display_zone(ctx)
    with open_store(ctx) as store:
        case = store.case(ref.upper())
        if case is None:
            fail(f"no case {ref}", EXIT_UNAVAILABLE)
        events = store.case_events(case.ref)
        messages = store.case_messages(case.ref)
        why = review_reason_of_case(store, case.state, events) if case.state == IN_REVIEW else ""
    subject = next((m["subject"] for m in messages if m["subject"]), None) or (case.snapshot or {}).get("subject")
    click.echo(f"{case.ref}  {case.situation}  {case.state}  {case.sender or '-'}"
               + (f"  (customer {case.customer_number})" if case.customer_number else ""))
    click.echo(f"  subject: {printable(subject or '-')}")
    click.echo(f"  opened {local_time(case.created_at, zone)}, last change {local_time(case.updated_at, zone)}")
    if why:
        click.echo(f"  in review because: {printable(why)}")
    if case.forwarded_to:
        click.echo(f"  forward to {case.forwarded_to} waits for approval (`mailbot outbox list`)"
                   if case.state == COMPLETE else f"  forwarded to: {case.forwarded_to}")
    fields = [(k, v) for k, v in case.fields.items() if v not in (None, "", [], False)]
    if fields:
        click.echo("  fields:")
    for key, value in fields:
        click.echo(f"    {key}: {printable(', '.join(map(str, value)) if isinstance(value, list) else str(value))}")
    click.echo("  history:")
    for event in events:
        click.echo(f"    {local_time(event['at'], zone)}  {event['kind']}: {event_text(event['kind'], event['detail'])}")
    click.echo(f"  messages ({len(messages)}):")
    for number, message in enumerate(messages, 1):
        click.echo(f"    {number}. {local_time(message['received_at'], zone)}  {printable(message['sender'] or '-')}  "
                   f"\"{printable(message['subject'] or '')}\"")
        for line in first_lines(message["raw"]) or ["(no text)"]:
            click.echo(f"       | {line}")


@cases_group.command(name="close")
@click.argument("refs", nargs=-1, required=True)
@click.option("--note", default="", help="Why (kept in the case's history).")
@click.pass_context
def cases_close(ctx: click.Context, refs: tuple[str, ...], note: str) -> None:
    """Close cases a person has finished (routed, in review...): a later message opens a new case."""
    with open_store(ctx) as store:
        done = review_of(store).close(refs, note)
    click.echo(f"{len(done.changed)} case(s) closed")
    if done.refused:
        fail("not found or already closed: " + ", ".join(done.refused), EXIT_UNAVAILABLE)


@cli.group(name="review")
def review_group() -> None:
    """What waits for a person: cases and messages in review, quarantine, drafts, held and unsent replies."""


def age(since: str, now: datetime) -> str:
    """How long something has waited, as a person reads it: 12 min, 5 h, 3 d."""
    try:
        seconds = (now - datetime.fromisoformat(since)).total_seconds()
    except (TypeError, ValueError):
        return "?"
    minutes = max(0, int(seconds // 60))
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // 1440} d"


@review_group.command(name="list")
@click.option("--kind", "kinds", multiple=True, metavar="KIND",
              help="Only these kinds (repeatable): case, message, quarantine, draft, held, unconfirmed, failed, "
                   "silent.")
@click.option("--limit", default=50, show_default=True, help="Lines shown; the count of the others is said.")
@click.pass_context
def review_list(ctx: click.Context, kinds: tuple[str, ...], limit: int) -> None:
    """The queue, most urgent first: doubts about the sender (trust, fraud), then what the bot could not
    read or decide, unsent and drafted replies, and customers silent after the reminder; oldest first."""
    from mailbot.app import utcnow
    from mailbot.service.review import KINDS

    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        fail(f"--kind {unknown[0]}: not one of {', '.join(KINDS)}", EXIT_CONFIG)
    now = utcnow()
    with open_store(ctx) as store:
        items = review_of(store).waiting(kinds or KINDS)
    counts = {kind: sum(1 for i in items if i.kind == kind) for kind in KINDS}
    click.echo(f"{len(items)} waiting" + "".join(f", {n} {kind}" for kind, n in counts.items() if n))
    for item in items[:limit]:
        click.echo(f"{item.kind:<11} {item.target:<28} {age(item.since, now):>7}  "
                   f"{shorten_address(item.who, 34) or '-':<34}  {shorten(item.what, 40)}"
                   f"{'  [doubt]' if item.doubt else ''}")
        click.echo(f"    why: {shorten(item.reason, 160)}")
    if len(items) > limit:
        click.echo(f"… and {len(items) - limit} more (--limit)")


@review_group.command(name="show")
@click.argument("target", nargs=-1, required=True, metavar="TARGET")
@click.pass_context
def review_show(ctx: click.Context, target: tuple[str, ...]) -> None:
    """One item of `review list` (TARGET as it shows it: "message 42", "case WFPS-2026-000123",
    "outbox 7"): where it is and why, what was read, the decision chain, what was queued for it."""
    words = " ".join(target).split()
    kind, _, ident = (" ".join(words) if len(words) > 1 else
                      f"{'message' if words[0].isdigit() else 'case'} {words[0]}").partition(" ")
    if kind == "outbox" and ident.isdigit():
        ctx.invoke(outbox_show, outbox_id=int(ident))
    elif kind == "case":
        ctx.invoke(cases_show, ref=ident)
        show_case_chain(ctx, ident)
    elif kind == "message" and ident.isdigit():
        show_message(ctx, int(ident))
    else:
        raise click.BadParameter(f"{' '.join(target)}: not \"message N\", \"case REF\" or \"outbox N\"",
                                 param_hint="TARGET")


def show_message(ctx: click.Context, row_id: int) -> None:
    from mailbot.service.explain import chain_lines

    zone = display_zone(ctx)
    with open_store(ctx) as store:
        view = review_of(store).message(row_id)
    if view is None:
        fail(f"no message {row_id} in the ledger", EXIT_UNAVAILABLE)
    row, analysis = view.row, view.analysis
    click.echo(f"message {row.id}: {printable(row.subject or '(no subject)')}")
    click.echo(f"  from {printable(row.sender or '-')}, received {local_time(row.created_at, zone)}, "
               f"filed under {row.destination or '-'}, case {row.case_ref or '-'}"
               f"{', resolved by a person' if view.resolved else ''}")
    if view.reason:
        click.echo(f"  why a person: {printable(view.reason)}")
    click.echo(f"  read as {analysis.get('situation', '?')} ({float(analysis.get('confidence') or 0):.2f}), "
               f"action {analysis.get('action', '?')}"
               + (f", missing {', '.join(analysis['missing'])}" if analysis.get("missing") else "")
               + (", late" if analysis.get("lead_time_ok") is False else ""))
    for key, value in view.fields:
        click.echo(f"    {key}: {printable(', '.join(map(str, value)) if isinstance(value, list) else str(value))}")
    click.echo("  decision chain:")
    for line in chain_lines(analysis):
        click.echo(f"  {printable(line)}")
    for out in view.outbox:
        click.echo(f"  outbox {out['id']}: {out['kind']} to {out['recipient'] or '-'}, {out['state']}"
                   f" (`mailbot outbox show {out['id']}`)")


def show_case_chain(ctx: click.Context, ref: str) -> None:
    """Under `cases show`: the chain of the message that set the case's state (sent it to a person)."""
    from mailbot.service.explain import chain_lines
    from mailbot.service.review import review_analysis_of_case

    with open_store(ctx) as store:
        case = store.case(ref.upper())
        analysis = review_analysis_of_case(store, case.state, store.case_events(case.ref)) if case else {}
    if analysis:
        click.echo("  decision chain of the message that set its state:")
        for line in chain_lines(analysis):
            click.echo(f"    {printable(line)}")


@review_group.command(name="correct")
@click.argument("row_id", metavar="ID", type=int)
@click.option("--situation", default=None, help="The right situation (po_change, equipment_move, …).")
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE",
              help="A field as it should have been read (repeatable; an empty value clears it): contract_number, "
                   "serial_numbers (comma-separated), po_number, customer_number, effective_date, "
                   "new_address_postcode, new_email, siren, kbis (yes/no).")
@click.pass_context
def review_correct(ctx: click.Context, row_id: int, situation: str | None, assignments: tuple[str, ...]) -> None:
    """Correct the reading of message ID (its case in review, `review list`), then let the bot answer
    and route it as if it had read it right: the reply and forward are queued (sent at the daemon's
    next pass, within the limits); trust, fraud and the limits still apply. Done once per message."""
    from mailbot.app import App
    from mailbot.service.corrections import CorrectionError, parse_assignments

    if situation is None and not assignments:
        fail("say what to correct: --situation and/or --set FIELD=VALUE", EXIT_CONFIG)
    try:
        fields = parse_assignments(assignments)
    except CorrectionError as exc:
        fail(str(exc), EXIT_CONFIG)
    app = App.build(settings_of(ctx))
    with open_store(ctx) as store:
        done = review_of(store, app).correct(row_id, situation=situation, fields=fields)
    if done.refused:
        fail(done.refused, EXIT_UNAVAILABLE)
    click.echo(f"message {row_id} (case {done.case_ref}) decided again: {done.action}"
               + (f"; {done.reply} to the customer queued ({done.outbox_state})" if done.reply else "")
               + (f"; forward to {done.forward_to} queued" if done.forward_to else ""))
    if done.reason:
        click.echo(f"    still for a person: {done.reason}")


@review_group.command(name="resolve")
@click.argument("ids", nargs=-1, type=int, required=True)
@click.option("--note", default="", help="What was done (kept in the audit).")
@click.pass_context
def review_resolve(ctx: click.Context, ids: tuple[int, ...], note: str) -> None:
    """Messages without a case (IDS: `message N` in `review list`) a person has dealt with: they leave the
    queue. Cases are closed with `cases close`, drafts approved or discarded with `outbox`."""
    with open_store(ctx) as store:
        done = review_of(store).resolve(ids, note)
    click.echo(f"{len(done.changed)} message(s) resolved")
    if done.refused:
        fail("not a message without a case: " + ", ".join(done.refused) + " (close its case with `cases close`)",
             EXIT_UNAVAILABLE)


@cli.group()
def directory() -> None:
    """The customer directory (customers, domains, contracts, equipment)."""


@directory.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def directory_import(ctx: click.Context, file: str) -> None:
    """Replace the customer directory by FILE (CSV, one row per equipment; see README)."""
    from mailbot.decide.directory import DirectoryError, read_csv
    from mailbot.store import replace_directory

    settings_of(ctx)
    try:
        rows = read_csv(file)
    except DirectoryError as exc:
        fail(str(exc), EXIT_CONFIG)
    with open_store(ctx, create=True) as store:
        counts = replace_directory(store, rows)
    click.echo(f"directory imported from {file}: {counts['customers']} customers, "
               f"{counts['customer_domains']} e-mail domains, {counts['contracts']} contracts, "
               f"{counts['equipment']} equipment")


@cli.command()
@click.argument("corpus_dirs", nargs=-1, required=True)
@click.option("--out", "out_file", type=click.Path(dir_okay=False), required=True,
              help="JSONL file to write (classifiers/examples/corpus_tune.jsonl for the shipped model).")
def examples(corpus_dirs: tuple[str, ...], out_file: str) -> None:
    """Write labelled corpora's person-written mails as training examples of the classifier: subject, blank
    line, the body as analyze reads it, and the labelled situation (`make model` runs it on tests/corpus/tune,
    then `mailbot train`)."""
    import tempfile
    from collections import Counter

    from mailbot.read.evaluate import CorpusError, corpus_examples
    from mailbot.read.rules import RulesError, load_rules

    rows, skipped = [], 0
    try:
        known = set(load_rules().situations)
        for folder in corpus_dirs:
            found, left = corpus_examples(folder)
            unknown = sorted({row["label"] for row in found} - known)
            if unknown:
                fail(f"{folder}: situations not in situations.toml: {', '.join(unknown)}", EXIT_CONFIG)
            rows += found
            skipped += left
    except (CorpusError, RulesError) as exc:
        fail(str(exc), EXIT_CONFIG)
    out = Path(out_file)
    try:  # written beside the target and swapped in whole: a failed write leaves the old file as it was
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, fresh = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".new")
        try:
            with open(handle, "w", encoding="utf-8") as stream:
                stream.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
            Path(fresh).chmod(0o644)  # mkstemp's file is its owner's alone; examples are data like any other
            Path(fresh).replace(out)
        except BaseException:
            Path(fresh).unlink(missing_ok=True)
            raise
    except OSError as exc:
        fail(f"{out}: cannot write: {exc.strerror or exc}", EXIT_LOCAL)
    counts = Counter(row["label"] for row in rows)
    click.echo(f"{len(rows)} examples written to {out} ({skipped} skipped: automated, or no words of their own)"
               + "".join(f"\n  {label:<24} {n:>5}" for label, n in sorted(counts.items())))


@cli.command()
@click.option("--examples", "examples_dir", type=click.Path(file_okay=False), default=None,
              help="Folder of *.jsonl training examples (default: classifiers/examples).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder to save the model into (default: classifiers/model).")
@click.option("--with-corrections", is_flag=True,
              help="Also learn from the desk's corrections kept in the database (review correct, the web app).")
@click.pass_context
def train(ctx: click.Context, examples_dir: str | None, out_dir: str | None, with_corrections: bool) -> None:
    """Train the situation classifier (spaCy textcat) on the examples and save it; with
    --with-corrections, also on the desk's corrections kept in the database (added beside the
    project's examples, never in place of one)."""
    import time
    from collections import Counter

    from mailbot.read import textcat
    from mailbot.read.rules import RulesError, load_rules

    examples_path = Path(examples_dir) if examples_dir else textcat.EXAMPLES_DIR
    out = Path(out_dir) if out_dir else textcat.MODEL_DIR
    try:
        examples = textcat.read_examples(examples_path)
        known = set(load_rules().situations)
    except (textcat.ExamplesError, RulesError) as exc:
        fail(str(exc), EXIT_CONFIG)
    if with_corrections:
        examples += corrections_as_examples(ctx, examples)
    counts = Counter(example.label for example in examples)
    unknown = sorted(set(counts) - known)
    if unknown:
        fail(f"{examples_path}: labels not in situations.toml: {', '.join(unknown)}", EXIT_CONFIG)
    click.echo(f"{len(examples)} examples from {examples_path}:")
    for label in sorted(known | set(counts)):
        click.echo(f"  {label:<24} {counts.get(label, 0):>4}{'  (no examples!)' if not counts.get(label) else ''}")
    started = time.perf_counter()
    model = textcat.train(
        examples, progress=lambda epoch, epochs, loss: click.echo(f"epoch {epoch:>2}/{epochs}  loss {loss:.4f}"))
    model.save(out)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    click.echo(f"training accuracy {model.meta['training_accuracy']:.3f} "
               f"({len(examples)} examples, {time.perf_counter() - started:.1f} s)")
    click.echo(f"saved to {out} ({size / 1024:.0f} KB, examples sha256 {model.meta['examples_sha256'][:12]})")


def corrections_as_examples(ctx: click.Context, examples: list) -> list:
    """The desk's corrections (the web app's and `review correct`'s) as labelled examples; a correction
    whose text is a project example's with another label is said, and both are kept."""
    from mailbot.read.textcat import LabelledText

    with open_store(ctx) as store:
        rows = store.examples()
    own = {e.text.strip(): e.label for e in examples}
    added = [LabelledText(r["text"], r["situation"], where=f"correction {r['id']} by {r['actor']}") for r in rows]
    clashes = [a for a in added if own.get(a.text.strip()) not in (None, a.label)]
    click.echo(f"{len(added)} correction(s) of the desk added to the examples"
               + (f"; {len(clashes)} give another situation than a project example of the same text "
                  f"(both kept): {', '.join(c.where for c in clashes)}" if clashes else ""))
    return added


def main() -> None:
    cli(prog_name="mailbot")
