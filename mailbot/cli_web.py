"""The commands of the review web app: ``mailbot web`` serves it, ``mailbot users`` manages who may
log in. Registered on the main command group by cli.py."""

from __future__ import annotations

import sys

import click

from mailbot.cli import EXIT_CONFIG, EXIT_UNAVAILABLE, cli, fail, open_store, settings_of
from mailbot.store import ROLES


@cli.command(name="web")
@click.option("--host", default=None, help="Address to listen on (default: [web] host, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: [web] port, 8025).")
@click.pass_context
def web_command(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the review web app (waitress) until interrupted."""
    from waitress import create_server

    from mailbot.app import utcnow
    from mailbot.web import create_app

    settings = settings_of(ctx)
    host, port = host or settings.web.host, port or settings.web.port
    with open_store(ctx, create=True) as store:
        people = len(store.users())
    flask = create_app(settings, clock=utcnow)
    try:
        server = create_server(flask, host=host, port=port, threads=8, ident="mailbot")
    except OSError as exc:
        fail(f"web: cannot listen on {host}:{port}: {exc}", EXIT_UNAVAILABLE)
    address = settings.web.base_url or f"http://{host}:{server.effective_port}/"
    click.echo(f"web: review app at {address}"
               + ("" if people else " (no user yet: `mailbot users add NAME --role desk`)"), err=False)
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@cli.group(name="users")
def users_group() -> None:
    """Who may log in to the review web app."""


def _new_password(name: str) -> str:
    """Asked twice at a terminal; else two lines of standard input, which must match."""
    from mailbot.web.auth import MIN_PASSWORD, PasswordError, hash_password

    if sys.stdin.isatty():
        password = click.prompt(f"password for {name}", hide_input=True, confirmation_prompt=True)
    else:
        lines = sys.stdin.read().splitlines()
        if len(lines) < 2 or lines[0] != lines[1]:
            fail("give the password twice, on two lines of standard input, the same", EXIT_CONFIG)
        password = lines[0]
    try:
        return hash_password(password)
    except PasswordError as exc:
        fail(f"{exc} (at least {MIN_PASSWORD})", EXIT_CONFIG)
    raise AssertionError("unreachable")


@users_group.command(name="add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="desk: acts on the queue; manager: also reads.")
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str) -> None:
    """Add NAME with a password (asked twice, or two lines of standard input)."""
    from mailbot.app import utcnow

    if not name.strip() or any(c.isspace() for c in name) or len(name) > 64:
        fail(f"user name {name!r}: one word of at most 64 characters", EXIT_CONFIG)
    password_hash = _new_password(name)
    with open_store(ctx, create=True) as store:
        if not store.add_user(name, role, password_hash, utcnow()):
            fail(f"user {name} exists already (`mailbot users passwd {name}` sets a new password)", EXIT_CONFIG)
    click.echo(f"user {name} added ({role})")


@users_group.command(name="passwd")
@click.argument("name")
@click.pass_context
def users_passwd(ctx: click.Context, name: str) -> None:
    """Set a new password for NAME (and lift a lockout)."""
    from mailbot.app import utcnow

    password_hash = _new_password(name)
    with open_store(ctx, create=True) as store:
        if not store.set_password(name, password_hash, utcnow()):
            fail(f"no user {name} (`mailbot users list`)", EXIT_UNAVAILABLE)
    click.echo(f"password of {name} changed")


@users_group.command(name="disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable again.")
@click.pass_context
def users_disable(ctx: click.Context, name: str, enable: bool) -> None:
    """Stop NAME from logging in (their open session ends at their next click)."""
    with open_store(ctx, create=True) as store:
        if not store.set_disabled(name, not enable):
            fail(f"no user {name} (`mailbot users list`)", EXIT_UNAVAILABLE)
    click.echo(f"user {name} {'enabled' if enable else 'disabled'}")


@users_group.command(name="list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """The users, their role and state."""
    from mailbot.app import utcnow
    from mailbot.store.rows import _iso

    now = _iso(utcnow())
    with open_store(ctx, create=True) as store:
        rows = store.users()
    for r in rows:
        state = "disabled" if r["disabled"] else ("locked" if (r["locked_until"] or "") > now else "active")
        click.echo(f"{r['name']:<24} {r['role']:<8} {state:<9} since {r['created_at'][:10]}")
    click.echo(f"{len(rows)} user(s)")


@users_group.command(name="demo")
@click.pass_context
def users_demo(ctx: click.Context) -> None:
    """Make (or reset) the user "demo" with a new random password, and print how to log in (`make run`)."""
    import secrets

    from mailbot.app import utcnow
    from mailbot.web.auth import hash_password

    password = secrets.token_urlsafe(12)
    settings = settings_of(ctx)
    with open_store(ctx, create=True) as store:
        if not store.add_user("demo", "desk", hash_password(password), utcnow()):
            store.set_password("demo", hash_password(password), utcnow())
            store.set_disabled("demo", False)
    address = settings.web.base_url or f"http://{settings.web.host}:{settings.web.port}/"
    click.echo(f"review app: {address}  log in as demo, password {password}")
