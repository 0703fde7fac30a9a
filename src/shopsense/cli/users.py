"""``shopsense users delete|export|token``: a user's data deleted everywhere or exported as JSON (docs/privacy.md),
or a signed user token for a storefront (docs/security.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Table

from shopsense.cli.app import app, console, open_db, settings_of
from shopsense.privacy.pseudonym import pseudonymize
from shopsense.privacy.subject import export_user, forget_user
from shopsense.service.user_tokens import UserTokenError, mint_user_token
from shopsense.sharedcache import open_shared_cache

users_app = typer.Typer(help="A user's data: export it, delete it everywhere, or sign a storefront token.", no_args_is_help=True)
app.add_typer(users_app, name="users")
UserId = Annotated[str, typer.Argument(help="the user's id, as the shop sends it")]


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(2)


@users_app.command("delete")
def delete(ctx: typer.Context, user_id: UserId, yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False) -> None:
    """Delete the user's events, profile, impressions, searches and assistant conversations, and refuse
    their old events from now on. A running server's in-process state is cleared only by the HTTP route."""
    settings = settings_of(ctx)
    if not yes:
        if not sys.stdin.isatty():
            raise _fail("deleting needs confirmation: add --yes")
        typer.confirm(f"delete everything held about user {user_id!r}?", abort=True)
    stored_id = pseudonymize(settings.pseudonymize_key, user_id)
    db, cache = open_db(ctx), open_shared_cache(settings.redis_url)
    try:
        forgotten = forget_user(db, cache, stored_id)
    finally:
        cache.close()
        db.close()
    if forgotten is None:
        raise _fail(f"no user {user_id!r}")
    table = Table("store", "rows deleted", title=f"user {user_id} deleted")
    for name, count in forgotten.deletion.counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    for warning in forgotten.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    if not settings.redis_url:
        console.print("no shared cache is configured (SHOPSENSE_REDIS_URL): a running server's cached results "
                      "expire by their TTL", highlight=False)  # fmt: skip


@users_app.command("export")
def export(ctx: typer.Context, user_id: UserId, out: Annotated[Path, typer.Option("--out", help="the JSON file to write")]) -> None:
    """Write everything held about the user to a JSON file."""
    db = open_db(ctx)
    try:
        document = export_user(db, pseudonymize(settings_of(ctx).pseudonymize_key, user_id))
    finally:
        db.close()
    if document is None:
        raise _fail(f"no user {user_id!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    rows = sum(len(r) for r in document["stores"].values())
    console.print(f"wrote {rows:,} stored rows about user {user_id} to {out}", highlight=False)


@users_app.command("token")
def token(ctx: typer.Context, user_id: UserId,
          ttl: Annotated[int, typer.Option(min=1, help="lifetime in seconds")] = 3600) -> None:  # fmt: skip
    """Print an X-User-Token vouching for the user (needs SHOPSENSE_USER_TOKEN_KEY; docs/security.md)."""
    try:
        minted = mint_user_token(settings_of(ctx).user_token_key, user_id, ttl_seconds=ttl)
    except UserTokenError as exc:
        raise _fail(str(exc)) from None
    print(minted)
