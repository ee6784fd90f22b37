import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from tickit.config import get_settings

settings = get_settings()

config = rx.Config(
    app_name="tickit",
    # With REDIS_URL set, Reflex keeps UI state in Redis so several app workers can share it.
    redis_url=settings.redis_url,
    # The browser must reach the backend on the very origin it loaded the page from:
    # the session cookie is bound to that host.
    api_url=settings.app_url,
    # Reflex's default ("*", with credentials) would let any site read responses made with the
    # session cookie; only TickIt's own pages may call the backend (CORS and the websocket).
    cors_allowed_origins=[settings.app_origin],
    deploy_url=settings.app_url,
    frontend_port=settings.port,
    backend_port=settings.port,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="inherit", accent_color="indigo", gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[SitemapPlugin],
)
