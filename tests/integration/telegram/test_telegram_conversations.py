"""Conversations through the real PTB Application, long polling the fake Bot API server."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import pytest
from tg_harness import CONTENT, TOPICS, ask, bot_settings, running_bot, title, users

from iombot.bots.service import serve
from iombot.bots.telegram import PLATFORM as TELEGRAM
from iombot.testing import telegram as tg
from iombot.testing.telegram import BOT_ID


@pytest.fixture
async def bot(fake):
    async with running_bot(bot_settings(fake)) as running:
        yield running
    assert fake.problems == []  # every text sent was valid Telegram HTML, within limits


async def test_start_up_sets_both_menus_and_polls_and_is_healthy(fake, bot):
    assert await fake.wait_for(lambda: fake.sent("getUpdates"))
    methods = [call.method for call in fake.calls]
    assert methods[:5] == ["getMe", "setMyCommands", "setMyCommands", "deleteWebhook", "getUpdates"]
    menus = {call.params.get("language_code"): call.params for call in fake.sent("setMyCommands")}
    assert set(menus) == {None, "ja"}  # the fixture's languages: English (the default), Japanese
    expected = [topic.command for topic in CONTENT.topics] + ["start", "help", "lang"]
    for language, code in (("en", None), ("ja", "ja")):
        commands = menus[code]["commands"]
        assert [c["command"] for c in commands] == expected
        assert commands[0]["description"] == CONTENT.topics[0].text(language).summary
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{bot.base_url}/healthz") as response,
    ):
        report = await response.json()
    assert response.status == 200
    assert report["adapters"]["telegram"]["state"] == "polling"


async def test_healthz_is_503_until_the_bot_is_ready(fake):
    fake.get_me_delay = 0.5
    settings = bot_settings(fake)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, [TELEGRAM], stop_event=stop))
    statuses = []
    async with aiohttp.ClientSession() as session:
        while not fake.sent("getUpdates") and not task.done():
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{settings.port}/healthz") as response:
                    statuses.append((response.status, await response.json()))
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)
        async with session.get(f"http://127.0.0.1:{settings.port}/healthz") as response:
            assert response.status == 200
    stop.set()
    assert await asyncio.wait_for(task, 10) == 0
    assert statuses and statuses[0][0] == 503
    assert statuses[0][1]["adapters"]["telegram"]["state"] == "starting"


async def test_every_topic_command_and_ascii_alias(fake, bot):
    for topic in CONTENT.topics:
        for name in (topic.command, *topic.aliases):
            if not name.isascii():
                continue  # Japanese aliases are not Telegram commands (see the next test)
            [message] = await ask(fake, f"/{name}")
            assert message.text.startswith(title(topic.command)), name
            assert message.params["parse_mode"] == "HTML"
            assert message.params["link_preview_options"] == {"is_disabled": True}


async def test_japanese_aliases_as_words_answer_in_japanese(fake, bot):
    for topic in CONTENT.topics:
        for alias in topic.aliases:
            if alias.isascii():
                continue
            [message] = await ask(fake, alias, language_code="en")
            assert message.text.startswith(title(topic.command, "ja")), alias


async def test_start_deep_link_and_help(fake, bot):
    [welcome] = await ask(fake, "/start")
    assert welcome.text.startswith("<b>Welcome to IOM Tokyo</b>")
    buttons = [row[0]["callback_data"] for row in welcome.params["reply_markup"]["inline_keyboard"]]
    assert buttons == [f"topic:{topic.command}" for topic in CONTENT.topics]
    # t.me/test_bot?start=contact arrives as "/start contact"
    [contact] = await ask(fake, "/start contact")
    assert contact.text.startswith(title("contact"))
    [help_reply] = await ask(fake, "/help")
    for topic in CONTENT.topics:
        assert f"/{topic.command} — " in help_reply.text
    [japanese] = await ask(fake, "/start", language_code="ja")
    assert japanese.text.startswith("<b>IOM駐日事務所へようこそ</b>")


async def test_lang_buttons_are_remembered_per_user(fake, bot):
    user = next(users)
    [menu] = await ask(fake, "/lang", user_id=user)
    keyboard = menu.params["reply_markup"]["inline_keyboard"]
    assert [(row[0]["text"], row[0]["callback_data"]) for row in keyboard] == [
        ("English", "lang:en"),
        ("日本語", "lang:ja"),
    ]
    fake.push(tg.callback("lang:ja", user_id=user))
    await fake.wait_for(lambda: len(fake.sent_to(user)) == 2)
    assert fake.sent_to(user)[-1].text.startswith("<b>言語</b>")
    assert len(fake.sent("answerCallbackQuery")) == 1
    [contact] = await ask(fake, "/contact", user_id=user)
    assert contact.text.startswith(title("contact", "ja"))
    [other] = await ask(fake, "/contact")  # another user keeps English
    assert other.text.startswith(title("contact"))
    [back] = await ask(fake, "/lang en", user_id=user)
    assert "English" in back.text


async def test_free_text_in_both_languages(fake, bot):
    [english] = await ask(fake, "What is your phone number?")
    assert english.text.startswith(title("contact"))
    assert "+81-3-5555-0123" in english.text  # the number Telegram's clients make tappable
    [japanese] = await ask(fake, "電話番号を教えてください", language_code="en")
    assert japanese.text.startswith(title("contact", "ja"))
    [by_locale] = await ask(fake, "/history", language_code="ja-JP")
    assert by_locale.text.startswith(title("history", "ja"))
    [unsure] = await ask(fake, "what is the weather in tokyo tomorrow")
    assert unsure.text.startswith("<b>I'm not sure what you mean</b>")


async def test_group_addressing(fake, bot):
    group = -100123
    sent = fake.sent_to
    await ask(fake, "/contact", chat_id=group, chat_type="supergroup")
    first = sent(group)[0]
    assert first.text.startswith(title("contact"))
    assert first.params["reply_parameters"]["message_id"] > 0  # quotes the question in groups
    await ask(fake, "/contact@test_bot", chat_id=group, chat_type="supergroup")
    await ask(fake, "@test_bot what is your phone number?", chat_id=group, chat_type="group")
    ours = tg.message("an earlier reply", user_id=BOT_ID, chat_id=group, chat_type="group")
    ours["message"]["from"]["is_bot"] = True
    await ask(fake, "phone number", chat_id=group, chat_type="group", reply_to=ours["message"])
    assert len(sent(group)) == 4
    # Not for us: another bot's command, chatter without a mention, a mention of someone else,
    # and a command that is not ours, unaddressed (a moderation bot's /report, say).
    for text in ("/contact@other_bot", "what is your phone number?", "@someone phone", "/report"):
        fake.push(tg.message(text, user_id=next(users), chat_id=group, chat_type="supergroup"))
    [last] = await ask(fake, "/about", chat_id=group, chat_type="supergroup")  # in order after
    assert last.text.startswith(title("about"))
    assert len(sent(group)) == 5
    # Addressed to us, an unknown command is answered as in a private chat.
    [unknown] = await ask(fake, "/report@test_bot", chat_id=group, chat_type="supergroup")
    assert "/report" in unknown.text


async def test_buttons_show_their_topic(fake, bot):
    user = next(users)
    fake.push(tg.callback("topic:contact", user_id=user))
    await fake.wait_for(lambda: fake.sent_to(user))
    assert fake.sent_to(user)[0].text.startswith(title("contact"))
    assert fake.sent("answerCallbackQuery")
    group = -100777
    fake.push(tg.callback("topic:un", user_id=next(users), chat_id=group, chat_type="supergroup"))
    await fake.wait_for(lambda: fake.sent_to(group))
    assert fake.sent_to(group)[0].text.startswith(title("un"))


async def test_inline_queries_offer_topics_in_the_users_language(fake, bot):
    def answered() -> list[dict]:
        return [call.params for call in fake.sent("answerInlineQuery")]

    queries = {
        "en": tg.inline_query("phone number"),
        "ja": tg.inline_query("電話番号", language_code="en"),
        "empty": tg.inline_query(""),
        "lang": tg.inline_query("/lang ja"),  # typed inline: must not change the preference
    }
    for update in queries.values():
        fake.push(update)
    await fake.wait_for(lambda: len(answered()) == 4)
    by_id = {params["inline_query_id"]: params for params in answered()}
    by_query = {name: by_id[u["inline_query"]["id"]] for name, u in queries.items()}
    first = by_query["en"]["results"][0]
    assert first["id"] == "contact" and first["title"] == TOPICS["contact"].text("en").title
    assert first["input_message_content"]["message_text"].startswith(title("contact"))
    assert first["input_message_content"]["parse_mode"] == "HTML"
    assert by_query["ja"]["results"][0]["title"] == TOPICS["contact"].text("ja").title
    assert [r["id"] for r in by_query["empty"]["results"]] == [t.command for t in CONTENT.topics]
    assert by_query["en"]["is_personal"] in (True, "true", "True")
    [still_english] = await ask(fake, "/contact", user_id=1001)
    assert still_english.text.startswith(title("contact"))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("how do I apply for a visa?", "en"),
        ("ビザの申請はどうすればいい？", "ja"),
        ("/nosuch", "en"),
    ],
)
async def test_no_answer_is_never_a_dead_end(fake, bot, text, code):
    # The contact route from the fixture's reach_us: the phone number, the website as a link.
    [reply] = await ask(fake, text, language_code=code)
    assert "03-5555-0123 (+81-3-5555-0123)" in reply.text
    assert '<a href="https://www.example.org/">www.example.org</a>' in reply.text
    assert reply.params.get("reply_markup")  # and the topics as buttons
