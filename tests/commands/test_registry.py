"""The command modules of kg/commands/: each registered, each with help that explains."""

from __future__ import annotations

import pkgutil

import pytest

import kg.commands
from kg.cli import main, parser

SHARED = {"common"}  # helpers, not commands


def _registered() -> dict:
    return parser()._subparsers._group_actions[0].choices


def test_every_command_module_is_registered():
    """A module added under kg/commands/ but left out of COMMANDS would be a command nobody can run."""
    on_disk = {m.name for m in pkgutil.iter_modules(kg.commands.__path__)} - SHARED
    assert on_disk == set(kg.commands.COMMANDS)
    assert set(_registered()) == on_disk
    for module in kg.commands.modules():
        assert module.run.__module__ == module.__name__ and callable(module.register)


@pytest.mark.parametrize("command", kg.commands.COMMANDS)
def test_command_help_exits_0_with_an_example_of_itself(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    # The epilog's example runs this very command, and the exit codes follow it.
    assert f"example:\n  kg {command}" in out
    assert out.index("example:") < out.index("exit codes:")
    assert _registered()[command].get_default("func").__module__ == f"kg.commands.{command}"


@pytest.mark.parametrize("argv, quiet", [
    (["build"], False), (["-q", "build"], True), (["build", "-q"], True), (["-q", "build", "-q"], True),
])
def test_quiet_before_or_after_the_command(argv, quiet):
    """-q is declared once for the top level and every command; one given after the command, or none
    there, must not undo one given before it."""
    assert parser().parse_args(argv).quiet is quiet
