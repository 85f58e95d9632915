"""Content through Telegram: long replies split, hostile text escaped, the menu follows the files."""

from __future__ import annotations

import shutil

from tg_harness import HERE, bot_settings, running_bot

from iombot.testing import telegram as tg
from iombot.testing.telegram import check_telegram_html

HOSTILE_USER_TEXT = "/zz<b>&<i>\u202e\u200b<a"
NEW_TOPIC = """\
command: gamma
order: 5
en:
  title: Gamma
  summary: Added while running
  body: Gamma arrived without a restart.
ja:
  title: ガンマ
  summary: 実行中に追加
  body: ガンマです。
"""


async def test_long_reply_is_split_at_paragraphs_with_buttons_on_the_last(fake):
    async with running_bot(bot_settings(fake, content_dir=HERE / "content_long")):
        fake.push(tg.message("/long", user_id=7001))
        fake.push(tg.message("/long", user_id=7002, language_code="ja"))
        fake.push(tg.message("/short", user_id=7001))  # after the long one, in order
        assert await fake.wait_for(lambda: len(fake.sent_to(7001)) >= 3)
        await fake.wait_for(lambda: len(fake.sent_to(7002)) >= 2)
    english = fake.sent_to(7001)
    *long_parts, short = english
    assert len(long_parts) >= 2
    assert long_parts[0].text.startswith("<b>A very long topic</b>\n\nParagraph 1 ")
    for part in long_parts[1:]:
        assert part.text.startswith("Paragraph ")  # a cut between paragraphs
    assert all(len(p.text) <= 4096 for p in long_parts)
    assert [("reply_markup" in p.params) for p in long_parts] == [False] * (len(long_parts) - 1) + [
        True
    ]
    assert short.text.startswith("<b>A short topic</b>")
    japanese = fake.sent_to(7002)
    assert len(japanese) >= 2 and japanese[0].text.startswith("<b>とても長いトピック</b>")
    assert fake.problems == []


async def test_hostile_content_and_user_text_are_sent_as_safe_html(fake):
    async with running_bot(bot_settings(fake, content_dir=HERE / "content_hostile")):
        fake.push(tg.message("/hostile", user_id=7101))
        fake.push(tg.message("/hostile", user_id=7102, language_code="ja"))
        fake.push(tg.message(HOSTILE_USER_TEXT, user_id=7103))
        fake.push(tg.message("<b>what & who</b> \u200b\u202e?", user_id=7104))
        fake.push(tg.inline_query("<b>hostile"))
        assert await fake.wait_for(
            lambda: (
                all(fake.sent_to(u) for u in (7101, 7102, 7103, 7104))
                and fake.sent("answerInlineQuery")
            )
        )
    assert fake.problems == []  # the fake parsed every text as Telegram HTML
    topic = check_telegram_html(fake.sent_to(7101)[0].text)
    assert "<b>Hostile</b> & <i" in _unescaped(fake.sent_to(7101)[0].text)
    assert "\u202eRTL override" in topic
    assert "/zz&lt;b&gt;&amp;&lt;i&gt;&lt;a" in fake.sent_to(7103)[0].text  # echoed, escaped
    article = fake.sent("answerInlineQuery")[0].params["results"][0]
    assert article["title"] == "<b>Hostile</b> & <i"  # titles are plain text for Telegram


def _unescaped(text: str) -> str:
    import html

    return html.unescape(text)


async def test_a_new_topic_file_appears_in_both_menus_without_restart(fake, tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(HERE / "content_long", folder)
    async with running_bot(bot_settings(fake, content_dir=folder)):
        assert len(fake.sent("setMyCommands")) == 2  # English (the default) and Japanese
        (folder / "gamma.yaml").write_text(NEW_TOPIC, encoding="utf-8")
        assert await fake.wait_for(lambda: len(fake.sent("setMyCommands")) == 4)
        fake.push(tg.message("/gamma", user_id=7201))
        assert await fake.wait_for(lambda: fake.sent_to(7201))
    menus = fake.sent("setMyCommands")[2:]
    for menu in menus:
        assert [c["command"] for c in menu.params["commands"]][:3] == ["gamma", "long", "short"]
    assert {m.params.get("language_code") for m in menus} == {None, "ja"}
    assert fake.sent_to(7201)[0].text.startswith("<b>Gamma</b>")
