"""Security properties checked over the whole app and the source tree.

* Every route of ``create_app`` is classified in ``ROUTES`` (a new route fails the test until it is), and
  each ``/v1`` route refuses a missing key (401), a storefront key unless it is a storefront route (403),
  and a client key when it is admin-only (403).
* API keys are stored only as SHA-256 hashes and compared in constant time.
* SQL takes values only through bound parameters: no value spliced into SQL text.
* Artifacts never unpickle: no pickle/joblib, ``np.load`` always with ``allow_pickle=False``.
* The admin dashboard gives nothing without an admin key.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select
from starlette.routing import Mount

from shopsense.storage.keys import Role
from shopsense.storage.schema import api_keys

SRC = Path(__file__).resolve().parents[2] / "src" / "shopsense"

PUBLIC, STOREFRONT, CLIENT, ADMIN = "public", "storefront", "client", "admin"
# Every route, every method: the least role that may call it (admin > client > storefront; public needs no
# key). STOREFRONT routes are what a shop page needs: its key is in every browser. Path parameters as in the app.
ROUTES = {
    ("GET", "/health/live"): PUBLIC,
    ("GET", "/health/ready"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    # storefront and dashboard shells (no data in them: their JavaScript calls /v1 with a key)
    ("GET", "/"): PUBLIC,
    ("GET", "/search"): PUBLIC,
    ("GET", "/cart"): PUBLIC,
    ("GET", "/product/{item_id}"): PUBLIC,
    ("GET", "/admin"): PUBLIC,
    ("GET", "/web/vendor/plotly.min.js"): PUBLIC,
    ("GET", "/web/static"): PUBLIC,
    # events and catalogue
    ("POST", "/v1/events"): STOREFRONT,
    ("PUT", "/v1/items"): ADMIN,
    ("GET", "/v1/items/{item_id}"): STOREFRONT,
    ("PATCH", "/v1/items/{item_id}"): ADMIN,
    ("PUT", "/v1/users"): ADMIN,
    ("PUT", "/v1/shops"): ADMIN,
    ("GET", "/v1/users/{user_id}/events"): CLIENT,
    ("GET", "/v1/users/{user_id}/profile"): CLIENT,
    # privacy: erase and export a user
    ("DELETE", "/v1/users/{user_id}"): ADMIN,
    ("GET", "/v1/users/{user_id}/export"): ADMIN,
    # search
    ("GET", "/v1/search"): STOREFRONT,
    ("GET", "/v1/suggest"): STOREFRONT,
    ("GET", "/v1/analytics/search"): CLIENT,
    ("GET", "/v1/search/synonyms"): ADMIN,
    ("POST", "/v1/search/synonyms"): ADMIN,
    ("DELETE", "/v1/search/synonyms/{rule_id}"): ADMIN,
    # analytics and segments
    ("GET", "/v1/analytics"): CLIENT,
    ("GET", "/v1/analytics/{name}"): CLIENT,
    ("GET", "/v1/segments"): CLIENT,
    ("GET", "/v1/segments/{name}"): CLIENT,
    ("PUT", "/v1/segments/{name}"): ADMIN,
    ("DELETE", "/v1/segments/{name}"): ADMIN,
    ("GET", "/v1/segments/{name}/users"): CLIENT,
    ("POST", "/v1/segments/preview"): CLIENT,
    # recommendations, rules, models, experiments
    ("GET", "/v1/users/{user_id}/recommendations"): STOREFRONT,
    ("GET", "/v1/items/{item_id}/similar"): STOREFRONT,
    ("GET", "/v1/items/{item_id}/also_bought"): STOREFRONT,
    ("GET", "/v1/scenarios"): CLIENT,
    ("PUT", "/v1/scenarios/{scenario}/rules"): ADMIN,
    ("GET", "/v1/models"): ADMIN,
    ("POST", "/v1/models/{name}/activate"): ADMIN,
    ("POST", "/v1/models/{name}/rollback"): ADMIN,
    ("POST", "/v1/experiments"): ADMIN,
    ("GET", "/v1/experiments"): CLIENT,
    ("GET", "/v1/experiments/{experiment_id}"): CLIENT,
    ("POST", "/v1/experiments/{experiment_id}/stop"): ADMIN,
    ("GET", "/v1/experiments/{experiment_id}/results"): CLIENT,
    # assistant
    ("POST", "/v1/assistant/chat"): STOREFRONT,
    ("PUT", "/v1/assistant/knowledge"): ADMIN,
    ("GET", "/v1/assistant/knowledge"): CLIENT,
    ("DELETE", "/v1/assistant/knowledge/{doc_id}"): ADMIN,
    ("POST", "/v1/assistant/feedback"): STOREFRONT,
    ("GET", "/v1/assistant/unanswered"): CLIENT,
}


def app_routes(app) -> set[tuple[str, str]]:  # noqa: ANN001 - a FastAPI app
    """(method, path) of every route, included routers flattened; a mount counts as a GET of its prefix."""
    found = set()
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, Mount):
            found.add(("GET", context.path))
        elif context.methods:
            found |= {(m, context.path) for m in context.methods if m != "HEAD"}
        else:  # a websocket or another kind of route: it must be classified by hand
            found.add(("?", str(context.path)))
    return found


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: "1" if m.group(1) == "rule_id" else "x", path)


def _call(api, method: str, path: str, headers: dict):  # noqa: ANN001, ANN202
    return api.http.request(method, _concrete(path), content=b"{}", headers={"content-type": "application/json", **headers})


def test_every_route_is_classified(api) -> None:  # noqa: ANN001
    routes = app_routes(api.http.app)
    unclassified = sorted(routes - set(ROUTES))
    assert not unclassified, f"classify these routes in ROUTES (public, storefront, client or admin): {unclassified}"
    stale = set(ROUTES) - routes
    assert not stale, f"ROUTES lists routes the app does not have: {sorted(stale)}"


def test_v1_routes_need_a_key_and_admin_routes_an_admin_key(api, error_of) -> None:  # noqa: ANN001
    routes = app_routes(api.http.app)
    v1 = sorted(r for r in routes if r[1].startswith("/v1/"))
    assert len(v1) > 40
    assert sum(ROUTES[r] == STOREFRONT for r in v1) == 9  # widening what a browser's key may do is a decision
    for method, path in v1:
        assert ROUTES.get((method, path)) in (STOREFRONT, CLIENT, ADMIN), (method, path)
        error_of(_call(api, method, path, {}), 401, "unauthorized")
        as_storefront = _call(api, method, path, api.storefront)
        if ROUTES[method, path] == STOREFRONT:
            assert as_storefront.status_code not in (401, 403), (method, path, as_storefront.text)
        else:
            needs = "admin key" if ROUTES[method, path] == ADMIN else "client or admin key"
            message = error_of(as_storefront, 403, "forbidden", needs)["message"]
            assert "storefront key" in message, (method, path, message)
        as_client = _call(api, method, path, api.client)
        if ROUTES[method, path] == ADMIN:
            error_of(as_client, 403, "forbidden", "admin key")
        else:
            assert as_client.status_code not in (401, 403), (method, path, as_client.text)
        as_admin = _call(api, method, path, api.admin)
        assert as_admin.status_code not in (401, 403, 500), (method, path, as_admin.text)


def test_public_routes_answer_without_a_key(api) -> None:  # noqa: ANN001
    public = sorted(r for r in app_routes(api.http.app) if ROUTES.get(r) == PUBLIC)
    for method, path in public:
        url = "/web/static/site.css" if path == "/web/static" else _concrete(path)
        assert api.http.request(method, url).status_code == 200, (method, path)


def test_the_admin_dashboard_is_useless_without_an_admin_key(api, error_of) -> None:  # noqa: ANN001
    shell = api.http.get("/admin").text
    assert "ss_" not in shell, "no key of any kind may be rendered into the dashboard page"
    store = api.http.get("/").text
    storefront_key = re.search(r"ss_[0-9a-f]{12}_[\w-]+", store).group(0)  # the storefront's own key
    assert storefront_key not in shell
    assert api.db.keys.authenticate(storefront_key).role is Role.STOREFRONT
    # the dashboard signs in by calling an admin-only route; the public storefront key is refused there
    error_of(api.http.get("/v1/models", headers={"X-API-Key": storefront_key}), 403, "forbidden")
    error_of(api.http.get("/v1/models"), 401, "unauthorized")
    assert api.http.get("/v1/models", headers=api.admin).status_code == 200


def test_keys_are_stored_hashed_and_compared_in_constant_time(api) -> None:  # noqa: ANN001
    secrets = [api.admin["X-API-Key"], api.client["X-API-Key"], api.storefront["X-API-Key"]]
    with api.db.engine.connect() as connection:
        rows = connection.execute(select(api_keys)).all()
    stored = " ".join(str(value) for row in rows for value in row)
    for secret in secrets:
        random_part = secret.split("_", 2)[2]  # ss_<key id>_<random>; the random part may hold "_" itself
        assert secret not in stored and random_part not in stored
    source = (SRC / "storage" / "keys.py").read_text()
    assert "hmac.compare_digest(" in source and "hashlib.sha256(" in source
    assert not re.search(r"key_hash\s*==|==\s*_hash\(", source), "hashes must be compared with hmac.compare_digest"


# ---- SQL: values only through bound parameters -------------------------------------------------------------

_SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE|DROP|ALTER|WHERE|VALUES|PRAGMA|AS|AND|OR|FILTER|WHEN)\b")
_VALUE_SLOT = re.compile(r"(=|<>|!=|<|>|\bLIKE|\bIN\s*\(|\bLIMIT|\bOFFSET)\s*$", re.IGNORECASE)
# sqlalchemy text() over built strings: identifiers cannot be bound, so each is listed with its reason
TEXT_BUILT = {"storage/scratch.py": 2}  # CREATE/DROP DATABASE "<prefix>_<uuid>": a name made in the code


PLACEHOLDERS = {"marks", "marker"}  # local names that hold bind markers ("?, ?, ?"), not values


def _safe_value(node: ast.expr) -> bool:
    """A constant (UPPER_CASE name, arithmetic on them), bind markers, or a number forced by int()/float()."""
    if isinstance(node, ast.Name):
        return node.id.lstrip("_").isupper() or node.id in PLACEHOLDERS
    if isinstance(node, ast.BinOp):
        return _safe_value(node.left) and _safe_value(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("int", "float"):
        return True
    return isinstance(node, ast.Constant)


def _is_sql(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(_SQL.search(node.value))


def sql_problems(source: str, where: str) -> list[str]:
    """Values spliced into SQL text in ``source``: inside quotes, after a comparison/LIMIT, or by % / format."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if not _SQL.search(literal):
                continue
            before = ""  # the SQL text before the current interpolation
            for part in node.values:
                if isinstance(part, ast.Constant):
                    before += part.value
                    continue
                in_quotes = before.count("'") % 2 == 1  # inside a SQL string literal
                if (in_quotes or _VALUE_SLOT.search(before)) and not _safe_value(part.value):
                    problems.append(f"{where}:{node.lineno}: {ast.unparse(part.value)} spliced into SQL as a value")
                before += "x"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_sql(node.left):
            problems.append(f"{where}:{node.lineno}: SQL built with the % operator")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
                and _is_sql(node.func.value):  # fmt: skip
            problems.append(f"{where}:{node.lineno}: SQL built with str.format")
    return problems


def built_text_calls(source: str) -> int:
    """sqlalchemy ``text(...)`` calls whose argument is not one plain string literal."""
    return sum(
        1 for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "text"
        and not (len(node.args) == 1 and isinstance(node.args[0], ast.Constant))
    )  # fmt: skip


def _sources() -> list[tuple[str, str]]:
    return [(str(p.relative_to(SRC)), p.read_text()) for p in sorted(SRC.rglob("*.py"))]


def test_sql_takes_values_only_through_bound_parameters() -> None:
    problems = [p for where, source in _sources() for p in sql_problems(source, where)]
    assert not problems, "\n".join(problems)
    built = {where: n for where, source in _sources() if "sqlalchemy" in source and (n := built_text_calls(source))}
    assert built == TEXT_BUILT, built


@pytest.mark.parametrize("snippet", [
    "sql = f\"SELECT * FROM ev WHERE user_id = '{user_id}'\"",
    "sql = f'SELECT * FROM ev WHERE user_id = {user_id}'",
    "sql = f\"SELECT * FROM items WHERE title LIKE '%{q}%'\"",
    "sql = f'SELECT * FROM ev LIMIT {n}'",
    "sql = \"SELECT * FROM ev WHERE user_id = '%s'\" % user_id",
    "sql = \"DELETE FROM ev WHERE user_id = '{}'\".format(user_id)",
])  # fmt: skip
def test_the_sql_scan_catches_spliced_values(snippet: str) -> None:
    assert sql_problems(snippet, "example.py")


@pytest.mark.parametrize("snippet", [
    "sql = f'SELECT user_id, {column} FROM {table.name} WHERE user_id = ANY(%s)'",
    "sql = f'SELECT * FROM ev LIMIT {TOP}'",
    "sql = f'SELECT CASE WHEN v < {float(high)!r} THEN 1 END FROM ev'",
    "sql = 'SELECT * FROM ev WHERE user_id = ?'",
])  # fmt: skip
def test_the_sql_scan_passes_identifiers_and_bound_values(snippet: str) -> None:
    assert not sql_problems(snippet, "example.py")


# ---- artifacts: never unpickle -----------------------------------------------------------------------------

_UNPICKLING = re.compile(r"^\s*(import|from)\s+(pickle|cPickle|joblib|dill|cloudpickle|shelve|marshal)\b|\btorch\.load\(|"
                         r"read_pickle\(|allow_pickle\s*=\s*True", re.MULTILINE)  # fmt: skip


def unpickling_problems(source: str, where: str) -> list[str]:
    problems = [f"{where}: {m.group(0).strip()}" for m in _UNPICKLING.finditer(source)]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "load" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy") \
                and not any(k.arg == "allow_pickle" and isinstance(k.value, ast.Constant) and k.value.value is False
                            for k in node.keywords):  # fmt: skip
            problems.append(f"{where}:{node.lineno}: np.load without allow_pickle=False")
    return problems


def test_artifact_loading_never_unpickles() -> None:
    problems = [p for where, source in _sources() for p in unpickling_problems(source, where)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("snippet", ["import pickle", "from joblib import load", "x = np.load(path)",
                                     "x = np.load(path, allow_pickle=True)", "state = torch.load(path)"])  # fmt: skip
def test_the_pickle_scan_catches_unpickling(snippet: str) -> None:
    assert unpickling_problems(snippet, "example.py")
