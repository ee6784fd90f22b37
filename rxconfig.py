import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from tickit.config import get_settings

settings = get_settings()

config = rx.Config(
    app_name="tickit",
    # With REDIS_URL set, Reflex keeps UI state in Redis so several app workers can share it.
    redis_url=settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="inherit", accent_color="indigo", gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[SitemapPlugin],
)
