"""The monitoring set-up (monitoring/) against a real Prometheus scraping a real `iombot run`:
every expression of the Grafana dashboard and of the alert rules evaluates, and every metric they
name is exported by the bot. Renaming a metric in bots/metrics.py without updating monitoring/
fails here.

The bot runs both adapters against the fake Telegram and Slack (as tests/e2e/test_one_process.py),
with handoff on; Prometheus (Debian's package) scrapes it every second and loads
monitoring/alerts.yml. The tests that need Prometheus are skipped only when it is not installed
and $CI is not set: `make test` installs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from prometheus_server import PrometheusServer

from iombot.testing.background import BackgroundLoop
from iombot.testing.slack import BOT_TOKEN, SECRET, FakeSlack, command_body, signed_headers
from iombot.testing.telegram import FakeBotApi, message

from testsupport import ADAPTER_CONTENT, free_port, installed_iombot, wait_healthy

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]
MONITORING = ROOT / "monitoring"
ALERTS = MONITORING / "alerts.yml"
DASHBOARD = MONITORING / "grafana" / "dashboards" / "iombot.json"
DATASOURCES = MONITORING / "grafana" / "provisioning" / "datasources" / "prometheus.yml"

TOKEN = "123456:MONITORING_token_abcdefghijklmnop"
HANDOFF_CHANNEL = "C0HANDOFF1"

# Grafana's variables, as Grafana fills them in with the data source's 15 s scrape interval.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}

# What the test sends: Telegram messages (text, language) and Slack /iom texts.
TELEGRAM_QUESTIONS = [("/contact", "en"), ("What is your phone number?", "en"), ("電話番号", "ja")]
SLACK_QUESTIONS = ["contact", "phone"]
UNANSWERED = [("zzyzx qwv plonk", "telegram"), ("zzyzx qwv plonk", "slack")]


# --- what the monitoring files ask of Prometheus ------------------------------------------------


def dashboard_targets() -> list[tuple[str, str]]:
    """(panel title, expr) of every target of every panel, rows' nested panels included."""
    panels = json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]
    flat = [p for panel in panels for p in [panel, *panel.get("panels", [])]]
    return [(p["title"], t["expr"]) for p in flat for t in p.get("targets", [])]


def alert_rules() -> list[tuple[str, str]]:
    groups = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
    return [
        (rule.get("alert") or rule["record"], rule["expr"])
        for group in groups
        for rule in group["rules"]
    ]


def fill_in(expr: str) -> str:
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    assert "$" not in expr, f"a Grafana variable this test does not know: {expr}"
    return expr


METRIC = re.compile(r"\b(?:iombot|process|python)_[a-zA-Z0-9_]+\b|\bup(?=\s*\{)")


def metrics_named(expr: str) -> set[str]:
    """The metric names an expression selects (ours, the process collector's, and `up`)."""
    return set(METRIC.findall(expr))


def test_the_files_agree_with_each_other():
    """The dashboard's data source is the one provisioned, every panel has a query, and the
    test finds the rules and targets it is about to evaluate."""
    datasource = yaml.safe_load(DATASOURCES.read_text(encoding="utf-8"))["datasources"][0]
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == datasource["uid"], panel["title"]
        assert panel["targets"] and all(t["expr"] for t in panel["targets"]), panel["title"]
    assert len(dashboard_targets()) >= 14
    assert {name for name, _ in alert_rules()} >= {
        "IombotAdapterDown",
        "IombotTargetDown",
        "IombotErrorRate",
        "IombotSlowReplies",
        "IombotUnansweredJump",
    }


# --- the bot and Prometheus -----------------------------------------------------------------------


def clean_env(**values: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "SLACK_", "IOMBOT_", "PORT", "HOST"))
    }
    env.update(values)
    return env


def slack_command(port: int, text: str, response_url: str) -> dict:
    body = command_body(text, response_url)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events",
        data=body.encode(),
        headers=signed_headers(body),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return json.loads(response.read())


@pytest.fixture(scope="module")
def scraped(tmp_path_factory) -> Iterator[PrometheusServer]:
    """`iombot run` (Telegram and Slack, handoff on) that has answered a few questions, and a
    Prometheus that has scraped it at least twice since."""
    if shutil.which("prometheus") is None and not os.environ.get("CI"):
        pytest.skip(
            "prometheus is not installed: `make test` installs Debian's prometheus "
            "(or apt-get install prometheus)"
        )
    folder = tmp_path_factory.mktemp("monitoring")
    with BackgroundLoop() as loop:
        telegram, slack = loop.call(FakeBotApi, TOKEN), loop.call(FakeSlack)
        loop.run(telegram.start())
        loop.run(slack.start())
        port = free_port()
        env = clean_env(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=telegram.url,
            TELEGRAM_RATE_LIMIT="0",
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            IOMBOT_HANDOFF_CHANNEL=HANDOFF_CHANNEL,
            IOMBOT_CONTENT_DIR=str(ADAPTER_CONTENT),
            IOMBOT_DATA_DIR=str(folder / "data"),
            PORT=str(port),
            HOST="127.0.0.1",
            LOG_FORMAT="json",
        )
        process = subprocess.Popen(
            [installed_iombot(), "run"],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_healthy(process, port)
            with PrometheusServer([f"127.0.0.1:{port}"], rule_files=[ALERTS]) as prometheus:
                prometheus.wait_for_scrapes(1)  # a sample before the traffic: rates start at 0

                for user, (text, language) in enumerate(TELEGRAM_QUESTIONS, start=2001):
                    loop.call(telegram.push, message(text, user_id=user, language_code=language))
                for text, platform in UNANSWERED:
                    if platform == "telegram":
                        loop.call(telegram.push, message(text, user_id=2999))
                for text in SLACK_QUESTIONS + [t for t, p in UNANSWERED if p == "slack"]:
                    slack_command(port, text, slack.response_url())
                expected = len(TELEGRAM_QUESTIONS) + 1
                deadline = time.monotonic() + 20
                while len(loop.call(telegram.sent)) < expected:
                    assert time.monotonic() < deadline, "Telegram replies missing"
                    time.sleep(0.1)

                asked = len(TELEGRAM_QUESTIONS) + len(SLACK_QUESTIONS) + len(UNANSWERED)
                deadline = time.monotonic() + 20
                while True:
                    seen = prometheus.query(
                        "sum(iombot_questions_total) + sum(iombot_unanswered_total)"
                    )
                    if seen and float(seen[0]["value"][1]) >= asked:
                        break
                    assert time.monotonic() < deadline, f"Prometheus has not seen it: {seen}"
                    time.sleep(0.2)
                prometheus.wait_for_scrapes(2)
                yield prometheus
        finally:
            process.terminate()
            try:
                process.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
            loop.run(telegram.stop())
            loop.run(slack.stop())


# --- the proof ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expr"), dashboard_targets(), ids=[t for t, _ in dashboard_targets()]
)
def test_every_dashboard_query_returns_data(scraped, title, expr):
    result = scraped.query(fill_in(expr))  # raises with Prometheus' message if it cannot
    assert result, f"{title!r}: no data for {expr}"
    for name in metrics_named(expr):
        assert scraped.series(name), f"{title!r}: the bot exports no {name}"


@pytest.mark.parametrize(("name", "expr"), alert_rules(), ids=[n for n, _ in alert_rules()])
def test_every_alert_expression_evaluates_on_metrics_the_bot_exports(scraped, name, expr):
    scraped.query(expr)  # a condition that holds for nothing is an empty result, not an error
    named = metrics_named(expr)
    assert named, f"{name}: names none of the bot's metrics"
    missing = sorted(m for m in named if not scraped.series(m))
    assert not missing, f"{name}: the bot exports no {', '.join(missing)}"


def test_prometheus_evaluates_every_rule_without_error(scraped):
    rules = {rule["name"]: rule for rule in scraped.rules()}
    assert set(rules) == {name for name, _ in alert_rules()}
    for name, rule in rules.items():
        assert rule["health"] == "ok", f"{name}: {rule.get('lastError')}"


def test_the_traffic_shows_on_the_dashboard(scraped):
    """Not only some data: the questions just asked, per platform, and an unanswered share."""
    answered = dict(dashboard_targets())["Questions per minute"]
    per_platform: dict[str, float] = {}
    for series in scraped.query(fill_in(answered)):
        platform = series["metric"]["platform"]
        per_platform[platform] = per_platform.get(platform, 0) + float(series["value"][1])
    assert per_platform.get("telegram", 0) > 0 and per_platform.get("slack", 0) > 0, per_platform
    share = dict(dashboard_targets())["Share unanswered (last hour)"]
    shares = {s["metric"]["platform"]: float(s["value"][1]) for s in scraped.query(share)}
    assert 0 < shares["telegram"] < 1 and 0 < shares["slack"] < 1, shares
    up = scraped.query('iombot_adapter_up == 1 and on (instance) up{job="iombot"} == 1')
    assert {s["metric"]["adapter"] for s in up} == {"telegram", "slack"}
