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

    run = commands.add_parser("run", help="run the configured adapters (Telegram, Slack)")
    run.add_argument(
        "platform",
        nargs="?",
        choices=("telegram", "slack"),
        help="run only this adapter (default: every configured one)",
    )

    commands.add_parser("healthcheck", help="exit 0 when the running bot's /healthz is 200")

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
    if args.command == "healthcheck":
        return run_healthcheck(settings)
    if args.command == "run" or (args.command is None and settings.configured_platforms()):
        return run_adapters(settings, getattr(args, "platform", None))
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


def run_adapters(settings: Settings, platform: str | None) -> int:
    import asyncio

    from .logs import configure_logging
    from .service import serve

    configured = settings.configured_platforms()
    if platform is not None and platform not in configured:
        variable = {"telegram": "TELEGRAM_BOT_TOKEN", "slack": "SLACK_BOT_TOKEN"}[platform]
        print(f"iombot: {platform} is not configured: set {variable}", file=sys.stderr)
        return 2
    if not configured:
        print(
            "iombot: no platform is configured. Set TELEGRAM_BOT_TOKEN (Telegram) and/or "
            "SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN (Slack), in the "
            "environment or in .env; or try `iombot console`.",
            file=sys.stderr,
        )
        return 2
    if load_answerer(settings.content_dir) is None:
        return 2
    configure_logging(settings.log_level, settings.log_format, settings.secrets)
    return asyncio.run(serve(settings, [platform] if platform else configured))


def run_healthcheck(settings: Settings) -> int:
    from urllib.error import URLError
    from urllib.request import urlopen

    url = f"http://127.0.0.1:{settings.port}/healthz"
    try:
        with urlopen(url, timeout=3) as response:
            print(response.read().decode())
            return 0 if response.status == 200 else 1
    except URLError as error:
        body = getattr(error, "read", lambda: b"")().decode(errors="replace")
        print(f"unhealthy: {url}: {body or error.reason}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return 1


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
