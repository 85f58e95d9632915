"""The `iombot` command: console, ask, check (and the adapters, as they are added)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..core.answerer import Answerer
from ..core.content import ContentError, check_content, load_content
from ..core.reply import LANGUAGES
from . import console
from .settings import Settings, SettingsError, read_environment


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iombot", description="The information bot of IOM Tokyo.")
    commands = parser.add_subparsers(dest="command")

    chat = commands.add_parser(
        "console", help="chat with the bot in this terminal (no token needed)"
    )
    chat.add_argument("--lang", choices=LANGUAGES, help="answer in this language")

    ask = commands.add_parser("ask", help="print the answer to one question")
    ask.add_argument("--lang", choices=LANGUAGES, help="answer in this language")
    ask.add_argument("text", nargs="+", help="the question or command, e.g. /contact")

    check = commands.add_parser("check", help="validate a content folder")
    check.add_argument(
        "directory", nargs="?", type=Path, help="the folder to check (default: the content in use)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(read_environment())
    except SettingsError as error:
        print(f"iombot: settings:\n{error}", file=sys.stderr)
        return 2
    if args.command == "check":
        return run_check(args.directory or settings.content_dir)
    if args.command in (None, "console", "ask"):
        answerer = load_answerer(settings.content_dir)
        if answerer is None:
            return 2
        if args.command == "ask":
            reply = answerer.answer(console.to_query(" ".join(args.text), args.lang))
            print(console.render(reply))
            return 0
        interactive = sys.stdin.isatty()
        return console.run_console(
            answerer, getattr(args, "lang", None), sys.stdin, sys.stdout, interactive
        )
    return 2


def load_answerer(content_dir: Path) -> Answerer | None:
    try:
        return Answerer(load_content(content_dir))
    except ContentError as error:
        print(f"iombot: the content in {content_dir} has problems:", file=sys.stderr)
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return None


def run_check(directory: Path) -> int:
    problems = check_content(directory)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    print(f"{directory}: content is valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
