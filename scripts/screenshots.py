"""Screenshot pages of a running TickIt in light and dark mode, signed in as a given user.

    .venv/bin/python scripts/screenshots.py --email E --password P /portal /portal/new
Writes PNGs to test-artifacts/screens/ (ignored by git).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://localhost:3000")
    parser.add_argument("--email")
    parser.add_argument("--password")
    parser.add_argument("--out", default="test-artifacts/screens")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport={"width": 1360, "height": 860}, color_scheme=scheme)
            if args.email:
                page.goto(f"{args.base}/login")
                page.get_by_label("Email").fill(args.email)
                page.get_by_label("Password").fill(args.password)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(lambda url: "/login" not in url)
            for path in args.paths:
                page.goto(f"{args.base}{path}")
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(600)
                name = path.strip("/").replace("/", "_") or "root"
                page.screenshot(path=out / f"{name}-{scheme}.png", full_page=True)
                print(out / f"{name}-{scheme}.png")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
