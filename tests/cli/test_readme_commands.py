"""The README's command table describes the `tickit` command as it is: every command, each once."""

from __future__ import annotations

import argparse
import re

from tickit.cli import COMMANDS, build_parser
from tickit.migrations import ROOT


def documented_commands() -> list[str]:
    """Each command a row of the README's table names: `tickit user list` / `role EMAIL ROLE` gives two."""
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    commands = []
    for row in table.splitlines():
        if not row.startswith("| `tickit"):
            continue
        first, *others = re.findall(r"`([^`]*)`", row.split(" | ")[0])
        path = _words(first)
        commands.append(" ".join(path))
        family = path[:2]
        commands.extend(" ".join(family + _words(other)) for other in others)
    return commands


def _words(usage: str) -> list[str]:
    """The command words of a usage, up to its first argument or option."""
    words = []
    for token in usage.split():
        if not re.fullmatch(r"[a-z][a-z-]*", token):
            break
        words.append(token)
    return words


def cli_commands(parser: argparse.ArgumentParser, prefix: str = "tickit") -> list[str]:
    choices = [action.choices for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    if not choices:
        return [prefix]
    return [command for name, child in choices[0].items() for command in cli_commands(child, f"{prefix} {name}")]


def test_the_readme_command_table_names_every_command_of_the_cli():
    assert set(documented_commands()) == set(cli_commands(build_parser()))


def test_the_readme_command_table_names_each_command_once():
    commands = documented_commands()
    assert sorted(commands) == sorted(set(commands))


def test_a_run_registers_only_its_commands_module_and_parses_as_with_every_module_loaded():
    every = cli_commands(build_parser())
    # The map names each command once, in the order `tickit --help` lists them.
    assert list(dict.fromkeys(command.split()[1] for command in every)) == list(COMMANDS)
    for command in COMMANDS:
        alone = cli_commands(build_parser(command))
        assert [c for c in alone if c.split()[1] == command] == [c for c in every if c.split()[1] == command]
