"""`tickit agent set` and `tickit project assignment`, run in-process against a scratch SQLite database."""

from __future__ import annotations

from tests.cli.test_project_cli import cli_database, run  # noqa: F401  (the scratch database fixture)


def test_an_admin_sets_up_assignment_from_the_command_line(cli_database, capsys):  # noqa: F811
    assert run(capsys, "project", "create", "--key", "HD", "--name", "Desk", "--template", "it-helpdesk")[0] == 0
    assert run(capsys, "user", "create", "--email", "ada@example.com", "--name", "Ada", "--role", "agent",
               "--password", "long enough password")[0] == 0  # fmt: skip
    assert run(capsys, "project", "member", "add", "HD", "ada@example.com", "--role", "agent")[0] == 0

    code, out, _ = run(capsys, "project", "assignment", "HD", "--strategy", "least-load", "--require-skills")
    assert (code, out) == (0, "HD assigns new tickets: least-load, by skills\n")

    code, out, _ = run(capsys, "agent", "set", "ada@example.com", "--project", "hd", "--away", "--capacity", "5",
                       "--skills", "billing,DE")  # fmt: skip
    assert (code, out) == (0, "ada@example.com in HD: away, capacity 5, billing, de, round the clock; 0 open\n")

    code, out, _ = run(capsys, "agent", "set", "ada@example.com", "--project", "HD", "--available", "--capacity", "")
    assert (code, out) == (0, "ada@example.com in HD: available, no limit, billing, de, round the clock; 0 open\n")

    code, out, _ = run(capsys, "project", "assign-queue")
    assert (code, out) == (0, "Assigned 0 waiting tickets.\n")


def test_mistakes_exit_2_with_one_line(cli_database, capsys):  # noqa: F811
    run(capsys, "project", "create", "--key", "HD", "--name", "Desk", "--template", "it-helpdesk")
    code, _, err = run(capsys, "agent", "set", "nobody@example.com", "--project", "HD", "--away")
    assert code == 2 and "No user with email nobody@example.com" in err
    run(capsys, "user", "create", "--email", "cy@example.com", "--name", "Cy", "--role", "agent",
        "--password", "long enough password")  # fmt: skip
    code, _, err = run(capsys, "agent", "set", "cy@example.com", "--project", "HD", "--capacity", "lots")
    assert code == 2 and "agents" in err  # Cy is not an agent of HD yet
