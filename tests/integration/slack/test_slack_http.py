"""HTTP mode: signed requests to POST /slack/events, dispatched by the real Bolt AsyncApp inside
our aiohttp app; the fake Slack records every Web API and response_url call."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import time
from pathlib import Path

import pytest
from conftest import run_harness, slack_settings

from iombot.bots.bootstrap import make_services
from iombot.bots.settings import Secret
from iombot.bots.slack.handlers import REPORT_USAGE
from iombot.core.content import load_content
from iombot.testing.slack import (
    SECRET,
    FakeSlack,
    action_payload,
    command_body,
    direct_message,
    home_opened,
    mention,
    signed_headers,
)

from testsupport import ADAPTER_CONTENT

# The fixture topics the app answers from (tests/fixtures/adapter_content).
TOPICS = load_content(ADAPTER_CONTENT).by_command()


def title(command: str, language: str = "en") -> str:
    return TOPICS[command].text(language).title


CONTACT_EN = title("contact")
CONTACT_JA = title("contact", "ja")
PHONE_LINK = "<tel:+81355550123|03-5555-0123>"  # the fixture's made-up number


def header(message: dict) -> str | None:
    headers = [b["text"]["text"] for b in message.get("blocks", []) if b["type"] == "header"]
    return headers[0] if headers else None


def action_ids(message: dict) -> list[str]:
    return [
        element["action_id"]
        for block in message.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def visible(message: dict) -> str:
    """Everything Slack renders from a message (button values are data, never shown)."""
    texts = [message.get("text", "")]
    for block in message.get("blocks", []):
        texts += [block.get("text", {}).get("text", "")]
        texts += [
            e.get("text", "") for e in block.get("elements", []) if block["type"] == "context"
        ]
        texts += [
            e["text"]["text"]
            for e in block.get("elements", [])
            if "text" in e and isinstance(e["text"], dict)
        ]
    return "\n".join(texts)


def sections(message: dict) -> list[str]:
    return [b["text"]["text"] for b in message.get("blocks", []) if b["type"] == "section"]


# --- /iom ---------------------------------------------------------------------------------------


async def test_iom_contact_is_acked_at_once_for_the_caller_only(slack):
    started = time.perf_counter()
    status, body = await slack.command("contact")
    assert time.perf_counter() - started < 3
    assert status == 200
    assert body["response_type"] == "ephemeral"
    assert header(body) == CONTACT_EN
    assert PHONE_LINK in "\n".join(sections(body))
    assert "<https://www.example.org/|www.example.org>" in body["text"]  # the fallback
    assert action_ids(body) == [
        "iom_topic:work",
        "iom_topic:about",
        "iom_fb:up:contact:en",  # was it helpful? (the editors' loop)
        "iom_fb:down:contact:en",
        "iom_share",
    ]
    assert slack.fake.responses == []  # everything was in the ack


@pytest.mark.parametrize("text", ["", "help", "  HELP  "])
async def test_iom_alone_or_help_is_the_topic_menu_as_buttons(slack, text):
    status, body = await slack.command(text)
    assert status == 200
    assert header(body) == "What I can tell you"
    topics = [t.command for t in slack.services.answerer.content.topics]
    assert action_ids(body)[:-1] == [f"iom_topic:{name}" for name in topics]
    summary = TOPICS["contact"].text("en").summary
    assert f"`/iom contact` — {summary}" in "\n".join(sections(body))


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("phone", CONTACT_EN),
        ("/contact", CONTACT_EN),
        ("連絡先", CONTACT_JA),
        ("電話番号", CONTACT_JA),
        ("what's the phone number?", CONTACT_EN),
        ("電話番号を教えてください", CONTACT_JA),
        ("about the director general", title("leaders")),
    ],
)
async def test_iom_commands_aliases_and_questions(slack, text, title):
    _, body = await slack.command(text)
    assert header(body) == title


async def test_iom_unclear_question_gets_did_you_mean(slack):
    _, body = await slack.command("xyzzy plugh frobnicate")
    assert header(body) == "I'm not sure what you mean"
    assert all(a.startswith("iom_topic:") for a in action_ids(body)[:-1])


async def test_iom_lang_is_remembered_per_user(slack):
    _, body = await slack.command("lang ja", user="U7")
    assert header(body) == "言語"
    _, body = await slack.command("contact", user="U7")
    assert header(body) == CONTACT_JA
    _, body = await slack.command("contact", user="U8")
    assert header(body) == CONTACT_EN


async def test_share_button_posts_the_same_answer_in_the_channel(slack):
    _, body = await slack.command("what's the phone number?")
    response = await slack.share(body)
    assert response.args["response_type"] == "in_channel"
    assert response.args["replace_original"] is False
    assert header(response.args) == CONTACT_EN
    assert "iom_share" not in action_ids(response.args)
    assert "Shared by <@U1>" in json.dumps(response.args["blocks"])


async def test_topic_button_in_an_ephemeral_answer_replaces_it(slack):
    url = slack.fake.response_url()
    assert await slack.action(action_payload("topic:work", "iom_topic:work", url)) == 200
    (response,) = await slack.fake.wait_responses(1)
    assert response.args["replace_original"] is True
    assert response.args["response_type"] == "ephemeral"
    assert header(response.args) == title("work")
    assert "iom_share" in action_ids(response.args)


async def test_topic_button_in_a_public_message_answers_only_the_presser(slack):
    container = {"type": "message", "is_ephemeral": False, "channel_id": "C1"}
    payload = action_payload(
        "topic:about", "iom_topic:about", slack.fake.response_url(), container=container
    )
    await slack.action(payload)
    (response,) = await slack.fake.wait_responses(1)
    assert response.args["response_type"] == "ephemeral"
    assert response.args["replace_original"] is False
    assert header(response.args) == title("about")


# --- mentions and direct messages -----------------------------------------------------------------


async def test_mention_is_answered_in_a_thread(slack):
    assert await slack.event(mention("what's the phone number?", ts="1700000000.000100")) == 200
    (call,) = await slack.fake.wait_for("chat.postMessage")
    assert call.args["channel"] == "C1"
    assert call.args["thread_ts"] == "1700000000.000100"
    assert header(call.args) == CONTACT_EN
    assert call.args["text"]  # the fallback is always set
    assert call.headers["Authorization"] == "Bearer xoxb-1-test-bot-token"


async def test_mention_inside_a_thread_stays_in_that_thread(slack):
    await slack.event(mention("contact", ts="1700000009.000900", thread_ts="1700000000.000100"))
    (call,) = await slack.fake.wait_for("chat.postMessage")
    assert call.args["thread_ts"] == "1700000000.000100"


async def test_direct_message_is_answered_in_the_dm_in_japanese(slack):
    await slack.event(direct_message("電話番号は？"))
    (call,) = await slack.fake.wait_for("chat.postMessage")
    assert call.args["channel"] == "D1"
    assert "thread_ts" not in call.args
    assert header(call.args) == CONTACT_JA


async def test_slack_locale_is_a_cached_hint(slack):
    slack.fake.locales["U1"] = "ja-JP"
    await slack.event(direct_message("contact"), event_id="Ev1")
    await slack.event(direct_message("what is IOM?"), event_id="Ev2")
    first, second = await slack.fake.wait_for("chat.postMessage", 2)
    assert header(first.args) == CONTACT_JA
    assert header(second.args) == title("about", "ja")
    (lookup,) = slack.fake.calls_to("users.info")
    assert lookup.args == {"user": "U1", "include_locale": "1"}


async def test_bots_edits_joins_channels_and_ourselves_are_ignored(slack):
    ignored = [
        direct_message("contact", bot_id="B2"),  # another bot
        direct_message("contact", user="UBOT", bot_id="BBOT"),  # ourselves
        direct_message("contact", subtype="message_changed"),
        direct_message("contact", subtype="channel_join"),
        {**direct_message("contact"), "channel_type": "channel", "channel": "C1"},
        mention("contact", bot_id="B2"),
    ]
    for n, event in enumerate(ignored):
        assert await slack.event(event, event_id=f"EvIgnored{n}") == 200
    await slack.event(direct_message("history"), event_id="EvReal")
    await slack.fake.wait_for("chat.postMessage")
    await slack.adapter.stop()  # lets anything in flight finish
    (call,) = slack.fake.calls_to("chat.postMessage")
    assert header(call.args) == title("history")


async def test_slack_retries_never_answer_twice(slack):
    await slack.event(mention("contact"), event_id="EvSame")
    await slack.fake.wait_for("chat.postMessage")
    for attempt in ("1", "2"):
        status = await slack.event(
            mention("contact"),
            event_id="EvSame",
            **{"X-Slack-Retry-Num": attempt, "X-Slack-Retry-Reason": "http_timeout"},
        )
        assert status == 200
    await slack.event(direct_message("history"), event_id="EvOther")
    await slack.fake.wait_for("chat.postMessage", 2)
    await slack.adapter.stop()
    calls = slack.fake.calls_to("chat.postMessage")
    assert [header(c.args) for c in calls] == [CONTACT_EN, title("history")]


# --- App Home -------------------------------------------------------------------------------------


async def test_app_home_opened_publishes_the_home_tab(slack):
    await slack.event(home_opened("U1"), event_id="EvHome")
    (call,) = await slack.fake.wait_for("views.publish")
    assert call.args["user_id"] == "U1"
    view = call.args["view"]
    assert view["type"] == "home"
    assert len(view["blocks"]) <= 100
    topics = [t.command for t in slack.services.answerer.content.topics]
    assert [a for a in action_ids(view) if a.startswith("iom_topic:")] == [
        f"iom_topic:{name}" for name in topics
    ]
    assert PHONE_LINK in json.dumps(view, ensure_ascii=False)  # the contact details


async def test_messages_tab_opened_publishes_nothing(slack):
    await slack.event(home_opened("U1", tab="messages"), event_id="EvMessages")
    await slack.event(home_opened("U2"), event_id="EvHome2")
    (call,) = await slack.fake.wait_for("views.publish")
    assert call.args["user_id"] == "U2"


async def test_topic_button_on_the_home_tab_shows_the_topic_there(slack):
    payload = action_payload(
        "topic:leaders",
        "iom_topic:leaders",
        None,
        container={"type": "view", "view_id": "V1"},
        view={"id": "V1", "type": "home"},
    )
    assert await slack.action(payload) == 200
    (call,) = await slack.fake.wait_for("views.publish")
    view = call.args["view"]
    headers = [h["text"]["text"] for h in view["blocks"] if h["type"] == "header"]
    assert title("leaders") in headers
    assert len(set(action_ids(view))) == len(action_ids(view))  # action ids stay unique


# --- signatures and malformed requests ------------------------------------------------------------


async def test_bad_signature_is_refused(slack):
    body = command_body("contact", slack.fake.response_url())
    headers = signed_headers(body, secret="not-the-secret")
    status, _ = await slack.post(body, headers)
    assert status == 401
    status, _ = await slack.post(body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 401
    status, _ = await slack.post(body, {**headers, "X-Slack-Request-Timestamp": "soon"})
    assert status == 401
    tampered = signed_headers(body)
    status, _ = await slack.post(body.replace("contact", "history"), tampered)
    assert status == 401
    assert slack.fake.calls_to("users.info") == []


async def test_stale_signature_is_refused(slack):
    body = command_body("contact", slack.fake.response_url())
    status, _ = await slack.post(body, signed_headers(body, timestamp=int(time.time()) - 600))
    assert status == 401


async def test_malformed_payloads_do_not_break_the_app(slack):
    for body in (b"payload=%7Bnot+json", b"{not json"):
        status, _ = await slack.post(body)
        assert status == 400
    status, _ = await slack.post(b"text=\xff\xfe")  # not UTF-8: cannot be Slack's signature
    assert status == 401
    # A command without user, channel or text still gets the menu.
    status, body = await slack.post("command=%2Fiom&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fx")
    assert status == 200 and header(body) == "What I can tell you"
    # An event without channel or ts, and an action without a user or response_url.
    assert await slack.event({"type": "app_mention", "user": "U1", "text": "hi"}) == 200
    # Bolt itself cannot route an action without an action_id: a 500, logged and counted.
    assert await slack.action({"type": "block_actions", "actions": [{}]}) == 500
    assert slack.services.metrics.errors.labels("slack")._value.get() == 1
    bare = action_payload("nonsense", "iom_topic:x", None, container={})
    del bare["user"]
    assert await slack.action(bare) == 200
    # Still serving.
    status, body = await slack.command("contact")
    assert status == 200 and header(body) == CONTACT_EN
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_what_no_listener_takes_is_acknowledged_and_noted(slack, caplog):
    """Slack sends every app some events (app_uninstalled, tokens_revoked), and a manifest may
    send what the code does not serve: an empty 200 (Bolt's own answer is a 404, which Slack
    retries or shows the user as an error), nothing said, a line in the log, no error."""
    caplog.set_level(logging.INFO, logger="iombot.slack")
    assert await slack.event({"type": "tokens_revoked", "tokens": {}}, event_id="EvRevoked") == 200
    assert await slack.event({"type": "reaction_added", "user": "U1"}, event_id="EvReact") == 200
    status, body = await slack.post(command_body("hi", slack.fake.response_url(), command="/x"))
    assert (status, body) == (200, None)
    assert await slack.action(action_payload("v", "another_apps_button", None)) == 200
    view = {"type": "view_submission", "user": {"id": "U1"}, "view": {"type": "modal"}}
    view["view"]["callback_id"] = "form"
    assert await slack.action(view) == 200
    await asyncio.sleep(0.2)
    assert not slack.fake.calls_to("chat.postMessage") and not slack.fake.responses
    noted = [(r.levelname, r.getMessage()) for r in caplog.records if "nothing handles" in r.msg]
    assert noted == [
        ("INFO", "nothing handles Slack event tokens_revoked: acknowledged"),
        ("INFO", "nothing handles Slack event reaction_added: acknowledged"),
        ("WARNING", "nothing handles Slack command /x: acknowledged"),
        ("WARNING", "nothing handles Slack block_actions another_apps_button: acknowledged"),
        ("WARNING", "nothing handles Slack view_submission form: acknowledged"),
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert slack.services.metrics.errors.labels("slack")._value.get() == 0


async def test_url_verification_is_answered_after_the_signature_check(slack):
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"})
    status, answer = await slack.post(body)
    assert status == 200 and answer == {"challenge": "abc123"}
    status, _ = await slack.post(body, signed_headers(body, secret="wrong"))
    assert status == 401


# --- long and hostile input -----------------------------------------------------------------------


async def test_a_10000_character_question(slack):
    question = ("where is the phone number of the tokyo office " * 250)[:10_000]
    started = time.perf_counter()
    status, body = await slack.command(question)
    assert status == 200 and time.perf_counter() - started < 3
    assert header(body)
    share = json.loads(action_ids(body) and body["blocks"][-1]["elements"][0]["value"])
    assert len(json.dumps(share)) <= 2000
    await slack.event(mention(question))
    (call,) = await slack.fake.wait_for("chat.postMessage")
    assert len(call.args["blocks"]) <= 50
    assert all(len(text) <= 3000 for text in sections(call.args))


async def test_hostile_mrkdwn_in_questions_is_escaped(slack):
    # As Slack sends them: what the user typed arrives escaped; real mentions and links as <…>.
    typed = "/zz&lt;!channel&gt;&amp;&lt;@U2&gt;"
    real = "<!channel><@U2><https://evil.example|click>"
    for hostile in (typed, real, typed + real):
        _, body = await slack.command(hostile)
        text = visible(body)
        assert "<!channel>" not in text and "<@U2>" not in text and "<https://evil" not in text
        assert all(b["text"]["verbatim"] for b in body["blocks"] if b["type"] == "section")
    _, body = await slack.command(typed)
    # The whole typed command is echoed back, escaped: no mention, no broadcast.
    assert "I don't know the command /zz&lt;!channel&gt;&amp;&lt;@U2&gt;." in sections(body)[0]
    await slack.event(mention("<!here> " + typed + real))
    (call,) = await slack.fake.wait_for("chat.postMessage")
    posted = visible(call.args)
    assert "<!here>" not in posted and "<!channel>" not in posted and "<@U2>" not in posted
    assert "&lt;!channel&gt;" in posted


@pytest.fixture
async def hostile_slack(fake, tmp_path):
    """Content whose text tries to ping everyone and smuggle in a link."""
    folder = tmp_path / "content"
    shutil.copytree(ADAPTER_CONTENT, folder)
    contact = folder / "contact.yaml"
    text = contact.read_text(encoding="utf-8")
    text = text.replace(  # at the start of the English body (the first one in the file)
        "  body: |\n    ",
        "  body: |\n    <!channel> @here Q&A <https://evil.example|click> *not bold* `x` ",
        1,
    )
    contact.write_text(text, encoding="utf-8")
    async for harness in run_harness(fake, slack_settings(fake, Path(folder))):
        yield harness


async def test_hostile_mrkdwn_in_content_is_escaped_and_our_links_still_work(hostile_slack):
    _, body = await hostile_slack.command("contact")
    first = sections(body)[0]
    assert first.startswith(
        "&lt;!channel&gt; @here Q&amp;A &lt;https://evil.example|click&gt; *not bold*"
    )
    assert PHONE_LINK in "\n".join(sections(body))
    assert "<!channel>" not in body["text"]


# --- Web API failures -----------------------------------------------------------------------------


async def test_rate_limit_is_honoured_and_retried(slack):
    slack.fake.failures["chat.postMessage"].append(
        (429, {"Retry-After": "0"}, {"ok": False, "error": "ratelimited"})
    )
    await slack.event(mention("contact"))
    first, second = await slack.fake.wait_for("chat.postMessage", 2, timeout=5)
    assert header(first.args) == header(second.args) == CONTACT_EN


async def test_server_errors_and_timeouts_are_retried(slack):
    failures = slack.fake.failures["chat.postMessage"]
    failures += [(500, {}, {"ok": False}), 1.0]  # a 5xx, then a call that times out
    await slack.event(mention("contact"))
    calls = await slack.fake.wait_for("chat.postMessage", 3)
    assert [header(c.args) for c in calls] == [CONTACT_EN] * 3


async def test_persistent_failure_gets_an_apology_and_the_app_keeps_serving(slack):
    # One call and two retries fail; the apology after them gets through.
    slack.fake.failures["chat.postMessage"] += [(503, {}, {"ok": False})] * 3
    await slack.event(direct_message("contact"), event_id="EvFail")
    calls = await slack.fake.wait_for("chat.postMessage", 4)
    assert "Sorry, something went wrong" in calls[3].args["text"]
    assert slack.services.metrics.errors.labels("slack")._value.get() == 1
    await slack.event(direct_message("history"), event_id="EvAfter")
    calls = await slack.fake.wait_for("chat.postMessage", 5)
    assert header(calls[4].args) == title("history")


async def test_slack_api_error_answer_gets_an_apology(slack):
    slack.fake.failures["chat.postMessage"].append(
        (200, {}, {"ok": False, "error": "invalid_blocks"})
    )
    await slack.event(mention("contact"))
    calls = await slack.fake.wait_for("chat.postMessage", 2)
    assert "blocks" not in calls[1].args and "Sorry" in calls[1].args["text"]


async def test_slow_users_info_does_not_hold_up_the_ack(slack):
    slack.fake.failures["users.info"] += [1.2, 1.2, 1.2]  # each call times out (0.5 s here)
    started = time.perf_counter()
    status, body = await slack.command("contact")
    assert status == 200 and header(body) == CONTACT_EN
    assert time.perf_counter() - started < 1.5  # the locale is waited for 1 s at most


async def test_users_info_failure_still_answers(slack):
    slack.fake.failures["users.info"] += [(200, {}, {"ok": False, "error": "user_not_found"})]
    _, body = await slack.command("contact")
    assert header(body) == CONTACT_EN


# --- health and metrics ---------------------------------------------------------------------------


async def test_health_and_metrics(slack):
    report = await slack.health()
    assert report["adapters"]["slack"]["up"] is True
    assert report["adapters"]["slack"]["state"] == "http"
    await slack.command("contact")
    async with slack.http.get(f"{slack.base}/metrics") as response:
        metrics = await response.text()
    assert 'iombot_questions_total{language="en",platform="slack",topic="contact"} 1.0' in metrics
    assert SECRET not in json.dumps(report)


async def test_a_refused_token_stops_start_up(fake: FakeSlack):
    from iombot.bots.slack.adapter import SlackAdapter

    fake.failures["auth.test"].append((200, {}, {"ok": False, "error": "invalid_auth"}))
    settings = slack_settings(fake)
    services = make_services(settings)
    adapter = SlackAdapter(services, settings.platforms["slack"])
    with pytest.raises(
        RuntimeError, match=r"SLACK_BOT_TOKEN was refused by Slack \(invalid_auth\)"
    ):
        await adapter.start()
    await adapter.stop()


async def test_a_refused_app_token_stops_start_up_in_socket_mode(fake: FakeSlack):
    from iombot.bots.slack.adapter import SlackAdapter
    from iombot.testing.slack import APP_TOKEN

    fake.app_token_refused = True  # instead of retrying for ever, with /healthz at 503
    settings = slack_settings(fake, app_token=Secret(APP_TOKEN), signing_secret=None)
    services = make_services(settings)
    adapter = SlackAdapter(services, settings.platforms["slack"])
    with pytest.raises(
        RuntimeError, match=r"SLACK_APP_TOKEN was refused by Slack \(invalid_auth\)"
    ):
        await adapter.start()
    await adapter.stop()
    assert len(fake.calls_to("apps.connections.open")) == 1


async def test_a_web_api_that_keeps_failing_makes_readiness_503_then_it_recovers(slack):
    slack.adapter.reachability.grace = 0.3  # 30 s in production
    for method in ("chat.postMessage", "users.info"):  # Slack answers nothing but 503
        slack.fake.failures[method] += [(503, {}, {"ok": False})] * 100
    await slack.event(direct_message("contact"), event_id="EvDown1")
    await slack.fake.wait_for("chat.postMessage", 3)
    await asyncio.sleep(0.5)
    await slack.event(direct_message("contact", ts="1700000001.000300"), event_id="EvDown2")
    await slack.fake.wait_for("chat.postMessage", 9)
    async with slack.http.get(f"{slack.base}/healthz") as response:
        assert response.status == 503
        report = await response.json()
    assert report["adapters"]["slack"]["state"] == "degraded"
    assert report["adapters"]["slack"]["web_api"]["why"].endswith(": HTTP 503")
    async with slack.http.get(f"{slack.base}/livez") as response:
        assert response.status == 200
    slack.fake.failures.clear()  # Slack is back
    await slack.event(direct_message("history", ts="1700000001.000400"), event_id="EvUp")
    await slack.fake.wait_for("chat.postMessage", 10)
    for _ in range(50):  # the answer's success is seen once the call returns
        if (await slack.health())["status"] == "ok":
            break
        await asyncio.sleep(0.02)
    assert (await slack.health())["status"] == "ok"


async def test_iom_has_the_same_flood_limit_as_telegram(slack):
    # 20 messages a minute per user (bots/flood.py), then one notice, then an empty ack.
    for n in range(20):
        _, body = await slack.command("contact", user="UFLOOD")
        assert header(body) == CONTACT_EN, n
    status, notice = await slack.command("contact", user="UFLOOD")
    assert status == 200 and notice["response_type"] == "ephemeral"
    assert "sending messages very quickly" in notice["text"] and "blocks" not in notice
    status, silent = await slack.command("contact", user="UFLOOD")
    assert status == 200 and not silent
    _, other = await slack.command("contact", user="UCALM")  # counted per user
    assert header(other) == CONTACT_EN


async def test_mentions_and_dms_share_the_flood_limit(slack):
    for n in range(20):
        event = mention("contact", ts=f"1700000000.{n:06d}") if n % 2 else direct_message("contact")
        await slack.event(event, event_id=f"EvFlood{n}")
    await slack.fake.wait_for("chat.postMessage", 20)
    await slack.event(mention("contact", ts="1700000001.000001"), event_id="EvFlood20")
    await slack.event(direct_message("contact"), event_id="EvFlood21")
    await slack.event(direct_message("contact"), event_id="EvFlood22")
    calls = await slack.fake.wait_for("chat.postMessage", 21)
    notice = calls[20].args
    assert "sending messages very quickly" in notice["text"]
    assert notice["thread_ts"] == "1700000001.000001"  # in the thread it was asked in
    for _ in range(100):  # the last two are counted once Bolt has run their listeners
        _, metrics = await slack.get("/metrics")
        if 'iombot_rate_limited_total{platform="slack"} 3.0' in metrics:
            break
        await asyncio.sleep(0.02)
    assert 'iombot_rate_limited_total{platform="slack"} 3.0' in metrics
    assert len(slack.fake.calls_to("chat.postMessage")) == 21  # then silence


async def test_the_iom_menu_tells_staff_about_report_and_tickets(slack):
    _, body = await slack.command("help")
    contexts = [
        e["text"] for b in body.get("blocks", []) if b["type"] == "context" for e in b["elements"]
    ]
    assert any("/iom report" in c and "/iom tickets" in c for c in contexts), contexts


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01", "-3d"])
async def test_iom_report_with_a_bad_argument_says_what_it_takes(slack, since):
    status, body = await slack.command(f"report {since}")
    assert status == 200 and body["response_type"] == "ephemeral"
    assert body["text"] == REPORT_USAGE
    assert "`7d`" in body["text"] and "`30d`" in body["text"] and "`YYYY-MM-DD`" in body["text"]
    assert since not in body["text"]  # a fixed message, not the error's words
