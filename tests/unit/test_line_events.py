"""LINE webhook events read as LINE sends them, today and in older shapes: only what the bot uses,
each event on its own, and a line for each one that cannot be read."""

from __future__ import annotations

from iombot.bots.line.events import LineEvent, Mention, Source, read_event, read_events
from iombot.testing.line import follow_event, postback_event, text_event

USER = "U" + "1" * 32
GROUP = "C" + "2" * 32


def test_a_text_message_in_a_one_to_one_chat():
    event = read_event(text_event("/contact", user_id=USER, reply_token="tok", event_id="E1"))
    assert event == LineEvent(
        kind="message",
        source=Source("user", USER, USER),
        reply_token="tok",
        event_id="E1",
        message_type="text",
        text="/contact",
    )


def test_a_mention_in_a_group_and_a_postback():
    mentioned = read_event(text_event("@IOM hi", user_id=USER, group_id=GROUP, mention_self=True))
    assert mentioned.source == Source("group", USER, GROUP)
    assert mentioned.mentions and all(isinstance(m, Mention) for m in mentioned.mentions)
    assert any(m.is_self for m in mentioned.mentions)
    assert read_event(postback_event("topic:contact", user_id=USER)).postback == "topic:contact"
    assert read_event(follow_event(user_id=USER)).kind == "follow"


def test_older_and_newer_shapes_are_read_as_well():
    """Without webhookEventId, deliveryContext or quoteToken (LINE before 2021 and 2023, which
    line-bot-sdk's models refuse), an event type or message type nobody knows yet, standby."""
    old = text_event("hi", user_id=USER)
    for field in ("webhookEventId", "deliveryContext", "mode", "timestamp"):
        old.pop(field)
    old["message"].pop("quoteToken", None)
    event = read_event(old)
    assert (event.kind, event.text, event.event_id, event.standby) == ("message", "hi", None, False)
    assert read_event({"type": "things", "source": {"type": "user", "userId": USER}}).kind == (
        "things"
    )
    hoge = read_event({"type": "message", "message": {"type": "hoge", "text": "x"}})
    assert (hoge.message_type, hoge.text, hoge.source) == ("hoge", None, None)
    assert read_event({**text_event("hi", user_id=USER), "mode": "standby"}).standby
    # A source the bot cannot answer (no user id, an unknown kind) reads as no source.
    assert read_event({"type": "follow", "source": {"type": "user"}}).source is None
    assert (
        read_event({"type": "follow", "source": {"type": "space", "spaceId": "S"}}).source is None
    )


def test_each_event_on_its_own():
    events, problems = read_events(
        {"destination": "U0", "events": [7, {"no": "type"}, text_event("hi", user_id=USER)]}
    )
    assert [e.text for e in events] == ["hi"]
    assert problems == ["an event that is not an object (int)", "an event without a type"]
    assert read_events({"destination": "U0", "events": []}) == ([], [])  # the console's Verify
    assert read_events({"events": {}}) == ([], ["not a webhook body (no list of events)"])
    assert read_events([]) == ([], ["not a webhook body (no list of events)"])
