"""Content governance: `owner:` and `reviewed:` in topic files, the review warnings, and
`iombot check --review-days N --strict`."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from iombot.bots.cli import main
from iombot.core.content import (
    check_content,
    default_content_dir,
    load_content,
    review_warnings,
    topics_due_for_review,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"
TODAY = datetime.date(2026, 3, 1)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the good fixture (alpha.yaml, beta.yaml), neither reviewed, to edit."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "good", target)
    return target


def add_fields(folder: Path, name: str, fields: str) -> None:
    """Insert top-level lines right after `command:` (line 1): they start at line 2."""
    path = folder / name
    first, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(f"{first}\n{fields}\n{rest}", encoding="utf-8")


def test_owner_and_reviewed_load_as_date_or_text(folder):
    add_fields(folder, "alpha.yaml", "owner: Communications unit\nreviewed: 2026-01-15")
    add_fields(folder, "beta.yaml", "reviewed: '2025-12-31'")
    topics = load_content(folder, today=TODAY).by_command()
    alpha, beta = topics["alpha"], topics["beta"]
    assert alpha.owner == "Communications unit"
    assert alpha.reviewed == datetime.date(2026, 1, 15)
    assert (alpha.lines["owner"], alpha.lines["reviewed"]) == (2, 3)
    assert beta.owner is None and beta.reviewed == datetime.date(2025, 12, 31)
    assert beta.lines["reviewed"] == 2
    assert beta.lines["owner"] == beta.lines["command"] == 1  # absent: the command's line


def test_the_fields_are_optional_and_the_shipped_content_leaves_them_to_iom_tokyo():
    for topic in load_content(default_content_dir()).topics:
        assert topic.owner is None and topic.reviewed is None, topic.path
        assert topic.lines["reviewed"] == topic.lines["command"]


@pytest.mark.parametrize(
    ("fields", "line", "message"),
    [
        ("reviewed: 2026-02-30", 3, "'reviewed' is not a real date (2026-02-30)"),
        ("reviewed: '2025-13-01'", 3, "'reviewed' is not a real date (2025-13-01)"),
        ("reviewed: 01/02/2025", 3, "'reviewed' must be a date YYYY-MM-DD, not text"),
        ("reviewed: 2025-01-02 10:00:00", 3, "must be a date YYYY-MM-DD, not a date and time"),
        ("reviewed: 20250102", 3, "'reviewed' must be a date YYYY-MM-DD, not a number"),
        ("reviewed:", 3, "'reviewed' must be a date YYYY-MM-DD, not empty"),
        ("reviewed: 2026-03-05", 3, "'reviewed' is 2026-03-05, a date in the future"),
        ("owner: [a, b]", 2, "'owner' must be text, not a list"),
        ("owner: 42", 2, "'owner' must be text, not a number"),
        ("owner: ' '", 2, "'owner' is empty"),
    ],
)
def test_bad_owner_or_reviewed_is_one_problem_at_its_line(folder, fields, line, message):
    prefix = "owner: Unit" if fields.startswith("reviewed") else ""
    add_fields(folder, "beta.yaml", "\n".join(filter(None, [prefix, fields])))
    problems = check_content(folder, today=TODAY)
    assert len(problems) == 1, problems
    assert problems[0].path == str(folder / "beta.yaml")
    assert problems[0].line == line
    assert message in problems[0].message
    assert str(problems[0]).startswith(f"{folder / 'beta.yaml'}:{line}: topic: ")


def test_a_date_a_day_ahead_is_accepted_for_time_zones(folder):
    add_fields(folder, "beta.yaml", "reviewed: 2026-03-02")  # Tokyo's today, UTC's tomorrow
    assert check_content(folder, today=TODAY) == []


def test_never_reviewed_and_overdue_are_warned_at_their_lines(folder):
    add_fields(folder, "alpha.yaml", "owner: Director's office\nreviewed: 2025-01-02")
    content = load_content(folder, today=TODAY)
    warnings = review_warnings(content, TODAY)
    assert [(Path(w.path).name, w.line) for w in warnings] == [("alpha.yaml", 3), ("beta.yaml", 1)]
    overdue, never = warnings
    assert overdue.message.startswith(
        "last reviewed 2025-01-02, 423 days ago (more than 365): "
        "check it against the source and update `reviewed:`"
    )
    assert "owner: Director's office" in overdue.message
    assert never.message.startswith("never reviewed: add `reviewed: YYYY-MM-DD` (and `owner:`)")
    assert str(never) == f"{folder / 'beta.yaml'}:1: {never.message}"
    assert topics_due_for_review(content, TODAY, 365) == [
        ("beta", None, None),
        ("alpha", "Director's office", datetime.date(2025, 1, 2)),
    ]


def test_a_recent_review_gives_no_warning(folder):
    add_fields(folder, "alpha.yaml", "owner: Unit A\nreviewed: 2025-03-01")  # exactly 365 days
    add_fields(folder, "beta.yaml", "reviewed: 2026-03-01")
    content = load_content(folder, today=TODAY)
    assert review_warnings(content, TODAY) == []
    assert topics_due_for_review(content, TODAY, 365) == []
    # A shorter period makes the older one due.
    assert [w.line for w in review_warnings(content, TODAY, review_days=30)] == [3]
    assert topics_due_for_review(content, TODAY, 30) == [
        ("alpha", "Unit A", datetime.date(2025, 3, 1))
    ]
    with pytest.raises(ValueError):
        review_warnings(content, TODAY, review_days=-1)


def run_check(args: list[str], capsys, monkeypatch, tmp_path) -> tuple[int, str, str]:
    monkeypatch.chdir(tmp_path)  # no stray .env
    code = main(["check", *args])
    out, err = capsys.readouterr()
    # Less the line naming the languages not yet reviewed (the shipped registry's, linked):
    # tested in test_languages.py.
    kept = [line for line in out.splitlines(keepends=True) if not line.startswith(UNREVIEWED)]
    return code, "".join(kept), err


UNREVIEWED = "languages not yet reviewed by a person: "


def test_check_prints_warnings_and_exits_0_or_1_with_strict(folder, capsys, monkeypatch, tmp_path):
    long_ago = datetime.date.today() - datetime.timedelta(days=400)
    add_fields(folder, "alpha.yaml", f"owner: Unit A\nreviewed: {long_ago.isoformat()}")

    code, out, err = run_check([str(folder)], capsys, monkeypatch, tmp_path)
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0].startswith(f"{folder / 'alpha.yaml'}:3: warning: last reviewed ")
    assert "400 days ago (more than 365)" in lines[0]
    assert lines[1].startswith(f"{folder / 'beta.yaml'}:1: warning: never reviewed")
    assert lines[-1] == f"{folder.resolve()}: content is valid (2 review warning(s))"

    code, out, err = run_check([str(folder), "--review-days", "500"], capsys, monkeypatch, tmp_path)
    assert code == 0 and len(out.splitlines()) == 2  # beta's warning, and the last line

    code, out, err = run_check([str(folder), "--strict"], capsys, monkeypatch, tmp_path)
    assert code == 1
    assert f"{folder / 'beta.yaml'}:1: never reviewed" in out
    assert "2 problem(s)" in err


def test_check_without_warnings_keeps_its_last_line(folder, capsys, monkeypatch, tmp_path):
    today = datetime.date.today().isoformat()
    for name in ("alpha.yaml", "beta.yaml"):
        add_fields(folder, name, f"owner: Unit\nreviewed: {today}")
    code, out, _ = run_check([str(folder), "--strict"], capsys, monkeypatch, tmp_path)
    assert code == 0
    assert out.splitlines() == [f"{folder.resolve()}: content is valid"]


def test_check_reports_errors_before_any_review(folder, capsys, monkeypatch, tmp_path):
    add_fields(folder, "beta.yaml", "reviewed: 2999-01-01")
    code, out, err = run_check([str(folder)], capsys, monkeypatch, tmp_path)
    assert code == 1
    assert out.splitlines() == [
        f"{folder.resolve() / 'beta.yaml'}:2: topic: 'reviewed' is 2999-01-01, a date in the "
        f"future (today is {datetime.date.today().isoformat()}): write the date the topic was "
        "checked"
    ]
    assert "warning" not in out and "1 problem(s)" in err


def test_check_refuses_a_bad_review_period(capsys, monkeypatch, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        run_check(["--review-days", "-3"], capsys, monkeypatch, tmp_path)
    assert exit_.value.code == 2
    assert "not a whole number of days" in capsys.readouterr().err
