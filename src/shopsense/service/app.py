"""The FastAPI application factory. Nothing is created at import time."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from shopsense import __version__
from shopsense.config import Settings
from shopsense.service.errors import install_error_handlers
from shopsense.service.limits import BodySizeLimit, NoNulInUrl
from shopsense.service.pseudonyms import PseudonymousUserIds
from shopsense.service.ratelimit import RateLimit
from shopsense.service.routes import analytics, assistant, catalog, events, experiments, health, models, profiles, recommendations, search, segments, users
from shopsense.sharedcache import open_shared_cache
from shopsense.storage import Database, open_database
from shopsense.web import pages


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """Build the app over ``db`` (opened from ``settings`` when not given, and then closed on shutdown)."""
    owned = db is None

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        app.state.db = db if db is not None else open_database(settings.resolved_database_url)
        try:
            yield
        finally:
            app.state.shared.close()
            if owned:
                app.state.db.close()

    app = FastAPI(
        title="ShopSense",
        version=__version__,
        description="Behaviour-driven e-commerce search, recommendations, user profiles and analytics. Every `/v1` "
        "route takes an API key in `X-API-Key`. When the server sets `SHOPSENSE_USER_TOKEN_KEY`, a storefront key "
        "must also send `X-User-Token` (minted by the shop's server) for any user a request names.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.shared = open_shared_cache(settings.redis_url)  # connects on first use
    if db is not None:
        app.state.db = db
    install_error_handlers(app)
    for module in (health, events, catalog, profiles, search, analytics, segments, recommendations, models, experiments, assistant, users):
        app.include_router(module.router)
    pages.install(app)  # the storefront and the admin dashboard
    app.add_middleware(PseudonymousUserIds, key=settings.pseudonymize_key)  # user ids in paths and queries
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(NoNulInUrl)
    app.add_middleware(RateLimit, per_second=settings.rate_limit_per_second)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:  # outermost, so refusals (413, 429) carry the CORS headers too
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["*"], allow_headers=["X-API-Key", "X-User-Token", "Content-Type"])
    return app
