"""The `fediscience domains` commands: block, unblock and list blocked domains."""

from __future__ import annotations

import click


@click.group("domains")
def group() -> None:
    """Block remote domains: their requests get 403 and nothing from them is stored."""


@group.command("block")
@click.argument("domain")
@click.option("--reason", help="Why (shown to administrators).")
def block(domain: str, reason: str | None) -> None:
    """Block DOMAIN and its subdomains."""
    from ..cli import _app
    from ..db import db
    from ..errors import DomainError
    from .blocks import block_domain

    with _app().app_context():
        try:
            host = block_domain(domain, reason)
        except DomainError as exc:
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(f"blocked {host.host}")


@group.command("unblock")
@click.argument("domain")
def unblock(domain: str) -> None:
    """Lift the block of DOMAIN."""
    from ..cli import _app
    from ..db import db
    from ..errors import DomainError
    from .blocks import normalize_domain, unblock_domain

    with _app().app_context():
        try:
            lifted = unblock_domain(domain)
        except DomainError as exc:
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        if not lifted:
            raise click.ClickException(f"{normalize_domain(domain)} is not blocked")
        click.echo(f"unblocked {normalize_domain(domain)}")


@group.command("list")
def list_blocked() -> None:
    """List the blocked domains and why."""
    from ..cli import _app
    from .blocks import blocked_domains

    with _app().app_context():
        rows = blocked_domains()
        for host in rows:
            click.echo(f"{host.host}\t{host.block_reason or ''}".rstrip())
        if not rows:
            click.echo("no domain is blocked")
