"""Every language of the content on Telegram (issue 24), through the real PTB Application long
polling the fake Bot API: the command menu set for each language_code, `/start` and the rest
in the language Telegram says the user's app is in, and `/lang` naming every language in its
own words. The content is tests/fixtures/adapter_content_langs (en, ja, vi, pt): the Vietnamese
and Portuguese asserted here are that fixture's own words."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from tg_harness import STICKER, ask, bot_settings, running_bot, users

from iombot.core.content import load_content
from iombot.testing import telegram as tg

from testsupport import ADAPTER_CONTENT_LANGS

CONTENT = load_content(ADAPTER_CONTENT_LANGS)


def bold(text: str) -> str:
    return f"<b>{text}</b>"


def title(command: str, language: str) -> str:
    return bold(CONTENT.by_command()[command].text(language).title)


def buttons(call) -> list[tuple[str, str]]:
    keyboard = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", "")) for row in keyboard for b in row]


@pytest.fixture
async def bot(fake):
    async with running_bot(bot_settings(fake, content_dir=ADAPTER_CONTENT_LANGS)) as running:
        yield running
    assert fake.problems == []  # every text sent was valid Telegram HTML, within limits


async def test_the_command_menu_is_set_for_every_language_in_its_words(fake, bot):
    assert await fake.wait_for(lambda: len(fake.sent("setMyCommands")) == 4)
    menus = {call.params.get("language_code"): call.params for call in fake.sent("setMyCommands")}
    assert set(menus) == {None, "ja", "vi", "pt"}  # None: the default (English), for all others
    expected = [topic.command for topic in CONTENT.topics] + ["start", "help", "lang"]
    for menu in menus.values():
        assert [c["command"] for c in menu["commands"]] == expected
        assert menu["scope"] == {"type": "default"}

    def described(code: str | None) -> dict[str, str]:
        return {c["command"]: c["description"] for c in menus[code]["commands"]}

    assert described("vi")["contact"] == "Số điện thoại và trang web của văn phòng thử nghiệm"
    assert described("vi")["start"] == "Chào mừng bạn đến với IOM Tokyo"
    assert described("vi")["help"] == "Những điều tôi có thể cho bạn biết"
    assert described("vi")["lang"] == "Ngôn ngữ"
    assert described("pt")["contact"] == "Telefone e site do escritório de teste"
    assert described("pt")["start"] == "Bem-vindo à IOM Tóquio"
    assert described("pt")["help"] == "O que posso lhe contar"
    assert described("pt")["lang"] == "Idioma"
    assert described(None)["contact"] == "Phone number and website of the test office"
    assert described("ja")["contact"] == "テスト事務所の電話番号とウェブサイト"


async def test_start_is_in_vietnamese_for_a_vietnamese_telegram(fake, bot):
    [welcome] = await ask(fake, "/start", language_code="vi")
    assert welcome.text.startswith(bold("Chào mừng bạn đến với IOM Tokyo"))
    assert "Số điện thoại của bạn là gì?" in welcome.text  # the welcome's example question
    assert buttons(welcome) == [
        (topic.text("vi").title, f"topic:{topic.command}") for topic in CONTENT.topics
    ]
    [contact] = await ask(fake, "/contact", language_code="vi")
    assert contact.text.startswith(title("contact", "vi"))
    assert "Văn phòng thử nghiệm trả lời qua điện thoại" in contact.text
    assert ("👍", "fb:up:contact:vi") in buttons(contact)


@pytest.mark.parametrize("code", ["pt", "pt-br", "pt-BR"])
async def test_start_is_in_portuguese_for_any_portuguese_telegram(fake, bot, code):
    [welcome] = await ask(fake, "/start", language_code=code)
    assert welcome.text.startswith(bold("Bem-vindo à IOM Tóquio"))
    assert ("Ligue ou escreva para o escritório de teste", "topic:contact") in buttons(welcome)


async def test_help_a_question_and_no_answer_in_the_users_language(fake, bot):
    [menu] = await ask(fake, "/help", language_code="pt-br")
    assert menu.text.startswith(bold("O que posso lhe contar"))
    assert "/contact — Telefone e site do escritório de teste" in menu.text
    assert "Mudar de idioma:" in menu.text
    # A question in Portuguese, from a Portuguese app.
    [answer] = await ask(fake, "Qual é o número de telefone de vocês?", language_code="pt-br")
    assert answer.text.startswith(title("contact", "pt"))
    # No answer: said in Vietnamese, with the fixture's Vietnamese way to reach the office.
    [unsure] = await ask(fake, "/khongcolenhnay", language_code="vi")
    assert unsure.text.startswith(bold("Lệnh không xác định"))
    assert "Để hỏi văn phòng thử nghiệm, hãy gọi" in unsure.text
    assert buttons(unsure)  # and the topics, as buttons


async def test_lang_lists_every_language_by_its_own_name_and_is_remembered(fake, bot):
    user = next(users)
    [menu] = await ask(fake, "/lang", user_id=user, language_code="vi")
    assert menu.text.startswith(bold("Ngôn ngữ"))
    assert "Hãy chọn ngôn ngữ của bạn:" in menu.text
    assert buttons(menu) == [
        ("English", "lang:en"),
        ("日本語", "lang:ja"),
        ("Tiếng Việt", "lang:vi"),
        ("Português", "lang:pt"),
    ]
    fake.push(tg.callback("lang:pt", user_id=user, language_code="vi"))
    await fake.wait_for(lambda: len(fake.sent_to(user)) == 2)
    chosen = fake.sent_to(user)[-1].text
    assert chosen.startswith(bold("Idioma"))
    assert "A partir de agora vou responder em Português." in chosen
    # The choice outranks the app's language from now on.
    [contact] = await ask(fake, "/contact", user_id=user, language_code="vi")
    assert contact.text.startswith(title("contact", "pt"))
    # Named in words, in the language's own spelling.
    [back] = await ask(fake, "/lang tiếng việt", user_id=user, language_code="en")
    assert "Từ giờ tôi sẽ trả lời bằng Tiếng Việt." in back.text


async def test_a_sticker_and_an_inline_query_in_the_users_language(fake, bot):
    [notice] = await ask(fake, None, language_code="vi", sticker=STICKER)
    assert "Tôi chỉ đọc được tin nhắn văn bản." in notice.text
    fake.push(tg.inline_query("", language_code="pt-br"))
    await fake.wait_for(lambda: fake.sent("answerInlineQuery"))
    results = fake.sent("answerInlineQuery")[0].params["results"]
    assert [r["title"] for r in results] == [t.text("pt").title for t in CONTENT.topics]
    assert results[0]["description"] == "Uma visão geral inventada para os testes"


def copy_with(folder: Path, rename: tuple[str, str] | None = None, drop: str | None = None) -> Path:
    """The fixture copied to `folder`, a language renamed (its entry, its sections, its catalog
    and talk) or dropped."""
    shutil.copytree(ADAPTER_CONTENT_LANGS, folder)  # the linked catalogs copied as files
    for path in folder.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if rename:
            text = text.replace(f"code: {rename[0]}\n", f"code: {rename[1]}\n")
            text = re.sub(rf"^{rename[0]}:$", f"{rename[1]}:", text, flags=re.M)
        if drop:
            text = re.sub(rf"^  - code: {drop}\n(?:    .*\n)*", "", text, flags=re.M)
            text = re.sub(rf"^{drop}:\n(?:(?: .*)?\n)*", "", text, flags=re.M)
        path.write_text(text, encoding="utf-8")
    for kind in ("strings", "conversation"):
        if rename:
            (folder / kind / f"{rename[0]}.yaml").rename(folder / kind / f"{rename[1]}.yaml")
        if drop:
            (folder / kind / f"{drop}.yaml").unlink()
    return folder


async def test_a_language_with_a_region_has_the_menu_of_its_language(fake, tmp_path):
    folder = copy_with(tmp_path / "content", rename=("pt", "pt-br"))
    async with running_bot(bot_settings(fake, content_dir=folder)):
        assert await fake.wait_for(lambda: len(fake.sent("setMyCommands")) == 4)
        menus = {c.params.get("language_code"): c.params for c in fake.sent("setMyCommands")}
        assert set(menus) == {None, "ja", "vi", "pt"}  # Telegram names a menu by pt, not pt-br
        start = next(c for c in menus["pt"]["commands"] if c["command"] == "start")
        assert start["description"] == "Bem-vindo à IOM Tóquio"
        [welcome] = await ask(fake, "/start", language_code="pt-br")
        assert welcome.text.startswith(bold("Bem-vindo à IOM Tóquio"))


async def test_a_language_removed_while_running_loses_its_menu(fake, tmp_path):
    folder = copy_with(tmp_path / "content")
    async with running_bot(bot_settings(fake, content_dir=folder)):
        assert await fake.wait_for(lambda: len(fake.sent("setMyCommands")) == 4)
        assert fake.sent("deleteMyCommands") == []
        without = copy_with(tmp_path / "without_vi", drop="vi")
        shutil.rmtree(folder)
        without.rename(folder)  # the whole edit at once
        assert await fake.wait_for(lambda: fake.sent("deleteMyCommands"), timeout=10)
        [deleted] = fake.sent("deleteMyCommands")
        assert deleted.params.get("language_code") == "vi"
        codes = [c.params.get("language_code") for c in fake.sent("setMyCommands")[4:]]
        assert codes == [None, "ja", "pt"]
        [welcome] = await ask(fake, "/start", language_code="vi")  # the default's, now
        assert welcome.text.startswith(bold(CONTENT.strings.text("welcome_title", "en")))
