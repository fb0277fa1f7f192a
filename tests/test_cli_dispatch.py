"""The command line's parser and its dispatch table name the same commands, in the order
`casebook --help` lists them."""

from __future__ import annotations

import argparse

from casebook.cli import HANDLERS, build_parser


def subcommands(parser: argparse.ArgumentParser) -> list[str]:
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(action.choices)


def test_every_command_has_a_handler_and_every_handler_a_command() -> None:
    commands = subcommands(build_parser())
    assert commands == ["check", "build", "serve", "edit", "new", "schema", "session"]
    assert sorted(HANDLERS) == sorted(commands)
