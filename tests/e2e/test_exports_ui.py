"""An admin exports a project from its admin page and downloads the archive; an agent downloads the list as CSV."""

from __future__ import annotations

import zipfile

from playwright.sync_api import expect

from tests.e2e.conftest import _file_ticket_directly, _python, at_path, screenshots


def test_admin_exports_a_project_and_downloads_its_archive(page_as, app_server, tmp_path):
    _file_ticket_directly(app_server, app_server.seed.client.email, "HH", "Narwhal tusk export check")
    admin = page_as("admin")
    admin.goto("/admin/projects")
    admin.get_by_role("link", name="Export of Help Hub").click()

    expect(admin).to_have_url(at_path("/admin/projects/HH/export"))
    expect(admin.get_by_role("heading", name="Export Help Hub")).to_be_visible()
    admin.get_by_role("button", name="Export", exact=True).click()

    # The worker writes it in the background; the page follows until it is ready.
    expect(admin.get_by_text("Ready", exact=True)).to_be_visible(timeout=60_000)
    expect(admin.get_by_role("button", name="Export", exact=True)).to_be_enabled()
    with admin.expect_download() as download:
        admin.get_by_role("link", name="Download the export").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert download.value.suggested_filename.startswith("HH-export-")
    with zipfile.ZipFile(saved) as archive:
        assert "Narwhal tusk export check" in archive.read("tickets.jsonl").decode()
        assert archive.read("project.yaml").decode().startswith("name: ")

    # The download is the admins' alone.
    agent = page_as("agent")
    url = admin.get_by_role("link", name="Download the export").get_attribute("href")
    assert agent.request.get(f"{app_server.url}{url}").status == 404


def test_an_export_whose_worker_died_shows_as_failed_and_a_new_one_can_be_asked_for(page_as, app_server):
    # A worker took an export of Operations and died ten minutes ago, a quarter of the way through.
    _python(
        app_server,
        "from datetime import timedelta\n"
        "from sqlmodel import select\n"
        "from tickit.models import ExportStatus, Project, ProjectExport, utcnow\n"
        "with session_scope() as s:\n"
        "    project = s.exec(select(Project).where(Project.key == 'OP')).one()\n"
        "    then = utcnow() - timedelta(minutes=10)\n"
        "    s.add(ProjectExport(project_id=project.id, status=ExportStatus.RUNNING, created_at=then,\n"
        "        heartbeat_at=then, expires_at=then + timedelta(days=1), tickets_done=10, tickets_total=40))\n",
    )
    admin = page_as("admin")
    admin.goto("/admin/projects/OP/export")
    expect(admin.get_by_text("Writing", exact=True)).to_be_visible()
    expect(admin.get_by_role("button", name="Export", exact=True)).to_be_disabled()

    # The worker's periodic check; the open page follows.
    _python(app_server, "from tickit import tasks\ntasks.fail_stalled_exports.call_local()\n")
    expect(admin.get_by_text("Failed", exact=True)).to_be_visible()
    expect(admin.get_by_text("the worker writing it ended before it finished")).to_be_visible()
    screenshots(admin, "export-stalled")

    admin.get_by_role("button", name="Export", exact=True).click()
    expect(admin.get_by_text("Ready", exact=True)).to_be_visible(timeout=60_000)
    expect(admin.get_by_text("Failed", exact=True)).to_be_visible()


def test_agent_downloads_the_filtered_list_as_csv(page_as, app_server, tmp_path):
    _file_ticket_directly(app_server, app_server.seed.client.email, "HH", "Narwhal list csv check")
    agent = page_as("agent")
    agent.goto("/tickets?q=Narwhal%20list")
    expect(agent.get_by_role("link", name="Narwhal list csv check")).to_be_visible()
    with agent.expect_download() as download:
        agent.get_by_role("link", name="Download CSV").click()
    saved = tmp_path / "list.csv"
    download.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Number,Title,")
    assert [line.split(",")[1] for line in lines[1:]] == ["Narwhal list csv check"]
