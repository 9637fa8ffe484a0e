"""The commands of the managers' digests: show one, send one by hand, and each recipient's choices.
Registered on the main command group by cli.py."""

from __future__ import annotations

import sys
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from mailbot.cli import EXIT_CONFIG, EXIT_UNAVAILABLE, cli, fail, open_store, settings_of


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--date {value!r}: expected a date like 2026-12-03", EXIT_CONFIG)
        raise


def _recipient(ctx: click.Context, store, to: str | None):
    """The recipient ``to`` as the settings and the directory make them; None: the whole service."""
    from mailbot.read.rules import load_rules
    from mailbot.service.digests import recipients, whole_service

    settings = settings_of(ctx)
    if to is None:
        return whole_service(settings, store)
    chosen = next((r for r in recipients(settings, load_rules(), store) if r.address == to.strip().lower()), None)
    if chosen is None:
        fail(f"{to}: not a digest recipient ([digest] service_managers, or a colleague of the directory; "
             f"`mailbot digest recipients list`)", EXIT_UNAVAILABLE)
    return chosen


@cli.group(name="digest")
def digest_group() -> None:
    """Managers' daily digests: what happened, what is late, what is stuck."""


@digest_group.command(name="show")
@click.option("--date", "day", required=True, help="The local day it covers (2026-12-03).")
@click.option("--to", default=None, help="A recipient's digest (default: the whole service's).")
@click.pass_context
def digest_show(ctx: click.Context, day: str, to: str | None) -> None:
    """Write the digest (the MIME message) to standard output; nothing is sent or recorded."""
    from mailbot.app import utcnow
    from mailbot.compose.digest import digest_message
    from mailbot.service.digests import build

    settings = settings_of(ctx)
    with open_store(ctx) as store:
        recipient = _recipient(ctx, store, to)
        raw = digest_message(build(store, settings, recipient, _day(day), utcnow()), settings, utcnow())
    sys.stdout.buffer.write(raw)


@digest_group.command(name="send")
@click.option("--date", "day", required=True, help="The local day it covers (2026-12-03).")
@click.option("--to", default=None, help="Only this recipient (default: every recipient).")
@click.option("--again", is_flag=True, help="Send it even if this day's digest was sent to them already.")
@click.pass_context
def digest_send(ctx: click.Context, day: str, to: str | None, again: bool) -> None:
    """Send a day's digest by hand: recorded, then sent; at most once per recipient and day unless --again."""
    from mailbot.app import utcnow
    from mailbot.compose.digest import digest_message
    from mailbot.mail.outbox import flush
    from mailbot.mail.senders import open_sender
    from mailbot.read.rules import load_rules
    from mailbot.service.digests import build, recipients

    settings, chosen_day, now = settings_of(ctx), _day(day), utcnow()
    with open_store(ctx) as store:
        targets = [_recipient(ctx, store, to)] if to else recipients(settings, load_rules(), store)
        if not targets:
            fail("no digest recipient: set [digest] service_managers, or import a directory", EXIT_CONFIG)
        queued = 0
        for recipient in targets:
            raw = digest_message(build(store, settings, recipient, chosen_day, now), settings, now)
            if store.record_digest(recipient.address, chosen_day.isoformat(), raw, now, again=again) is None:
                click.echo(f"{recipient.address}: the digest of {day} was sent already (--again to resend)")
            else:
                queued += 1
        sender = open_sender(settings)
        try:
            flush(store, sender, utcnow)
        finally:
            sender.close()
    click.echo(f"{queued} digest(s) of {day} sent")


@digest_group.group(name="recipients")
def recipients_group() -> None:
    """Who gets a digest, and each one's language, time zone and hour."""


@recipients_group.command(name="list")
@click.pass_context
def recipients_list(ctx: click.Context) -> None:
    """Every recipient: scope, language, time zone, hour, paused."""
    from mailbot.read.rules import load_rules
    from mailbot.service.digests import recipients

    with open_store(ctx, create=True) as store:
        found = recipients(settings_of(ctx), load_rules(), store)
    for r in found:
        scope = "whole service" if r.whole_service else (
            f"{len(r.scope.customers or ())} customer(s), {', '.join(sorted(r.scope.situations or ()))}")
        click.echo(f"{r.address:<40} {r.language} {r.timezone:<16} {r.hour.strftime('%H:%M')}"
                   f"{'  paused' if r.paused else ''}  {scope}")
    click.echo(f"{len(found)} recipient(s)")


@recipients_group.command(name="set")
@click.argument("address")
@click.option("--language", type=click.Choice(["fr", "en"]), default=None)
@click.option("--timezone", "zone", default=None, help="An IANA time zone (Europe/Paris).")
@click.option("--hour", default=None, help="Local time it is sent after (07:30).")
@click.pass_context
def recipients_set(ctx: click.Context, address: str, language: str | None, zone: str | None, hour: str | None) -> None:
    """A recipient's own language, time zone or hour."""
    from mailbot.app import utcnow

    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            fail(f"--timezone {zone!r}: not a time zone", EXIT_CONFIG)
    if hour is not None:
        try:
            hour = time.fromisoformat(hour).strftime("%H:%M")
        except ValueError:
            fail(f"--hour {hour!r}: expected a time like 07:30", EXIT_CONFIG)
    with open_store(ctx, create=True) as store:
        store.set_recipient(address, utcnow(), language=language, timezone=zone, hour=hour)
    click.echo(f"{address.lower()}: choices recorded")


def _pause(ctx: click.Context, address: str, paused: bool) -> None:
    from mailbot.app import utcnow

    with open_store(ctx, create=True) as store:
        store.set_recipient(address, utcnow(), paused=paused)
    click.echo(f"{address.lower()}: {'paused' if paused else 'resumed'}")


@recipients_group.command(name="pause")
@click.argument("address")
@click.pass_context
def recipients_pause(ctx: click.Context, address: str) -> None:
    """No digest for ADDRESS until resumed."""
    _pause(ctx, address, True)


@recipients_group.command(name="resume")
@click.argument("address")
@click.pass_context
def recipients_resume(ctx: click.Context, address: str) -> None:
    """Digests for ADDRESS again."""
    _pause(ctx, address, False)
