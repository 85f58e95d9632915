"""The `iombot` command: console, ask, check, report, run (the platforms in bots/platforms.py),
healthcheck."""

from __future__ import annotations

import argparse
import asyncio
import datetime
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..core.answerer import Answerer
from ..core.content import ContentError, load_content, review_warnings, string_warnings
from ..core.readings import ReadingError
from ..core.schema import DEFAULT_REVIEW_DAYS
from . import console
from .editors.report import Report, render_csv, render_json, render_text
from .editors.reporting import DEFAULT_SINCE, build_report, since_day
from .platform import Platform
from .platforms import PLATFORMS
from .settings import Settings, SettingsError, read_environment
from .state import StateError, open_state
from .texts import REQUIRED_STRINGS

# --lang takes the codes of the content's languages.yaml: checked once the content is loaded.
LANG_HELP = "answer in this language (a code of the content's languages.yaml)"


def build_parser(platforms: Sequence[Platform] = PLATFORMS) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iombot", description="The information bot of IOM Tokyo.")
    commands = parser.add_subparsers(dest="command")

    chat = commands.add_parser(
        "console", help="chat with the bot in this terminal (no token needed)"
    )
    chat.add_argument("--lang", metavar="CODE", help=LANG_HELP)

    ask = commands.add_parser("ask", help="print the answer to one question")
    ask.add_argument("--lang", metavar="CODE", help=LANG_HELP)
    ask.add_argument("text", nargs="+", help="the question or command, e.g. /contact")

    names = tuple(platform.name for platform in platforms)
    run = commands.add_parser("run", help=f"run the configured adapters ({', '.join(names)})")
    run.add_argument(
        "platform",
        nargs="?",
        choices=names,
        help="run only this adapter (default: every configured one)",
    )

    commands.add_parser("healthcheck", help="exit 0 when the running bot's /healthz is 200")

    report = commands.add_parser(
        "report",
        help="what people asked that the content could not answer, votes, topics due for review",
    )
    report.add_argument(
        "--since",
        default=DEFAULT_SINCE,
        metavar="7d|30d|YYYY-MM-DD",
        help=f"the period (default: {DEFAULT_SINCE})",
    )
    report.add_argument("--format", choices=("text", "csv", "json"), default="text")

    check = commands.add_parser("check", help="validate a content folder")
    check.add_argument(
        "directory",
        nargs="?",
        type=Path,
        help="the folder to check (default: the content the bot serves)",
    )
    check.add_argument(
        "--review-days",
        type=_days,
        default=DEFAULT_REVIEW_DAYS,
        metavar="N",
        help="warn about topics never reviewed or last reviewed more than N days ago "
        f"(default: {DEFAULT_REVIEW_DAYS})",
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="count the warnings (reviews due, incomplete translations) as problems: exit 1 "
        "when there are any",
    )
    return parser


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days (0 or more)")
    return days


def main(argv: Sequence[str] | None = None, platforms: Sequence[Platform] = PLATFORMS) -> int:
    """The command line; `platforms` is the registry (tests pass one with an extra platform)."""
    args = build_parser(platforms).parse_args(argv)
    environment = read_environment()
    if args.command == "run" and args.platform is not None:
        enable = next(p.enable_variable for p in platforms if p.name == args.platform)
        if enable is not None:  # `iombot run webchat` needs no WEBCHAT_ENABLED=1
            environment = {**environment, enable: "1"}
    try:
        settings = Settings.from_env(environment, platforms)
    except SettingsError as error:
        print(f"iombot: settings:\n{error}", file=sys.stderr)
        return 2
    if args.command == "check":
        return run_check(args.directory or settings.content_dir, args.review_days, args.strict)
    if args.command == "report":
        return run_report(settings, args.since, args.format)
    if args.command == "healthcheck":
        return run_healthcheck(settings)
    if args.command == "run" or (args.command is None and settings.configured_platforms()):
        return run_adapters(settings, platforms, getattr(args, "platform", None))
    if args.command in (None, "console", "ask"):
        answerer = load_answerer(settings.content_dir)
        if answerer is None:
            return 2
        language = getattr(args, "lang", None)
        if language is not None and language not in answerer.languages:
            codes = ", ".join(answerer.languages.codes)
            print(
                f"iombot: --lang {language}: the content's languages are {codes}", file=sys.stderr
            )
            return 2
        if args.command == "ask":
            reply = answerer.answer(console.to_query(" ".join(args.text), language))
            print(console.render(reply))
            return 0
        interactive = sys.stdin.isatty()
        if args.command is None and interactive:  # `make run` with no platform token set
            print(no_token_hint(settings.port), file=sys.stderr)
        return console.run_console(answerer, language, sys.stdin, sys.stdout, interactive)
    return 2


def no_token_hint(port: int) -> str:
    """What `iombot` says when no platform token is set and it opens the console."""
    return (
        "No platform token is set: you are chatting in the console. The web chat needs none: "
        f"run `iombot run webchat` and open http://localhost:{port}/chat"
    )


def run_adapters(settings: Settings, platforms: Sequence[Platform], only: str | None) -> int:
    from .logs import configure_logging
    from .service import serve

    chosen = [p for p in platforms if p.name in settings.platforms and only in (None, p.name)]
    if only is not None and not chosen:
        hint = next(p.how_to_enable for p in platforms if p.name == only)
        print(f"iombot: {only} is not configured: {hint}", file=sys.stderr)
        return 2
    if not chosen:
        hints = "; ".join(f"{p.name}: {p.how_to_enable}" for p in platforms)
        print(
            f"iombot: no platform is configured ({hints}), in the environment or in .env; "
            "or try `iombot console`.",
            file=sys.stderr,
        )
        return 2
    answerer = load_answerer(settings.content_dir)  # its problems said here, before serving
    if answerer is None:
        return 2
    quiet = [name for p in chosen for name in p.quiet_loggers]
    configure_logging(settings.log_level, settings.log_format, settings.secrets, quiet)
    return asyncio.run(serve(settings, chosen, registry=platforms, answerer=answerer))


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
        return Answerer(load_content(content_dir, required_strings=REQUIRED_STRINGS))
    except ContentError as error:
        print(f"iombot: the content in {content_dir} has problems:", file=sys.stderr)
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return None
    except ReadingError as error:  # a broken install: the Japanese dictionary could not run
        print(f"iombot: {error}", file=sys.stderr)
        return None


def run_report(settings: Settings, since: str, output: str) -> int:
    """The editors' report from the state store and content the bot uses (same settings)."""
    try:
        day = since_day(since)
    except ValueError as error:
        print(f"--since {error}", file=sys.stderr)
        return 2
    try:
        content = load_content(settings.content_dir, required_strings=REQUIRED_STRINGS)
    except ContentError as error:
        print(
            f"{settings.content_dir}: content has problems; run `iombot check`\n{error}",
            file=sys.stderr,
        )
        return 1

    async def build() -> Report | None:
        try:
            state = await open_state(settings.state_url.value)
        except StateError as error:
            print(f"{error}", file=sys.stderr)
            return None
        try:
            return await build_report(state, content, day)
        finally:
            await state.close()

    report = asyncio.run(build())
    if report is None:
        return 2
    render = {"text": render_text, "csv": render_csv, "json": render_json}[output]
    sys.stdout.write(render(report).rstrip("\n") + "\n")
    return 0


def run_check(
    directory: Path,
    review_days: int = DEFAULT_REVIEW_DAYS,
    strict: bool = False,
    today: datetime.date | None = None,
) -> int:
    """Validate the folder, then, when it is valid, warn about incomplete translations and
    topics due for review: warnings exit 0, or 1 with `strict`."""
    directory = directory.resolve()
    today = today or datetime.date.today()
    try:
        content = load_content(directory, today=today, required_strings=REQUIRED_STRINGS)
    except ContentError as error:
        for problem in error.problems:
            print(problem)
        print(f"{len(error.problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    translations = string_warnings(content)
    reviews = review_warnings(content, today, review_days)
    warnings = translations + reviews
    if strict and warnings:
        for warning in warnings:
            print(warning)
        print(
            f"{len(warnings)} problem(s) in {directory}: warnings count with --strict",
            file=sys.stderr,
        )
        return 1
    for warning in warnings:
        print(f"{warning.path}:{warning.line}: warning: {warning.message}")
    if content.asked:  # what the bot learns from (content/asked/), so an editor sees it grow
        filed = Counter(asked.topic or "_not_covered" for asked in content.asked)
        each = ", ".join(f"{topic} {count}" for topic, count in sorted(filed.items()))
        print(f"asked/: {len(content.asked)} questions filed ({each})")
    unreviewed = content.languages.unreviewed
    if unreviewed:  # their replies say so (the catalog's `unreviewed` note)
        names = ", ".join(f"{code} ({content.languages.english_name(code)})" for code in unreviewed)
        print(f"languages not yet reviewed by a person: {names}")
    kinds = (("translation", translations), ("review", reviews))
    counts = ", ".join(f"{len(found)} {kind} warning(s)" for kind, found in kinds if found)
    counted = f" ({counts})" if counts else ""
    print(f"{directory}: content is valid{counted}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
