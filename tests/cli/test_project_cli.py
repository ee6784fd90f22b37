"""`tickit project ...` run in-process against a migrated scratch SQLite database."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from tickit import migrations
from tickit.cli import main
from tickit.config import get_settings
from tickit.db import create_db_engine, get_engine


def _forget_settings_and_engine() -> None:
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def cli_database(tmp_path, monkeypatch):
    """DATABASE_URL pointing at a freshly migrated SQLite file, for this test only."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = create_db_engine(make_url(url))
    migrations.upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    _forget_settings_and_engine()
    yield url
    _forget_settings_and_engine()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_create_export_import_and_list(cli_database, capsys, tmp_path):
    code, out, _ = run(
        capsys, "project", "create", "--key", "hh", "--name", "Helpdesk", "--template", "software-feedback"
    )
    assert code == 0
    assert out.splitlines() == [
        "Created project HH (Helpdesk) from template software-feedback",
        "  types: Bug, Feature request, Question",
    ]

    code, exported, _ = run(capsys, "project", "export", "HH")
    assert code == 0
    assert exported.startswith("name: Helpdesk\ndescription: Bugs, feature requests")
    workflow_file = tmp_path / "helpdesk.yaml"
    workflow_file.write_text(exported, encoding="utf-8")

    code, out, _ = run(capsys, "project", "import", str(workflow_file), "--key", "APP", "--name", "Mobile app")
    assert code == 0
    assert out.startswith("Created project APP (Mobile app) from helpdesk.yaml\n")

    code, reexported, _ = run(capsys, "project", "export", "app")
    assert reexported == exported.replace("name: Helpdesk\n", "name: Mobile app\n", 1)

    code, out, _ = run(capsys, "project", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["KEY", "NAME", "TICKETS", "TYPES"]
    assert sorted(line.split()[0] for line in lines[1:]) == ["APP", "HH"]
    assert all(line.endswith("Bug, Feature request, Question") for line in lines[1:])


def test_list_without_projects_says_how_to_create_one(cli_database, capsys):
    code, out, _ = run(capsys, "project", "list")
    assert code == 0
    assert out == "No projects yet. Create one with: tickit project create --key K --name N --template T\n"


def test_an_unknown_template_exits_2_with_one_line_naming_the_available_ones(cli_database, capsys):
    code, out, err = run(capsys, "project", "create", "--key", "HH", "--name", "Helpdesk", "--template", "kanban")
    assert (code, out) == (2, "")
    assert err == ("tickit: no template named 'kanban'; available: customer-support, it-helpdesk, software-feedback\n")


def test_a_key_in_use_exits_2_naming_the_key(cli_database, capsys):
    run(capsys, "project", "create", "--key", "HH", "--name", "Helpdesk", "--template", "it-helpdesk")
    code, _, err = run(capsys, "project", "create", "--key", "HH", "--name", "Again", "--template", "it-helpdesk")
    assert (code, err) == (2, "tickit: key: HH is already the key of another project\n")


def test_a_malformed_import_exits_2_naming_file_line_and_key_path(cli_database, capsys, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: Broken\ntypes:\n  - key: bug\n    name: Bug\n    statuses: []\n")
    code, _, err = run(capsys, "project", "import", str(broken), "--key", "BR", "--name", "Broken")
    assert (code, err) == (2, "tickit: broken.yaml line 5: types[0].statuses: must list at least one status\n")
    _, out, _ = run(capsys, "project", "list")
    assert out.startswith("No projects yet.")


def test_importing_a_missing_file_exits_2(cli_database, capsys, tmp_path):
    code, _, err = run(capsys, "project", "import", str(tmp_path / "nope.yaml"), "--key", "NO", "--name", "Nope")
    assert code == 2
    assert err == f"tickit: cannot read {tmp_path / 'nope.yaml'}: No such file or directory\n"


def test_exporting_an_unknown_project_exits_2(cli_database, capsys):
    code, out, err = run(capsys, "project", "export", "nope")
    assert (code, out) == (2, "")
    assert err.startswith("tickit: ") and "NOPE" in err and err.count("\n") == 1
