"""Render TickIt's icons into assets/ from the mark (lucide's ticket-check on indigo), with Chromium.

    .venv/bin/python scripts/make_icons.py
The PNGs, the ICO and assets/favicon.svg are committed; run this again only to change the mark.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

ASSETS = Path(__file__).resolve().parents[1] / "assets"
INDIGO = "#3e63dd"
MARK = (
    '<path d="M2 9a3 3 0 0 1 0 6v2a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-2a3 3 0 0 1 0-6V7a2 2 0 0 0-2-2H4a2 2 0 0 0-2 2Z"/>'
    '<path d="m9 12 2 2 4-4"/>'
)


def _svg(size: int, *, radius: int, inset: int, background: bool = True) -> str:
    """The mark on a 512 grid: `inset` from each edge, on an indigo square with corners of `radius`."""
    scale = (512 - 2 * inset) / 24
    square = f'<rect width="512" height="512" rx="{radius}" fill="{INDIGO}"/>' if background else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 512 512">{square}'
        f'<g transform="translate({inset} {inset}) scale({scale:.4f})" fill="none" stroke="#fff" stroke-width="2" '
        f'stroke-linecap="round" stroke-linejoin="round">{MARK}</g></svg>'
    )


ICONS = {
    "icon-192.png": _svg(192, radius=112, inset=96),
    "icon-512.png": _svg(512, radius=112, inset=96),
    "icon-maskable-512.png": _svg(512, radius=0, inset=136),  # the mark inside the maskable safe zone
    "apple-touch-icon.png": _svg(180, radius=0, inset=110),  # iOS rounds the corners itself
    "badge-96.png": _svg(96, radius=0, inset=16, background=False),  # Android draws a badge from its alpha
    "favicon-32.png": _svg(32, radius=112, inset=64),
}


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        for name, markup in ICONS.items():
            size = int(markup.split('width="')[1].split('"')[0])
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(f'<html><body style="margin:0;background:transparent">{markup}</body></html>')
            page.screenshot(path=str(ASSETS / name), omit_background=True)
            page.close()
        browser.close()
    # An ICO holding one 32 px PNG: every current browser reads PNG inside ICO.
    png = (ASSETS / "favicon-32.png").read_bytes()
    header = struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", 32, 32, 0, 0, 1, 32, len(png), 22)
    (ASSETS / "favicon.ico").write_bytes(header + png)
    (ASSETS / "favicon-32.png").unlink()


if __name__ == "__main__":
    main()
