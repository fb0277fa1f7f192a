"""The command line's parser and its dispatch table name the same commands, in the order
`casebook --help` lists them."""

from __future__ import annotations

import argparse
from pathlib import Path

from casebook.cli import HANDLERS, build_parser


def subcommands(parser: argparse.ArgumentParser) -> list[str]:
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(action.choices)


def test_every_command_has_a_handler_and_every_handler_a_command() -> None:
    commands = subcommands(build_parser())
    assert commands == ["check", "build", "serve", "edit", "new", "schema", "session"]
    assert sorted(HANDLERS) == sorted(commands)


def test_serve_help_names_every_edition_the_preview_serves() -> None:
    """The preview builds every edition (`casebook serve` prints them as it starts): its
    help said "the original-language edition" only (issue #33, item 15)."""
    import re

    from casebook.sources.i18n import load_languages

    [action] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    text = action.choices["serve"].format_help()
    flat = " ".join(text.split())
    assert "original-language edition" not in flat
    assert "every language edition" in flat
    languages, _ = load_languages(Path(__file__).resolve().parents[1])
    served = {f"/{code}/" for code in languages.locales if code != languages.default.code}
    assert set(re.findall(r"/[a-z]{2}/", flat)) == served
    assert "the original language at /" in flat
