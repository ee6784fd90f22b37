"""axe-core's rules on the main pages of each tree: no serious or critical violation, one h1 each.

axe-core comes with the `axe-playwright-python` package (its bundled axe.min.js), injected into the page;
nothing is fetched while the tests run.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

PAGES = [
    ("client", "/portal"),
    ("client", "/portal/new"),
    ("client", "/portal/tickets/{ticket}"),
    ("client", "/profile"),
    ("agent", "/tickets"),
    ("agent", "/tickets/new"),
    ("agent", "/tickets/{ticket}"),
    ("agent", "/tickets/replies"),
    ("agent", "/tickets/board"),
    ("agent", "/analytics"),
    ("admin", "/admin"),
    ("admin", "/admin/users"),
    ("admin", "/admin/projects"),
    ("admin", "/admin/projects/HH"),
    ("admin", "/admin/projects/HH/api-clients"),
    ("admin", "/admin/projects/HH/webhooks"),
    ("admin", "/admin/projects/HH/export"),
    ("admin", "/admin/projects/HH/tags"),
    ("admin", "/admin/projects/HH/mail"),
    ("admin", "/admin/organisations"),
]
BLOCKING = {"serious", "critical"}


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}) at {node['target']}: {node['html'][:600]} {node['failureSummary'][:600]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
        for node in v["nodes"]
    ]


@pytest.mark.parametrize(("role", "path"), PAGES)
def test_main_pages_have_one_h1_no_nested_controls_and_no_serious_axe_violation(page_as, role, path):
    page = page_as(role)
    if "{ticket}" in path:
        page.goto("/tickets?view=all" if role != "client" else "/portal")
        path = path.format(ticket=page.get_by_text(re.compile(r"^HH-\d+$")).first.inner_text())

    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto(path)
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").count() == 1, f"{path} has {page.locator('h1').count()} h1 elements"
        # A button inside a link is two controls in one; axe flags it only for some roles, so it is checked here.
        assert page.locator("a button, button a").count() == 0, f"{path} nests a button and a link"
        if problems := _violations(page):
            found[scheme] = problems
    assert not found, found


def test_the_sign_in_and_404_pages_pass_axe_too(new_page):
    page = new_page()
    for path, heading in (("/login", "Sign in"), ("/no/such/page", "Page not found")):
        page.goto(path)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert not _violations(page), (path, _violations(page))
