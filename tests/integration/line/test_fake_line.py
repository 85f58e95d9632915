"""The fake LINE Messaging API (iombot.testing.line) against the real line-bot-sdk: its async
client gets what it expects from the fake, and its WebhookParser accepts the fake's webhooks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import (
    FollowEvent,
    GroupSource,
    ImageMessageContent,
    JoinEvent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

from iombot.testing.line import (
    ACCESS_TOKEN,
    BOT_USER_ID,
    CHANNEL_SECRET,
    USER_ID,
    FakeLine,
    follow_event,
    image_event,
    join_event,
    postback_event,
    signature,
    signed_headers,
    sticker_event,
    text_event,
    unfollow_event,
    webhook_body,
)


def client(fake: FakeLine, token: str = ACCESS_TOKEN) -> AsyncApiClient:
    return AsyncApiClient(Configuration(host=fake.url, access_token=token))


@pytest.fixture
async def api(fake: FakeLine) -> AsyncIterator[AsyncMessagingApi]:
    async with client(fake) as api_client:
        yield AsyncMessagingApi(api_client)


def reply(token: str, *texts: str) -> ReplyMessageRequest:
    return ReplyMessageRequest(reply_token=token, messages=[TextMessage(text=t) for t in texts])


async def post_raw(fake: FakeLine, path: str, body: dict) -> tuple[int, dict]:
    """What the SDK would refuse to send (its models check some limits themselves)."""
    headers = {"Authorization": f"Bearer {ACCESS_TOKEN}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.url}{path}", json=body, headers=headers) as response,
    ):
        return response.status, await response.json()


# --- the API ----------------------------------------------------------------------------------


async def test_bot_info_and_a_wrong_token(fake: FakeLine, api: AsyncMessagingApi):
    info = await api.get_bot_info()
    assert info.user_id == BOT_USER_ID
    assert info.display_name == "IOM Tokyo"
    assert info.chat_mode == "bot"
    call = fake.calls_to("bot_info")[0]
    assert call.path == "/v2/bot/info"
    assert call.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert call.status == 200

    async with client(fake, "wrong-token") as other:
        with pytest.raises(ApiException) as refused:
            await AsyncMessagingApi(other).get_bot_info()
    assert refused.value.status == 401
    assert "Authentication failed" in json.loads(refused.value.body)["message"]
    assert [call.status for call in fake.calls_to("bot_info")] == [200, 401]


async def test_a_reply_token_works_once(fake: FakeLine, api: AsyncMessagingApi):
    response = await api.reply_message(reply("token-1", "hello", "world"))
    assert len(response.sent_messages) == 2
    assert all(sent.id and sent.quote_token for sent in response.sent_messages)

    with pytest.raises(ApiException) as again:
        await api.reply_message(reply("token-1", "again"))
    assert again.value.status == 400
    assert json.loads(again.value.body) == {"message": "Invalid reply token"}

    fake.expired_tokens.add("token-old")
    with pytest.raises(ApiException) as expired:
        await api.reply_message(reply("token-old", "late"))
    assert expired.value.status == 400

    assert len(fake.calls_to("reply")) == 3
    [done] = fake.replies()
    assert fake.replies("token-1") == [done]
    assert fake.texts(done) == ["hello", "world"]
    assert fake.replies("token-old") == []


async def test_push_and_a_blocked_user(fake: FakeLine, api: AsyncMessagingApi):
    request = PushMessageRequest(to=USER_ID, messages=[TextMessage(text="news")])
    response = await api.push_message(request)
    assert len(response.sent_messages) == 1
    assert [fake.texts(call) for call in fake.pushes(USER_ID)] == [["news"]]

    fake.blocked.add("Ublocked")
    with pytest.raises(ApiException) as blocked:
        await api.push_message(PushMessageRequest(to="Ublocked", messages=[TextMessage(text="x")]))
    assert blocked.value.status == 403
    assert fake.pushes("Ublocked") == []


async def test_a_retry_key_is_accepted_once(fake: FakeLine, api: AsyncMessagingApi):
    request = PushMessageRequest(to=USER_ID, messages=[TextMessage(text="once")])
    key = "123e4567-e89b-12d3-a456-426614174000"
    await api.push_message(request, x_line_retry_key=key)
    with pytest.raises(ApiException) as conflict:
        await api.push_message(request, x_line_retry_key=key)
    assert conflict.value.status == 409
    assert conflict.value.headers["x-line-accepted-request-id"]
    assert len(fake.pushes()) == 1


async def test_profile_with_and_without_language(fake: FakeLine, api: AsyncMessagingApi):
    fake.languages["Uja"] = "ja"
    profile = await api.get_profile("Uja")
    assert (profile.user_id, profile.display_name, profile.language) == ("Uja", "User", "ja")
    profile = await api.get_profile("Unone")
    assert profile.language is None
    assert "language" not in fake.calls_to("profile")[-1].result

    fake.unknown_users.add("Ugone")
    with pytest.raises(ApiException) as gone:
        await api.get_profile("Ugone")
    assert gone.value.status == 404
    assert [call.path for call in fake.calls_to("profile")] == [
        "/v2/bot/profile/Uja",
        "/v2/bot/profile/Unone",
        "/v2/bot/profile/Ugone",
    ]


async def test_profile_delay(fake: FakeLine, api: AsyncMessagingApi):
    fake.profile_delay = 0.3
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(api.get_profile(USER_ID), 0.1)
    fake.profile_delay = 0
    assert (await api.get_profile(USER_ID)).display_name == "User"


async def test_loading_animation(fake: FakeLine, api: AsyncMessagingApi):
    await api.show_loading_animation(ShowLoadingAnimationRequest(chat_id=USER_ID))
    [call] = await fake.wait_for("loading")
    assert (call.status, call.body["chatId"]) == (202, USER_ID)


async def test_injected_failures(fake: FakeLine, api: AsyncMessagingApi):
    fake.fail("reply", 429, retry_after=7)
    fake.fail("reply", 500)
    with pytest.raises(ApiException) as limited:
        await api.reply_message(reply("token-2", "hi"))
    assert limited.value.status == 429
    assert limited.value.headers["Retry-After"] == "7"
    assert json.loads(limited.value.body) == {"message": "fake failure"}
    with pytest.raises(ApiException) as broken:
        await api.reply_message(reply("token-2", "hi"))
    assert broken.value.status == 500
    assert "Retry-After" not in broken.value.headers

    # a failed reply does not spend the token
    await api.reply_message(reply("token-2", "hi"))
    assert [call.status for call in fake.calls_to("reply")] == [429, 500, 200]

    fake.fail("bot_info", 500, times=2)
    for _ in range(2):
        with pytest.raises(ApiException):
            await api.get_bot_info()
    assert (await api.get_bot_info()).basic_id == "@iombot"


async def test_validation_like_line(fake: FakeLine, api: AsyncMessagingApi):
    # Six messages: the SDK's model refuses them itself, so post them as they are.
    six = [{"type": "text", "text": str(i)} for i in range(6)]
    status, body = await post_raw(
        fake, "/v2/bot/message/reply", {"replyToken": "t6", "messages": six}
    )
    assert status == 400
    assert body["details"] == [{"message": "Size must be between 1 and 5", "property": "messages"}]
    status, _ = await post_raw(fake, "/v2/bot/message/push", {"to": USER_ID, "messages": []})
    assert status == 400

    with pytest.raises(ApiException) as long_text:
        await api.reply_message(reply("t-long", "x" * 5001))
    assert long_text.value.status == 400
    error = json.loads(long_text.value.body)
    assert error["message"] == "The request body has 1 error(s)"
    assert error["details"][0]["property"] == "messages[0].text"
    # the token was not spent: 5,000 characters go through
    await api.reply_message(reply("t-long", "x" * 5000))

    # quick reply: 13 buttons, labels up to 20 characters, postback data up to 300
    def with_buttons(count: int, label: str = "ok", data: str = "d") -> dict:
        items = [
            {"type": "action", "action": {"type": "postback", "label": label, "data": data}}
        ] * count
        return {"type": "text", "text": "pick", "quickReply": {"items": items}}

    path = "/v2/bot/message/push"
    assert (await post_raw(fake, path, {"to": USER_ID, "messages": [with_buttons(13)]}))[0] == 200
    for message in (
        with_buttons(14),
        with_buttons(1, label="L" * 21),
        with_buttons(1, data="d" * 301),
    ):
        status, body = await post_raw(fake, path, {"to": USER_ID, "messages": [message]})
        assert status == 400, message
        assert body["details"]

    # what the SDK builds passes
    buttons = QuickReply(
        items=[QuickReplyItem(action=PostbackAction(label="L" * 20, data="d" * 300))] * 13
    )
    message = TextMessage(text="pick", quick_reply=buttons)
    await api.push_message(PushMessageRequest(to=USER_ID, messages=[message]))
    assert len(fake.pushes()) == 2


async def test_wait_for(fake: FakeLine, api: AsyncMessagingApi):
    async def later() -> None:
        await asyncio.sleep(0.05)
        await api.reply_message(reply("t-later", "late"))

    task = asyncio.create_task(later())
    [call] = await fake.wait_for("reply", timeout=2)
    assert fake.texts(call) == ["late"]
    await task
    with pytest.raises(AssertionError):
        await fake.wait_for("push", timeout=0.05)


# --- webhooks -------------------------------------------------------------------------------------


def test_the_sdk_parses_the_webhooks():
    events_in = [
        text_event("hello"),
        text_event("help", group_id="Cgroup", mention_self=True, redelivery=True),
        postback_event("topic=contact", params={"date": "2024-01-01"}),
        follow_event(),
        unfollow_event(),
        join_event(),
        sticker_event(),
        image_event(room_id="Rroom"),
    ]
    body = webhook_body(*events_in)
    payload = WebhookParser(CHANNEL_SECRET).parse(body.decode(), signature(body), as_payload=True)
    assert payload.destination == BOT_USER_ID
    text, mention, postback, follow, unfollow, join, sticker, image = payload.events

    assert isinstance(text, MessageEvent) and isinstance(text.message, TextMessageContent)
    assert text.message.text == "hello"
    assert isinstance(text.source, UserSource) and text.source.user_id == USER_ID
    assert text.mode.value == "active" and not text.delivery_context.is_redelivery
    assert text.reply_token and len(text.webhook_event_id) == 26

    assert isinstance(mention.source, GroupSource) and mention.source.group_id == "Cgroup"
    assert mention.message.text == "@IOM Tokyo help"
    [mentionee] = mention.message.mention.mentionees
    assert (mentionee.index, mentionee.length) == (0, len("@IOM Tokyo"))
    assert mentionee.is_self and mentionee.user_id == BOT_USER_ID
    assert mention.delivery_context.is_redelivery

    assert isinstance(postback, PostbackEvent) and postback.postback.data == "topic=contact"
    assert isinstance(follow, FollowEvent) and not follow.follow.is_unblocked
    assert isinstance(unfollow, UnfollowEvent)
    assert isinstance(join, JoinEvent)
    assert isinstance(sticker.message, StickerMessageContent)
    assert isinstance(image.message, ImageMessageContent)
    assert image.source.room_id == "Rroom"


def test_event_ids_and_reply_tokens_are_unique_unless_given():
    events = [text_event("x") for _ in range(100)]
    assert len({event["webhookEventId"] for event in events}) == 100
    assert len({event["replyToken"] for event in events}) == 100
    assert len({event["message"]["id"] for event in events}) == 100
    given = text_event("x", event_id="01HZZZZZZZZZZZZZZZZZZZZZZZ", reply_token="rt")
    assert (given["webhookEventId"], given["replyToken"]) == ("01HZZZZZZZZZZZZZZZZZZZZZZZ", "rt")


def test_signatures():
    body = webhook_body()  # the console's "Verify"
    assert json.loads(body) == {"destination": BOT_USER_ID, "events": []}
    headers = signed_headers(body)
    assert headers["Content-Type"] == "application/json"
    parser = WebhookParser(CHANNEL_SECRET)
    assert parser.parse(body.decode(), headers["X-Line-Signature"]) == []
    assert parser.signature_validator.validate(body.decode(), signature(body))
    assert not parser.signature_validator.validate(body.decode(), signature(body, "other"))
