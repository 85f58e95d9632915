"""Socket Mode: the real Bolt app over a websocket to a local server speaking the envelope protocol
(hello, events_api, slash_commands, interactive, disconnect), in the same loop as our web app."""

from __future__ import annotations

import asyncio
import time

from iombot.core.content import load_content
from iombot.testing.slack import (
    APP_TOKEN,
    action_payload,
    command_fields,
    direct_message,
    event_payload,
    mention,
)

from testsupport import ADAPTER_CONTENT

# The fixture topics the app answers from (tests/fixtures/adapter_content).
TOPICS = load_content(ADAPTER_CONTENT).by_command()
CONTACT_EN = TOPICS["contact"].text("en").title
HISTORY_EN = TOPICS["history"].text("en").title


def header(message: dict) -> str | None:
    headers = [b["text"]["text"] for b in message.get("blocks", []) if b["type"] == "header"]
    return headers[0] if headers else None


async def wait_until(condition, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def connected(harness) -> None:
    await wait_until(lambda: harness.adapter.health()["up"])


async def test_connects_with_the_app_token_and_serves_no_http_route(socket_slack):
    await connected(socket_slack)
    # One call checks the app token at start, the next opens the connection.
    calls = socket_slack.fake.calls_to("apps.connections.open")
    assert len(calls) == 2
    assert all(call.headers["Authorization"] == f"Bearer {APP_TOKEN}" for call in calls)
    report = await socket_slack.health()
    assert report["adapters"]["slack"]["state"] == "socket"
    assert report["status"] == "ok"
    status, _ = await socket_slack.post("command=%2Fiom&text=contact")
    assert status in (404, 405)  # no signing secret: no HTTP route


async def test_slash_command_envelope_is_acked_with_the_answer(socket_slack):
    await connected(socket_slack)
    fields = command_fields("contact", socket_slack.fake.response_url())
    ack = await socket_slack.fake.send_envelope("slash_commands", fields)
    assert ack["payload"]["response_type"] == "ephemeral"
    assert header(ack["payload"]) == CONTACT_EN


async def test_events_are_answered_once_even_when_redelivered(socket_slack):
    await connected(socket_slack)
    fake = socket_slack.fake
    payload = event_payload(mention("contact", ts="1700000000.000100"), "EvSock1")
    ack = await fake.send_envelope("events_api", payload)
    assert "envelope_id" in ack
    (call,) = await fake.wait_for("chat.postMessage")
    assert call.args["thread_ts"] == "1700000000.000100"
    await fake.send_envelope("events_api", payload, retry_attempt=1)
    await fake.send_envelope("events_api", event_payload(direct_message("history"), "EvSock2"))
    calls = await fake.wait_for("chat.postMessage", 2)
    await socket_slack.adapter.stop()
    assert [header(c.args) for c in fake.calls_to("chat.postMessage")] == [
        CONTACT_EN,
        HISTORY_EN,
    ]
    assert calls[1].args["channel"] == "D1"


async def test_an_event_nothing_handles_is_acked_too(socket_slack):
    """Without its ack Slack would send the envelope again, and again."""
    await connected(socket_slack)
    payload = event_payload({"type": "app_uninstalled"}, "EvSockGone")
    ack = await socket_slack.fake.send_envelope("events_api", payload)
    assert ack["envelope_id"].startswith("env-")


async def test_interactive_envelope_share_button(socket_slack):
    await connected(socket_slack)
    fake = socket_slack.fake
    value = '{"l": "en", "a": "topic:contact"}'
    await fake.send_envelope("interactive", action_payload(value, "iom_share", fake.response_url()))
    (response,) = await fake.wait_responses(1)
    assert response.args["response_type"] == "in_channel"
    assert header(response.args) == CONTACT_EN


async def test_disconnect_envelope_reconnects_and_keeps_answering(socket_slack):
    await connected(socket_slack)
    fake = socket_slack.fake
    await fake.send_disconnect()
    await fake.wait_for("apps.connections.open", 2)
    await fake.wait_sockets(2)
    await connected(socket_slack)
    ack = await fake.send_envelope("slash_commands", command_fields("contact", fake.response_url()))
    assert header(ack["payload"]) == CONTACT_EN


async def test_health_is_down_while_disconnected_then_recovers(socket_slack):
    await connected(socket_slack)
    socket_slack.adapter.reachability.grace = 0.3  # 30 s in production: a reconnect is routine
    fake = socket_slack.fake
    fake.socket_allowed = False  # apps.connections.open fails until allowed again
    await fake.drop_sockets()
    await wait_until(lambda: not socket_slack.adapter.health()["up"])
    async with socket_slack.http.get(f"{socket_slack.base}/healthz") as response:
        assert response.status == 503
        report = await response.json()
    assert report["adapters"]["slack"]["state"] == "down"
    assert report["adapters"]["slack"]["socket"].startswith("socket: disconnected for")
    await fake.wait_for("apps.connections.open", 4)  # it keeps trying
    fake.socket_allowed = True
    await connected(socket_slack)
    assert len(fake.open_sockets()) == 1
    ack = await fake.send_envelope("slash_commands", command_fields("help", fake.response_url()))
    assert header(ack["payload"]) == "What I can tell you"


async def test_a_silent_connection_is_reported_down_and_replaced(socket_slack):
    await connected(socket_slack)
    socket_slack.adapter.reachability.grace = 0.3
    fake = socket_slack.fake
    fake.answer_pings = False
    await fake.send_disconnect()  # the new connection never answers a ping
    await fake.wait_sockets(2)
    await wait_until(lambda: not socket_slack.adapter.health()["up"])
    fake.answer_pings = True
    await connected(socket_slack)
    await wait_until(lambda: len(fake.sockets) >= 3)  # it gave up on the silent one
    ack = await fake.send_envelope("slash_commands", command_fields("contact", fake.response_url()))
    assert header(ack["payload"]) == CONTACT_EN


async def test_a_short_disconnect_keeps_it_ready(socket_slack):
    await connected(socket_slack)
    fake = socket_slack.fake
    await fake.drop_sockets()
    seen = []
    for _ in range(50):  # while it reconnects: within the 30 s grace, still ready
        seen.append(socket_slack.adapter.health()["up"])
        await asyncio.sleep(0.02)
    await fake.wait_sockets(2)
    assert all(seen)
    await connected(socket_slack)
