"""Every language of the content on LINE (issue 24): a reply, its quick replies included, is in
the language of the user's LINE profile when neither a choice (/lang) nor the text decides; the
follow welcome and the notices too. `serve()` with the real line-bot-sdk client against the fake
LINE API; the content is tests/fixtures/adapter_content_langs (en, ja, vi, pt), whose own
Vietnamese and Portuguese words are asserted here."""

from __future__ import annotations

from line_harness import line_settings, quick_replies, replied, running

from iombot.bots.line.render import MAX_LABEL
from iombot.core.content import load_content
from iombot.testing.line import (
    FakeLine,
    follow_event,
    postback_event,
    sticker_event,
    text_event,
)

from testsupport import ADAPTER_CONTENT_LANGS

CONTENT = load_content(ADAPTER_CONTENT_LANGS)
VIETNAMESE = "U" + "5" * 32
BRAZILIAN = "U" + "6" * 32


def title(command: str, language: str) -> str:
    return CONTENT.by_command()[command].text(language).title


def label(text: str) -> str:
    """A quick reply's label as LINE takes it: at most 20 characters."""
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def settings(fake: FakeLine):
    fake.languages.update({VIETNAMESE: "vi", BRAZILIAN: "pt-BR"})
    return line_settings(fake, content_dir=ADAPTER_CONTENT_LANGS)


async def test_a_reply_and_its_quick_replies_follow_the_profiles_language(fake):
    async with running(settings(fake)) as bot:
        await bot.send(text_event("/contact", user_id=VIETNAMESE))
        (call,) = await replied(fake)
        text = "\n".join(FakeLine.texts(call))
        assert text.startswith(title("contact", "vi"))
        assert "Văn phòng thử nghiệm trả lời qua điện thoại" in text
        assert quick_replies(call) == [
            (label(title("work", "vi")), "topic:work"),
            (label(title("about", "vi")), "topic:about"),
            ("👍", "fb:up:contact:vi"),
            ("👎", "fb:down:contact:vi"),
        ]
        assert ("Các dự án của văn p…", "topic:work") in quick_replies(call)
        # A quick reply pressed: its topic, in the same language.
        await bot.send(postback_event("topic:work", user_id=VIETNAMESE))
        calls = await replied(fake, 2)
        assert FakeLine.texts(calls[1])[0].startswith(title("work", "vi"))
        # A vote is thanked in the answer's language.
        await bot.send(postback_event("fb:up:work:vi", user_id=VIETNAMESE))
        calls = await replied(fake, 3)
        assert FakeLine.texts(calls[2]) == ["Cảm ơn bạn đã góp ý!"]


async def test_a_pt_br_profile_gets_portuguese_and_the_text_or_a_choice_outranks_it(fake):
    async with running(settings(fake)) as bot:
        await bot.send(text_event("/help", user_id=BRAZILIAN))
        (menu,) = await replied(fake)
        assert FakeLine.texts(menu)[0].startswith("O que posso lhe contar")
        assert [item for item, _ in quick_replies(menu)] == [
            label(topic.text("pt").title) for topic in CONTENT.topics
        ]
        # Japanese text is answered in Japanese, whatever the profile says.
        await bot.send(text_event("電話番号は？", user_id=BRAZILIAN))
        calls = await replied(fake, 2)
        assert FakeLine.texts(calls[1])[0].startswith(title("contact", "ja"))
        # /lang names every language in its own words; a choice is kept.
        await bot.send(text_event("/lang", user_id=BRAZILIAN))
        calls = await replied(fake, 3)
        assert FakeLine.texts(calls[2])[0].startswith("Idioma")
        assert quick_replies(calls[2]) == [
            ("English", "lang:en"),
            ("日本語", "lang:ja"),
            ("Tiếng Việt", "lang:vi"),
            ("Português", "lang:pt"),
        ]
        await bot.send(postback_event("lang:vi", user_id=BRAZILIAN))
        calls = await replied(fake, 4)
        assert "Từ giờ tôi sẽ trả lời bằng Tiếng Việt." in "\n".join(FakeLine.texts(calls[3]))
        await bot.send(text_event("/history", user_id=BRAZILIAN))
        calls = await replied(fake, 5)
        assert FakeLine.texts(calls[4])[0].startswith(title("history", "vi"))


async def test_follow_a_sticker_and_no_answer_in_the_profiles_language(fake):
    async with running(settings(fake)) as bot:
        await bot.send(follow_event(user_id=BRAZILIAN))
        (welcome,) = await replied(fake)
        assert FakeLine.texts(welcome)[0].startswith("Bem-vindo à IOM Tóquio")
        assert (label(title("contact", "pt")), "topic:contact") in quick_replies(welcome)
        await bot.send(sticker_event(user_id=VIETNAMESE))
        calls = await replied(fake, 2)
        assert FakeLine.texts(calls[1]) == [
            "Tôi chỉ đọc được tin nhắn văn bản. Vui lòng gõ câu hỏi của bạn."
        ]
        await bot.send(text_event("/khongcolenhnay", user_id=VIETNAMESE))
        calls = await replied(fake, 3)
        text = "\n".join(FakeLine.texts(calls[2]))
        assert text.startswith("Lệnh không xác định")
        assert "Để hỏi văn phòng thử nghiệm, hãy gọi 03-5555-0123" in text
        assert (label(title("contact", "vi")), "topic:contact") in quick_replies(calls[2])


async def test_the_flood_notice_is_in_the_profiles_language(fake):
    async with running(settings(fake)) as bot:
        for n in range(20):
            await bot.send(text_event("/about", user_id=VIETNAMESE, reply_token=f"tok-{n}"))
        await replied(fake, 20)
        await bot.send(text_event("/about", user_id=VIETNAMESE, reply_token="tok-flood"))
        calls = await replied(fake, 21)
        assert FakeLine.texts(calls[20]) == [
            "Bạn đang gửi tin nhắn quá nhanh. Vui lòng đợi một phút rồi hỏi lại."
        ]
