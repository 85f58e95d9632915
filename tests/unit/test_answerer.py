"""The core's answers: commands, aliases, addressing, deep links, free text, languages, fallbacks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from iombot.core.answerer import Answerer
from iombot.core.languages import MAX_INPUT_CHARS, clean_input
from iombot.core.reply import BulletList, Command, Paragraph, Query, ReplyKind, plain_text

LANGS = ["en", "ja"]


def all_text(reply) -> str:
    parts = [reply.title or ""]
    for block in reply.blocks:
        if isinstance(block, Paragraph):
            parts.append(plain_text(block.spans))
        elif isinstance(block, BulletList):
            parts.extend(plain_text(item) for item in block.items)
    return "\n".join(parts)


def test_every_topic_command_answers_in_both_languages(content, ask):
    for topic in content.topics:
        for lang in LANGS:
            reply = ask(f"/{topic.command}", locale=lang)
            assert reply.kind is ReplyKind.TOPIC
            assert reply.topic == topic.command
            assert reply.language == lang
            assert reply.title == topic.text(lang).title
            assert reply.blocks == topic.text(lang).blocks


def test_every_alias_reaches_its_topic_as_command_and_as_a_word(content, ask):
    for topic in content.topics:
        for alias in topic.aliases:
            assert ask(f"/{alias}").topic == topic.command
            assert ask(alias).topic == topic.command
            assert ask(f"{alias.upper()}?").topic == topic.command


def test_related_topics_become_buttons(content, ask):
    reply = ask("/contact")
    expected = [f"topic:{name}" for name in content.by_command()["contact"].related]
    assert [button.action for button in reply.buttons] == expected
    assert expected


@pytest.mark.parametrize("lang", LANGS)
def test_start_with_a_deep_link_payload_opens_that_topic(ask, lang):
    reply = ask("/start contact", locale=lang)
    assert reply.kind is ReplyKind.TOPIC and reply.topic == "contact" and reply.language == lang
    assert ask("/start phone").topic == "contact"


@pytest.mark.parametrize("lang", LANGS)
def test_start_without_or_with_unknown_payload_welcomes_with_every_topic(content, ask, lang):
    for text in ("/start", "/start no_such_topic"):
        reply = ask(text, locale=lang)
        assert reply.kind is ReplyKind.START and reply.language == lang
        assert [b.action for b in reply.buttons] == [f"topic:{t.command}" for t in content.topics]
    assert "IOM" in ask("/start", locale="ja").title


@pytest.mark.parametrize("lang", LANGS)
def test_help_lists_every_command_with_its_summary(content, ask, lang):
    reply = ask("/help", locale=lang)
    assert reply.kind is ReplyKind.HELP and reply.language == lang
    menu = next(block for block in reply.blocks if isinstance(block, BulletList))
    assert [item[0] for item in menu.items] == [Command(t.command) for t in content.topics]
    for topic, item in zip(content.topics, menu.items, strict=True):
        assert topic.text(lang).summary in plain_text(item)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("what's your phone number?", "contact"),
        ("WHAT IS YOUR PHONE NUMBER", "contact"),
        ("phnoe numbr please", "contact"),  # typos
        ("who is the director general", "leaders"),
        ("when did IOM join the UN", "un"),
        ("when was iom founded", "about"),
        ("電話番号は？", "contact"),
        ("電話番号を教えてください", "contact"),
        ("事務局長は誰ですか", "leaders"),
        ("IOMはいつ国連に加盟しましたか", "un"),
        ("日本でのIOMの歴史", "history"),
    ],
)
def test_free_text_questions_find_their_topic(ask, text, topic):
    reply = ask(text)
    assert reply.kind is ReplyKind.TOPIC, all_text(reply)
    assert reply.topic == topic


def test_japanese_question_is_answered_in_japanese_and_english_in_english(ask):
    assert ask("電話番号は？").language == "ja"
    assert ask("what's your phone number?").language == "en"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("what is the weather in tokyo tomorrow", "en"),
        ("how do I renew my driving licence", "en"),
        ("明日の天気は？", "ja"),
        ("おすすめのラーメン屋さん", "ja"),
    ],
)
def test_out_of_domain_questions_get_did_you_mean_and_the_menu_never_an_answer(
    content, ask, text, lang
):
    reply = ask(text)
    assert reply.kind is ReplyKind.SUGGESTIONS and reply.topic is None
    assert reply.language == lang
    menu = [b for b in reply.blocks if isinstance(b, BulletList)]
    assert len(menu[0].items) == len(content.topics)
    assert reply.buttons


@pytest.mark.parametrize("lang", LANGS)
def test_unknown_command_suggests_the_closest(ask, lang):
    reply = ask("/contatc", locale=lang)
    assert reply.kind is ReplyKind.UNKNOWN_COMMAND and reply.language == lang
    assert reply.suggestions == ("contact",)
    assert "/contatc" in all_text(reply)
    assert "/contact" in all_text(reply)
    far = ask("/xyzzy", locale=lang)
    assert far.kind is ReplyKind.UNKNOWN_COMMAND and far.suggestions == ()


def test_user_text_in_unknown_command_is_never_markup(ask):
    reply = ask("/**bold**")
    spans = reply.blocks[0].spans
    assert all(type(span).__name__ != "Bold" for span in spans)


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\u200b\u200b", "\x00\x01"])
@pytest.mark.parametrize("lang", LANGS)
def test_empty_input_offers_the_menu(content, ask, text, lang):
    reply = ask(text, locale=lang)
    assert reply.kind is ReplyKind.EMPTY and reply.language == lang
    assert len(reply.buttons) == len(content.topics)


def test_huge_input_is_cut_before_any_work(ask):
    assert len(clean_input("x" * 100_000)) == MAX_INPUT_CHARS
    reply = ask("what's your phone number? " + "blah " * 20_000)
    assert reply.kind in (ReplyKind.TOPIC, ReplyKind.SUGGESTIONS)
    assert ask("/contact " + "x" * 50_000).topic == "contact"


def test_lang_command_reports_the_choice_and_a_passed_choice_wins(ask):
    # The core remembers nothing (tests/unit/test_shared_layer.py: the bots layer does).
    chose = ask("/lang ja", user_id="1", platform="telegram")
    assert chose.language == "ja" and chose.chosen_language == "ja"
    assert ask("/contact", language="ja").language == "ja"
    assert ask("what's the phone number", language="ja").language == "ja"
    assert ask("/lang english", language="ja").chosen_language == "en"
    assert ask("電話番号", language="en").language == "en"
    assert ask("/contact").chosen_language is None


def test_lang_without_or_with_unknown_argument_offers_every_language(ask, content):
    for text in ("/lang", "/lang klingon"):
        reply = ask(text)
        assert reply.kind is ReplyKind.LANGUAGE
        actions = [b.action for b in reply.buttons]
        assert actions == [f"lang:{code}" for code in content.languages.codes]
        assert actions[:2] == ["lang:en", "lang:ja"]
    assert ask("/lang 日本語", user_id="9").language == "ja"


def test_language_order_explicit_then_japanese_script_then_locale_then_english(content):
    resolve = content.languages.resolve
    assert resolve("en", "ja", "電話番号") == "en"
    # Chinese characters alone: the han language's, Chinese (the content's KanjiForms tell
    # 電話番号 as Japanese; the registry alone cannot).
    assert resolve(None, "en", "電話番号") == "zh"
    assert resolve(None, "en", "電話番号を教えて") == "ja"
    assert resolve(None, "ja-JP", "phone") == "ja"
    assert resolve(None, "fr", "phone") == "en"
    assert resolve(None, None, "/contact") == "en"
    assert resolve("xx", None, "phone") == "en"  # a choice no longer registered


def test_buttons_act_like_commands(answerer: Answerer):
    query = Query(text="", user_id="5", platform="telegram")
    assert answerer.act(query, "topic:contact").topic == "contact"
    assert answerer.act(query, "lang:ja").chosen_language == "ja"
    assert answerer.act(replace(query, language="ja"), "topic:contact").language == "ja"
    assert answerer.act(query, "bogus").kind is ReplyKind.EMPTY


def test_which_commands_and_buttons_are_the_bots(answerer: Answerer):
    """What the adapters ask before answering what may be another bot's (a group's /report, a
    LINE rich menu's postback)."""
    assert all(answerer.knows_command(name) for name in ("start", "Help", "lang", "contact"))
    assert answerer.knows_command("連絡先")  # an alias
    assert not answerer.knows_command("report") and not answerer.knows_command("")
    assert answerer.acts_on("topic:contact") and answerer.acts_on("lang:ja")
    assert answerer.acts_on("topic:no_such_topic")  # ours, if stale: act() answers it
    for other in ("bogus", "topic", "action=buy&itemid=1", "richmenu-changed-to-b", "fb:up:x:en"):
        assert not answerer.acts_on(other)


def test_notices_exist_in_both_languages(answerer: Answerer):
    assert all(not answerer.strings.missing(lang) for lang in LANGS)
    for key in ("error", "rate_limited", "unsupported"):
        english, japanese = (all_text(answerer.notice(key, lang)) for lang in LANGS)
        assert english and japanese and english != japanese


def test_replace_content_swaps_everything_at_once(content):
    from dataclasses import replace

    answerer = Answerer(content)  # its own: the shared one must keep the shipped content
    smaller = replace(content, topics=content.topics[:1], version="other")
    answerer.replace_content(smaller)
    assert answerer.content.version == "other"
    assert answerer.answer(Query("/contact")).kind is ReplyKind.UNKNOWN_COMMAND
