"""Signed user tokens (``SHOPSENSE_USER_TOKEN_KEY``): a storefront key may name only the user its
``X-User-Token`` vouches for, on every storefront route that names a user; client keys need no token."""

from __future__ import annotations

from collections.abc import Iterator
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopsense.cli import users  # noqa: F401 - registers `shopsense users`
from shopsense.cli.app import app
from shopsense.service.user_tokens import UserTokenError, mint_user_token, verify_user_token
from shopsense.storage import Database
from shopsense.web.shoppers import COOKIE
from tests.service.conftest import Api, make_api

KEY = "token-secret"
MUG = {"item_id": "mug-1", "title": "Blue mug", "category": ["Home", "Mugs"], "price": 9.5, "in_stock": True}


def test_a_token_names_its_user_until_it_expires() -> None:
    token = mint_user_token(KEY, "u1 张", ttl_seconds=60, now=1_000)
    assert verify_user_token(KEY, token, now=1_059) == "u1 张"
    with pytest.raises(UserTokenError, match="expired"):
        verify_user_token(KEY, token, now=1_060)
    with pytest.raises(UserTokenError, match="signature"):
        verify_user_token("another key", token, now=1_000)
    version, user, expires, signature = token.split(".")
    forged_user = mint_user_token(KEY, "u2", ttl_seconds=60, now=1_000).split(".")[1]
    with pytest.raises(UserTokenError, match="signature"):  # another user's id under u1's signature
        verify_user_token(KEY, ".".join((version, forged_user, expires, signature)), now=1_000)
    with pytest.raises(UserTokenError, match="signature"):  # a longer life under the old signature
        verify_user_token(KEY, ".".join((version, user, str(int(expires) + 999), signature)), now=1_000)
    for bad in ("", "ut1.x.y.z", "ut2.dTE.99.AAAA", "ut1.***.99.AAAA"):
        with pytest.raises(UserTokenError, match="malformed"):
            verify_user_token(KEY, bad)
    with pytest.raises(UserTokenError, match="SHOPSENSE_USER_TOKEN_KEY"):
        mint_user_token("", "u1")


@pytest.fixture(params=["plain ids", "pseudonymised ids"])
def guarded(request: pytest.FixtureRequest, db: Database, tmp_path: Path) -> Iterator[Api]:
    env = {"SHOPSENSE_USER_TOKEN_KEY": KEY}
    if request.param == "pseudonymised ids":
        env["SHOPSENSE_PSEUDONYMIZE_KEY"] = "pseudonym-secret"
    for api in make_api(db, tmp_path / "data", env):
        assert api.http.put("/v1/items", json={"items": [MUG]}, headers=api.admin).status_code == 200
        yield api


def as_user(api: Api, user_id: str | None) -> dict[str, str]:
    return {**api.storefront, **({"X-User-Token": mint_user_token(KEY, user_id)} if user_id else {})}


def view(event_id: str, user_id: str) -> dict:
    return {"event_id": event_id, "user_id": user_id, "type": "view", "item_id": "mug-1", "timestamp": "2026-05-01T10:00:00Z"}


def test_storefront_reads_need_the_named_users_token(guarded: Api, error_of) -> None:  # noqa: ANN001
    api = guarded
    reads = ["/v1/users/u1/recommendations?scenario=for_you", "/v1/search?q=mug&user_id=u1",
             "/v1/items/mug-1/similar?user_id=u1", "/v1/items/mug-1/also_bought?user_id=u1"]  # fmt: skip
    for path in reads:
        error_of(api.http.get(path, headers=as_user(api, None)), 403, "forbidden", "X-User-Token")
        error_of(api.http.get(path, headers=as_user(api, "u2")), 403, "forbidden", "X-User-Token is not for")
        for allowed in (as_user(api, "u1"), api.client):  # a client key is used server-side: it needs no token
            assert api.http.get(path, headers=allowed).status_code not in (401, 403), path
    bad = {**api.storefront, "X-User-Token": "ut1.dTE.1.AAAA"}
    error_of(api.http.get(reads[0], headers=bad), 403, "forbidden", "signature")
    for path in ("/v1/search?q=mug", "/v1/items/mug-1/similar", "/v1/items/mug-1"):  # naming nobody: no token
        assert api.http.get(path, headers=api.storefront).status_code not in (401, 403), path


def test_storefront_events_chat_and_feedback_need_the_users_token(guarded: Api, error_of) -> None:  # noqa: ANN001
    api = guarded
    mixed = {"events": [view("e1", "u1"), view("e2", "u2")]}
    error_of(api.http.post("/v1/events", json=mixed, headers=as_user(api, "u1")), 403, "forbidden", "X-User-Token is not for")
    error_of(api.http.get("/v1/users/u2/events", headers=api.client), 404, "not_found")  # nothing of the batch stored
    error_of(api.http.post("/v1/events", json={"events": [view("e1", "u1")]}, headers=as_user(api, None)), 403, "forbidden")
    accepted = api.http.post("/v1/events", json={"events": [view("e1", "u1")]}, headers=as_user(api, "u1"))
    assert accepted.status_code == 200 and accepted.json()["accepted"] == 1

    message = {"user_id": "u1", "session_id": "s1", "message": "how much is the blue mug?"}
    error_of(api.http.post("/v1/assistant/chat", json=message, headers=as_user(api, "u2")), 403, "forbidden")
    reply = api.http.post("/v1/assistant/chat", json=message, headers=as_user(api, "u1"))
    assert reply.status_code == 200, reply.text
    thumb = {"turn_id": reply.json()["turn_id"], "rating": "down"}
    error_of(api.http.post("/v1/assistant/feedback", json=thumb, headers=as_user(api, "u2")), 403, "forbidden")
    assert api.http.post("/v1/assistant/feedback", json=thumb, headers=as_user(api, "u1")).status_code == 201


def page_config(html: str) -> tuple[str, str]:
    """The (shopper, user token) the storefront page was handed."""
    shopper = re.search(r'"shopper": "(web-[0-9a-f]{16})"', html)
    token = re.search(r'"user_token": "(ut1\.[\w-]+\.\d+\.[\w-]+)"', html)
    assert shopper and token, html[:500]
    return shopper.group(1), token.group(1)


def test_the_builtin_storefront_gives_each_browser_one_anonymous_shopper(guarded: Api, error_of) -> None:  # noqa: ANN001
    api = guarded
    first = api.http.get("/")
    assert first.status_code == 200 and COOKIE in first.cookies
    shopper, token = page_config(first.text)
    assert verify_user_token(KEY, token) == shopper
    again = api.http.get("/search?q=mug")  # the client sends the cookie back: the same shopper
    assert page_config(again.text)[0] == shopper and COOKIE not in again.cookies
    page = {**api.storefront, "X-User-Token": token}
    assert api.http.get(f"/v1/users/{shopper}/recommendations", headers=page).status_code == 200
    error_of(api.http.get("/v1/users/u1/recommendations", headers=page), 403, "forbidden", "is not for")

    api.http.cookies.set(COOKIE, mint_user_token("guessed key", "u1"))  # an edited cookie is not honoured
    edited = api.http.get("/")
    assert page_config(edited.text)[0] not in (shopper, "u1") and COOKIE in edited.cookies


def test_cli_prints_a_token_the_server_accepts(clean_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["--data-dir", str(tmp_path), "users", "token", "u1"])
    assert missing.exit_code == 2 and "SHOPSENSE_USER_TOKEN_KEY" in missing.output
    monkeypatch.setenv("SHOPSENSE_USER_TOKEN_KEY", KEY)
    printed = runner.invoke(app, ["--data-dir", str(tmp_path), "users", "token", "u1", "--ttl", "120"])
    assert printed.exit_code == 0, printed.output
    assert verify_user_token(KEY, printed.output.strip()) == "u1"
