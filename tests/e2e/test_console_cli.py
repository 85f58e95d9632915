"""The installed `iombot` command, run as a subprocess: console with piped input, ask, check."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from testsupport import installed_iombot

FIXTURES = Path(__file__).parents[1] / "fixtures"


pytestmark = pytest.mark.e2e


def run(args: list[str], stdin: str = "", env: dict | None = None, cwd=None):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "IOMBOT_"))
    }
    environment.update(env or {})
    return subprocess.run(
        [installed_iombot(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=cwd,
    )


def test_console_answers_piped_questions_and_exits_at_eof(tmp_path):
    # From an unrelated folder: the content ships inside the package.
    result = run(
        ["console"], stdin="/contact\n電話番号は？\nwho is the director general\n", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "== Contact IOM Tokyo ==" in out
    assert "03-3595-2487" in out and "+81-3-3595-2487" in out
    assert "== IOM駐日事務所の連絡先 ==" in out
    assert "Amy Pope" in out
    assert result.stderr == ""


def test_console_lang_flag_and_lang_command(tmp_path):
    result = run(["console", "--lang", "ja"], stdin="/contact\n/lang en\n/contact\n", cwd=tmp_path)
    assert result.returncode == 0
    assert "IOM駐日事務所の連絡先" in result.stdout.split("\n\n")[0]
    assert result.stdout.rstrip().split("== ")[-1].startswith("Contact IOM Tokyo")


def test_ask_prints_one_reply(tmp_path):
    result = run(["ask", "what's", "your", "phone", "number?"], cwd=tmp_path)
    assert result.returncode == 0
    assert "03-3595-2487" in result.stdout
    ja = run(["ask", "--lang", "ja", "/un"], cwd=tmp_path)
    assert "2018年12月10日" in ja.stdout


def test_check_reports_problems_with_path_and_line_and_fails():
    bad = run(["check", str(FIXTURES / "wrong_type")])
    assert bad.returncode == 1
    assert f"{FIXTURES / 'wrong_type' / 'beta.yaml'}:2: " in bad.stdout
    good = run(["check"])
    assert good.returncode == 0, good.stdout


def test_content_dir_from_environment_and_broken_content_is_refused(tmp_path):
    good = run(["ask", "/alpha"], env={"IOMBOT_CONTENT_DIR": str(FIXTURES / "good")})
    assert "Alpha topic" in good.stdout
    broken = run(["ask", "/alpha"], env={"IOMBOT_CONTENT_DIR": str(FIXTURES / "missing_field")})
    assert broken.returncode == 2
    assert "beta.yaml:5: en: required field 'title' is missing" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_from_a_checkout_the_bot_and_check_use_the_checkout_s_content(tmp_path):
    # An editor edits ./content and runs `iombot check` from anywhere: it checks that folder,
    # says so, and the bot answers from it at once, with no reinstall.
    checkout_content = Path(__file__).resolve().parents[2] / "content"
    good = run(["check"], cwd=tmp_path)
    assert good.returncode == 0
    assert f"{checkout_content}: content is valid" in good.stdout
    edited = tmp_path / "content"
    shutil.copytree(checkout_content, edited)
    contact = edited / "contact.yaml"
    contact.write_text(
        contact.read_text(encoding="utf-8").replace("body: |", "body: |\n    EDITED-NOW\n", 1),
        encoding="utf-8",
    )
    answer = run(["ask", "/contact"], env={"IOMBOT_CONTENT_DIR": str(edited)})
    assert "EDITED-NOW" in answer.stdout
    bad = run(["check"], env={"IOMBOT_CONTENT_DIR": str(FIXTURES / "wrong_type")}, cwd=tmp_path)
    assert bad.returncode == 1 and str((FIXTURES / "wrong_type").resolve()) in bad.stderr


def test_a_broken_japanese_dictionary_is_a_clear_message_not_a_traceback(tmp_path):
    fake = tmp_path / "shadow"
    fake.mkdir()
    (fake / "sudachipy.py").write_text("raise ImportError('dictionary files are missing')\n")
    # No readings cached yet (a new machine), so the dictionary is needed.
    env = {"PYTHONPATH": str(fake), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    broken = run(["ask", "/contact"], env=env, cwd=tmp_path)
    assert broken.returncode == 2
    assert "could not read the Japanese content" in broken.stderr
    assert "dictionary files are missing" in broken.stderr and "Traceback" not in broken.stderr


def test_with_no_token_the_console_says_where_the_web_chat_opens(tmp_path):
    """`make run` on a fresh machine: `iombot` on a terminal, no platform token set."""
    import pty

    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "SLACK_", "LINE_", "WEBCHAT_", "IOMBOT_"))
    }
    environment["PORT"] = "8099"
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [installed_iombot()],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        cwd=tmp_path,
        text=True,
    )
    os.close(terminal)
    os.write(controller, b"/quit\n")
    _, stderr = process.communicate(timeout=60)
    os.close(controller)
    assert "No platform token is set" in stderr
    assert "iombot run webchat" in stderr and "http://localhost:8099/chat" in stderr
