"""Settings are validated once with every problem listed; logs mask secrets; JSON logs parse."""

from __future__ import annotations

import io
import json
import logging

import pytest

from iombot.bots.logs import JsonFormatter, SecretMask, TextFormatter
from iombot.bots.settings import Settings, SettingsError, read_environment

TOKEN = "123456:SECRET_token_abcdefghijklmnopqrstu"


def test_defaults_with_nothing_set():
    settings = Settings.from_env({})
    assert settings.port == 8080
    assert settings.configured_platforms() == [] and settings.secrets == []
    assert settings.content_dir.is_dir()


def test_platform_defaults_once_a_platform_is_enabled():
    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}
    )
    assert settings.configured_platforms() == ["telegram", "slack"]
    assert settings.platforms["telegram"].api_url == "https://api.telegram.org"
    assert settings.platforms["slack"].api_url == "https://slack.com/api/"
    assert settings.platforms["slack"].signing_secret is None


def test_every_problem_is_listed_in_one_error():
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(
            {
                "PORT": "eighty",
                "LOG_LEVEL": "LOUD",
                "LOG_FORMAT": "xml",
                "TELEGRAM_BOT_TOKEN": "nope",
                "TELEGRAM_WEBHOOK_URL": "https://x.org/hook",
                "SLACK_BOT_TOKEN": "xoxb-1",
                "IOMBOT_CONTENT_DIR": "/no/such/folder",
            }
        )
    problems = caught.value.problems
    for variable in (
        "PORT",
        "LOG_LEVEL",
        "LOG_FORMAT",
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
        "SLACK_SIGNING_SECRET",
        "IOMBOT_CONTENT_DIR",
    ):
        assert any(p.startswith(variable + ":") for p in problems), variable
    assert "nope" not in str(caught.value)


def test_secrets_never_show_in_repr():
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert TOKEN not in repr(settings) and TOKEN not in str(settings)
    assert settings.platforms["telegram"].token.value == TOKEN
    assert settings.secrets == [TOKEN]
    assert settings.configured_platforms() == ["telegram"]


def test_dotenv_is_read_and_the_environment_wins(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=9000\nLOG_LEVEL=DEBUG\n")
    monkeypatch.setenv("PORT", "9100")
    values = read_environment(env_file)
    assert values["PORT"] == "9100" and values["LOG_LEVEL"] == "DEBUG"


def make_logger(formatter: logging.Formatter) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(SecretMask([TOKEN]))
    logger = logging.getLogger(f"test.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_secret_is_masked_in_messages_arguments_and_tracebacks():
    logger, stream = make_logger(TextFormatter())
    logger.warning("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"bad url /bot{TOKEN}/sendMessage")
    except RuntimeError:
        logger.exception("failed")
    output = stream.getvalue()
    assert TOKEN not in output
    assert "/bot***/getMe" in output and "/bot***/sendMessage" in output


def test_json_lines_carry_context_fields():
    logger, stream = make_logger(JsonFormatter())
    logger.info("answered", extra={"platform": "telegram", "update_id": 7, "topic": "contact"})
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "answered" and entry["level"] == "INFO"
    assert (entry["platform"], entry["update_id"], entry["topic"]) == ("telegram", 7, "contact")
