"""Page routes: storefront shells (``/``, ``/search``, ``/product/{id}``, ``/cart``) and ``/admin``.

Handlers only pick the template and the language and hand the page its settings as JSON; all data
comes from the public API, fetched by the page's JavaScript.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from shopsense.service.errors import ApiError
from shopsense.web.i18n import TEXTS, language_of
from shopsense.web.keys import replace_legacy_storefront_key, storefront_key
from shopsense.web.shoppers import COOKIE, COOKIE_SECONDS, page_shopper

_HERE = Path(__file__).parent
_templates = Jinja2Templates(directory=_HERE / "templates")


@asynccontextmanager
async def lifespan(app: FastAPI):  # noqa: ANN201
    # an older version kept a client key for the storefront: revoke and replace it before serving any page
    await run_in_threadpool(replace_legacy_storefront_key, app.state.db, app.state.settings.data_dir)
    yield


router = APIRouter(include_in_schema=False, lifespan=lifespan)
STORE_PAGES = {"/": "home", "/search": "search", "/cart": "cart"}


def _page(request: Request, template: str, page: str, **config: object) -> HTMLResponse:
    lang = language_of(request)
    context = {"lang": lang, "t": TEXTS[lang], "page": page,
               "config": {"lang": lang, "page": page, "texts": TEXTS[lang], **config}}  # fmt: skip
    response = _templates.TemplateResponse(request, template, context)
    if request.query_params.get("lang") == lang:
        response.set_cookie("lang", lang, max_age=365 * 86_400, samesite="lax")
    return response


async def _store(request: Request, page: str, **config: object) -> HTMLResponse:
    state = request.app.state
    key = await run_in_threadpool(storefront_key, state.db, state.settings.data_dir)
    if not state.settings.user_token_key:
        return _page(request, "store.html", page, api_key=key, **config)
    shopper = page_shopper(request, state.settings.user_token_key)  # one anonymous shopper per browser
    response = _page(request, "store.html", page, api_key=key, shopper=shopper.user_id, user_token=shopper.token, **config)
    if shopper.new_cookie:
        response.set_cookie(COOKIE, shopper.new_cookie, max_age=COOKIE_SECONDS, httponly=True, samesite="lax")
    return response


@router.get("/", response_class=HTMLResponse)
@router.get("/search", response_class=HTMLResponse)
@router.get("/cart", response_class=HTMLResponse)
async def store(request: Request) -> HTMLResponse:
    return await _store(request, STORE_PAGES[request.scope["route"].path])


@router.get("/product/{item_id}", response_class=HTMLResponse)
async def product(item_id: str, request: Request) -> HTMLResponse:
    return await _store(request, "product", item_id=item_id)


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request) -> HTMLResponse:
    return _page(request, "admin.html", "admin")


@router.get("/web/vendor/plotly.min.js")
def plotly_js() -> FileResponse:
    """Plotly's bundle (MIT), served from the installed ``plotly`` package rather than copied."""
    path = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    if not path.is_file():
        raise ApiError(404, f"plotly.min.js not found at {path}: reinstall the plotly package")
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


def install(app: FastAPI) -> None:
    """Add the pages and their static files to ``app``."""
    app.include_router(router)
    app.mount("/web/static", StaticFiles(directory=_HERE / "static"), name="web-static")
