"""`tickit export` and `tickit import` run in-process against scratch SQLite databases."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import Session

from tests.cli.test_project_cli import _forget_settings_and_engine, run
from tests.factories import add_member, file_ticket, make_project, make_user
from tickit import migrations
from tickit.db import create_db_engine
from tickit.services import comments


def _migrated(path) -> str:
    url = f"sqlite:///{path}"
    engine = create_db_engine(make_url(url))
    migrations.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def use_database(tmp_path, monkeypatch):
    """Point DATABASE_URL (and the data directory) at a fresh installation named `name`."""

    def use(name: str) -> str:
        url = _migrated(tmp_path / f"{name}.db")
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("TICKIT_DATA_DIR", str(tmp_path / f"{name}-data"))
        _forget_settings_and_engine()
        return url

    yield use
    _forget_settings_and_engine()


def _seed(url: str) -> None:
    engine = create_db_engine(make_url(url))
    with Session(engine) as session:
        project = make_project(session, "HH")
        client = make_user(session, "client", email="wombat@client.example")
        agent = make_user(session, "agent", email="agent@desk.example")
        add_member(session, project.id, client, "client")
        add_member(session, project.id, agent, "agent")
        number = file_ticket(session, client, title="Wombat burrow collapsed")
        comments.add_comment(session=session, actor=agent, number=number, body_html="<p>On it</p>", internal=True)
        session.commit()
    engine.dispose()


def test_export_then_import_elsewhere_then_export_gives_the_same_file(use_database, capsys, tmp_path):
    _seed(use_database("old"))
    first = tmp_path / "hh.zip"
    code, out, err = run(capsys, "export", "--project", "hh", "--out", str(first))
    assert (code, err) == (0, "")
    assert out == f"Exported HH to {first}: 1 tickets, 1 comments, 0 attachments, 2 people\n"

    use_database("new")
    code, out, _ = run(capsys, "import", str(first))
    assert code == 0
    assert out == "Imported into HH (created): 1 tickets, 1 comments, 0 attachments; 2 people created\n"
    second = tmp_path / "again.zip"
    assert run(capsys, "export", "--project", "HH", "--out", str(second))[0] == 0
    assert second.read_bytes() == first.read_bytes()


def test_importing_into_a_project_that_holds_tickets_exits_2_and_says_so(use_database, capsys, tmp_path):
    _seed(use_database("old"))
    archive = tmp_path / "hh.zip"
    run(capsys, "export", "--project", "HH", "--out", str(archive))
    code, out, err = run(capsys, "import", str(archive))
    assert (code, out) == (2, "")
    assert err == (
        "tickit: project HH already holds 1 ticket; an archive is restored only into an empty project "
        "(choose another key with --key).\n"
    )
    code, out, _ = run(capsys, "import", str(archive), "--key", "copy")
    assert code == 0 and out.startswith("Imported into COPY (created): 1 tickets")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "--project", "NOPE", "--out", "{tmp}/x.zip"], "tickit: No project with key NOPE.\n"),
        (
            ["export", "--project", "HH", "--since", "last week", "--out", "{tmp}/x.zip"],
            "tickit: since: give a date like 2026-11-01 or 2026-11-01T08:30:00+01:00; got 'last week'\n",
        ),
        (
            ["export", "--project", "HH", "--out", "{tmp}/missing/x.zip"],
            "tickit: cannot write {tmp}/missing/x.zip: No such file or directory\n",
        ),
        (["import", "{tmp}/absent.zip"], "tickit: cannot read {tmp}/absent.zip: No such file or directory\n"),
        (["import", "{tmp}/plain.txt"], "tickit: not a zip archive; give a file written by `tickit export`.\n"),
    ],
)
def test_mistakes_exit_2_with_one_line_and_leave_no_file(use_database, capsys, tmp_path, argv, message):
    _seed(use_database("old"))
    (tmp_path / "plain.txt").write_text("hello")
    code, out, err = run(capsys, *[part.format(tmp=tmp_path) for part in argv])
    assert (code, out, err) == (2, "", message.format(tmp=tmp_path))
    assert not (tmp_path / "x.zip").exists()
    assert not list(tmp_path.glob(".tickit-export-*"))
