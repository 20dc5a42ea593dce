"""The `fediscience import` commands: a ShortScience CSV export as a user's summaries, or a BibTeX file of papers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from .engine import ImportReport

_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


@click.group("import")
def group() -> None:
    """Import summaries (a ShortScience CSV export) or papers (BibTeX).

    Rows that cannot be imported are listed with their line numbers and the others are imported; running an
    import again adds nothing twice. The exit status is 1 when some rows were refused.
    """


@group.command("shortscience")
@click.argument("file", type=_FILE)
@click.option("--user", "username", required=True, help="The local user the summaries will belong to.")
@click.pass_context
def shortscience(ctx: click.Context, file: Path, username: str) -> None:
    """Import a ShortScience CSV export (bibtexKey, text) as USER's summaries."""
    from ..users.services import find_user
    from .shortscience import import_shortscience

    app = _app(ctx)
    with app.app_context():
        user = find_user(username)
        if user is None:
            raise click.ClickException(f"no user named {username}")
        text = _read(file)
        report = _with_progress_bar(f"Importing {file.name}", lambda bar: import_shortscience(text, user, bar))
    _finish(ctx, report, "summaries")


@group.command("bibtex")
@click.argument("file", type=_FILE)
@click.pass_context
def bibtex(ctx: click.Context, file: Path) -> None:
    """Add the papers of a BibTeX file (complete entries need no network)."""
    from .bibtex import import_bibtex

    app = _app(ctx)
    with app.app_context():
        text = _read(file)
        report = _with_progress_bar(f"Importing {file.name}", lambda bar: import_bibtex(text, None, bar))
    _finish(ctx, report, "papers")


def _app(ctx: click.Context) -> Flask:
    """The app given by the caller (tests pass it as the context object), else one from the environment."""
    if isinstance(ctx.obj, Flask):
        return ctx.obj
    from ..cli import _app as app_from_environment

    return app_from_environment()


def _read(file: Path) -> str:
    from ..errors import Invalid
    from .services import decode_text

    try:
        return decode_text(file.read_bytes(), limit=None)
    except Invalid as exc:
        raise click.ClickException(f"{file}: {exc}") from None


def _with_progress_bar(description: str, run: Callable[[Callable[[ImportReport], None]], ImportReport]) -> ImportReport:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(description, total=None)
        return run(lambda report: bar.update(task, total=report.total, completed=report.processed))


def _finish(ctx: click.Context, report: ImportReport, things: str) -> None:
    for error in report.errors:
        where = f"line {error.line}" if error.line else "an entry"
        click.echo(f"{where}: {error.message}", err=True)
    click.echo(f"{things}: {report.imported} imported, {report.skipped} already there, "
               f"{len(report.errors)} refused ({report.total} rows in the file)")
    if report.errors:
        ctx.exit(1)
