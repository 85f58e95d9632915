"""Every language of the content in Slack (issue 24): the user's Slack locale (users.info) picks
the language of direct messages, `/iom` and the App Home; `/iom lang` names every language in
its own words. The real Bolt AsyncApp inside our aiohttp app, against the fake Slack; the content
is tests/fixtures/adapter_content_langs (en, ja, vi, pt), whose own Portuguese and Vietnamese
words are asserted here."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from conftest import Harness, run_harness, slack_settings

from iombot.core.content import load_content
from iombot.testing.slack import (
    FakeSlack,
    action_payload,
    direct_message,
    home_opened,
)

from testsupport import ADAPTER_CONTENT_LANGS

CONTENT = load_content(ADAPTER_CONTENT_LANGS)


def title(command: str, language: str) -> str:
    return CONTENT.by_command()[command].text(language).title


def headers(message: dict) -> list[str]:
    return [b["text"]["text"] for b in message.get("blocks", []) if b["type"] == "header"]


def texts(message: dict) -> str:
    """Every text of the blocks, sections and context lines alike."""
    found = []
    for block in message.get("blocks", []):
        if isinstance(block.get("text"), dict):
            found.append(block["text"]["text"])
        found += [e.get("text", "") for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return "\n".join(found)


def buttons(message: dict) -> list[tuple[str, str]]:
    return [
        (element["text"]["text"], element["action_id"])
        for block in message.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]


@pytest.fixture
async def slack(fake: FakeSlack) -> AsyncIterator[Harness]:
    settings = slack_settings(fake, content_dir=ADAPTER_CONTENT_LANGS)
    async for harness in run_harness(fake, settings):
        yield harness


async def test_a_direct_message_from_a_pt_br_user_is_answered_in_portuguese(slack):
    slack.fake.locales["U1"] = "pt-BR"
    await slack.event(direct_message("Qual é o número de telefone de vocês?"), event_id="EvPt1")
    (call,) = await slack.fake.wait_for("chat.postMessage")
    assert headers(call.args) == [title("contact", "pt")]
    assert "O escritório de teste atende por telefone" in texts(call.args)
    # The hint under it, with Slack's command and the placeholder in Portuguese.
    assert "IOM Tóquio · `/iom help` para os tópicos, ou pergunte `/iom &lt;pergunta&gt;`" in (
        texts(call.args)
    )
    (lookup,) = slack.fake.calls_to("users.info")
    assert lookup.args == {"user": "U1", "include_locale": "1"}


async def test_iom_follows_the_locale_pt_br_and_vi(slack):
    slack.fake.locales.update({"U1": "pt-BR", "U2": "vi-VN"})
    _, menu = await slack.command("", user="U1")
    assert headers(menu) == ["O que posso lhe contar"]
    assert "`/iom contact` — Telefone e site do escritório de teste" in texts(menu)
    assert ("A IOM em resumo", "iom_topic:about") in buttons(menu)
    _, contact = await slack.command("contact", user="U1")
    assert headers(contact) == [title("contact", "pt")]
    assert ("Compartilhar no canal", "iom_share") in buttons(contact)
    assert ("👍", "iom_fb:up:contact:pt") in buttons(contact)
    _, vietnamese = await slack.command("contact", user="U2")
    assert headers(vietnamese) == [title("contact", "vi")]
    assert ("Chia sẻ vào kênh", "iom_share") in buttons(vietnamese)
    _, unsure = await slack.command("/khongcolenhnay", user="U2")
    assert headers(unsure) == ["Lệnh không xác định"]
    assert "Để hỏi văn phòng thử nghiệm, hãy gọi" in texts(unsure)


async def test_the_app_home_is_in_portuguese_for_a_pt_br_user(slack):
    slack.fake.locales["U1"] = "pt-BR"
    await slack.event(home_opened("U1"), event_id="EvHomePt")
    (call,) = await slack.fake.wait_for("views.publish")
    view = call.args["view"]
    assert headers(view) == ["Bem-vindo à IOM Tóquio", title("contact", "pt")]
    assert "Escolha um tópico abaixo ou simplesmente pergunte" in texts(view)
    assert [label for label, action in buttons(view) if action.startswith("iom_topic:")] == [
        topic.text("pt").title for topic in CONTENT.topics
    ]
    assert "O escritório de teste atende por telefone" in texts(view)  # the contact details
    # A topic pressed there is shown there, in Portuguese too.
    payload = action_payload(
        "topic:history",
        "iom_topic:history",
        None,
        container={"type": "view", "view_id": "V1"},
        view={"id": "V1", "type": "home"},
    )
    assert await slack.action(payload) == 200
    _, again = await slack.fake.wait_for("views.publish", 2)
    view = again.args["view"]
    assert title("history", "pt") in headers(view)
    assert "Você perguntou sobre" in texts(view)
    assert "O escritório de teste abriu em *1999*" in texts(view)


async def test_iom_lang_names_every_language_and_the_choice_outranks_the_locale(slack):
    slack.fake.locales["U3"] = "pt-BR"
    _, menu = await slack.command("lang", user="U3")
    assert headers(menu) == ["Idioma"]
    assert [b for b in buttons(menu) if b[1].startswith("iom_lang:")] == [
        ("English", "iom_lang:en"),
        ("日本語", "iom_lang:ja"),
        ("Tiếng Việt", "iom_lang:vi"),
        ("Português", "iom_lang:pt"),
    ]
    url = slack.fake.response_url()
    assert await slack.action(action_payload("lang:vi", "iom_lang:vi", url, user="U3")) == 200
    (response,) = await slack.fake.wait_responses(1)
    assert headers(response.args) == ["Ngôn ngữ"]
    assert "Từ giờ tôi sẽ trả lời bằng Tiếng Việt." in texts(response.args)
    _, contact = await slack.command("contact", user="U3")
    assert headers(contact) == [title("contact", "vi")]


async def test_share_in_channel_says_who_shared_in_the_answers_language(slack):
    slack.fake.locales["U1"] = "pt-BR"
    _, body = await slack.command("contact", user="U1")
    response = await slack.share(body)
    assert response.args["response_type"] == "in_channel"
    assert headers(response.args) == [title("contact", "pt")]
    assert "Compartilhado por <@U1>" in json.dumps(response.args["blocks"], ensure_ascii=False)


async def test_the_flood_notice_is_in_the_users_language(slack):
    slack.fake.locales["UFLOOD"] = "pt-BR"
    for n in range(20):
        _, body = await slack.command("contact", user="UFLOOD")
        assert headers(body) == [title("contact", "pt")], n
    status, notice = await slack.command("contact", user="UFLOOD")
    assert status == 200
    assert "Você está enviando mensagens muito depressa" in notice["text"]
