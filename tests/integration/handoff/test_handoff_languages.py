"""Asking a person in every language of the content (issue 24), end to end under serve(): the
asker is spoken to in their language (the staff button, the consent, "sent", the staff reply's
heading, "closed"), on Telegram (the app's language_code) and on LINE (the profile's language);
staff in Slack read the asker's language named in English. The content is
tests/fixtures/adapter_content_langs (en, ja, vi, pt), whose own Vietnamese and Portuguese
words are asserted here."""

from __future__ import annotations

import json
from dataclasses import replace

from both_platforms import (
    CHANNEL,
    STAFF,
    buttons,
    handoff_settings,
    line_handoff_settings,
    quick_replies,
    reply_to,
    running,
    shown,
    staff_reply,
    tickets_posted,
    wait,
)

from iombot.testing.line import FakeLine, postback_event, text_event
from iombot.testing.slack import action_body, action_payload, command_body
from iombot.testing.telegram import callback, message

from testsupport import ADAPTER_CONTENT_LANGS

TELEGRAM_USER = 4343
LINE_USER = "U" + "8" * 32
# Questions the content does not answer, in each language: tomorrow's weather in Tokyo.
WEATHER_VI = "Thời tiết ở Tokyo ngày mai thế nào?"
WEATHER_PT = "Como vai estar o tempo amanhã em Tóquio?"


def ticket_header(call) -> str:
    return call.args["blocks"][0]["text"]["text"]


async def test_telegram_menus_name_staff_and_done_in_every_language(fakes):
    telegram, slack = fakes
    settings = replace(handoff_settings(telegram, slack), content_dir=ADAPTER_CONTENT_LANGS)
    async with running(settings):
        await telegram.wait_for(lambda: len(telegram.sent("setMyCommands")) == 4)
    menus = {
        call.params.get("language_code"): {
            c["command"]: c["description"] for c in call.params["commands"]
        }
        for call in telegram.sent("setMyCommands")
    }
    assert set(menus) == {None, "ja", "vi", "pt"}
    assert menus["vi"]["staff"] == "Hỏi nhân viên IOM Tokyo"
    assert menus["vi"]["done"] == "Đóng câu hỏi gửi nhân viên"
    assert menus["pt"]["staff"] == "Perguntar à equipe da IOM Tóquio"
    assert menus["pt"]["done"] == "Encerrar a sua pergunta à equipe"


async def test_a_vietnamese_telegram_user_is_answered_in_vietnamese_at_every_step(fakes):
    telegram, slack = fakes
    settings = replace(handoff_settings(telegram, slack), content_dir=ADAPTER_CONTENT_LANGS)
    user = TELEGRAM_USER

    def last() -> str:
        return telegram.sent_to(user)[-1].text

    async with running(settings) as bot:
        # No answer: the staff button, in Vietnamese.
        telegram.push(message(WEATHER_VI, user_id=user, language_code="vi"))
        first = (await telegram.wait_sent(1))[0]
        assert ("Hỏi nhân viên IOM Tokyo", "staff:ask") in buttons(first)
        # The consent: what is shared, and Cancel.
        telegram.push(callback("staff:ask", user_id=user, language_code="vi"))
        await telegram.wait_sent(2)
        consent = telegram.sent_to(user)[-1]
        assert consent.text.startswith("<b>Hỏi nhân viên IOM Tokyo</b>")
        assert "không thấy tên, tên người dùng hay số điện" in consent.text
        assert ("Hủy", "staff:cancel") in buttons(consent)
        # The question: sent, with its ticket number; staff read "Vietnamese".
        telegram.push(message("Tôi cần hỏi về thị thực", user_id=user, language_code="vi"))
        await wait(lambda: len(tickets_posted(slack)) == 1)
        (ticket,) = tickets_posted(slack)
        assert ticket_header(ticket) == "*Ticket #1* · from telegram · Vietnamese"
        assert await telegram.wait_for(lambda: "mã phiếu <b>#1</b>" in last())
        assert last().startswith("Đã gửi đến nhân viên IOM Tokyo")
        # The staff reply, headed in Vietnamese.
        thread = ticket.result["ts"]
        event = staff_reply("Xin chào, chúng tôi sẽ giúp bạn.", thread, "1800000000.000001")
        assert await bot.slack_event(event, "EvVi1") == 200
        assert await telegram.wait_for(lambda: last().startswith("<b>Nhân viên IOM Tokyo</b>"))
        assert "Xin chào, chúng tôi sẽ giúp bạn." in last()
        # /iom tickets names the language for staff.
        body = command_body("tickets", slack.response_url(), user=STAFF, channel=CHANNEL)
        listing = await bot.slack_command(body)
        assert "#1" in listing["text"] and "· telegram · Vietnamese" in listing["text"]
        # /done: closed, said in Vietnamese.
        telegram.push(message("/done", user_id=user, language_code="vi"))
        assert await telegram.wait_for(lambda: "Phiếu #1 đã đóng." in last())
        metrics = await bot.metrics()
    opened = 'iombot_handoff_tickets_opened_total{language="vi",platform="telegram"} 1.0'
    assert opened in metrics
    assert 'iombot_handoff_tickets_opened_total{language="pt",platform="telegram"} 0.0' in metrics


async def test_a_line_user_with_a_pt_br_profile_is_answered_in_portuguese_at_every_step(
    fakes, line
):
    _, slack = fakes
    line.languages[LINE_USER] = "pt-BR"
    settings = replace(line_handoff_settings(line, slack), content_dir=ADAPTER_CONTENT_LANGS)
    async with running(settings) as bot:
        # No answer: the staff button among the quick replies, its label cut to 20 characters.
        await bot.line_events(text_event(WEATHER_PT, user_id=LINE_USER, reply_token="t1"))
        unsure = await reply_to(line, "t1")
        assert ("Perguntar à equipe …", "staff:ask") in quick_replies(unsure)
        await bot.line_events(postback_event("staff:ask", user_id=LINE_USER, reply_token="t2"))
        consent = await reply_to(line, "t2")
        assert shown(consent).startswith("Perguntar à equipe da IOM Tóquio")
        assert "não o seu nome, nome de usuário ou número de" in shown(consent)
        assert quick_replies(consent) == [("Cancelar", "staff:cancel")]
        await bot.line_events(
            text_event("Preciso de ajuda com o meu visto", user_id=LINE_USER, reply_token="t3")
        )
        sent = await reply_to(line, "t3")
        assert shown(sent).startswith("Enviado à equipe da IOM Tóquio como o chamado #1.")
        await wait(lambda: len(tickets_posted(slack)) == 1)
        (ticket,) = tickets_posted(slack)
        assert ticket_header(ticket) == "*Ticket #1* · from line · Portuguese"
        # The staff reply arrives as a push, headed in Portuguese.
        thread = ticket.result["ts"]
        event = staff_reply("Olá! Podemos ajudar.", thread, "1800000000.000002")
        assert await bot.slack_event(event, "EvPt1") == 200
        (push,) = await line.wait_for("push", 1)
        assert push.body["to"] == LINE_USER
        assert FakeLine.texts(push)[0].startswith("Equipe da IOM Tóquio")
        assert "Olá! Podemos ajudar." in shown(push)
        # Staff close it: the asker is told, in Portuguese.
        payload = action_payload("1", "iom_handoff_close", None, user=STAFF, channel=CHANNEL)
        assert await bot.slack_action(action_body(payload)) == 200
        pushes = await line.wait_for("push", 2)
        assert "O chamado #1 foi encerrado." in shown(pushes[1])
        # Asking for a person in words, in Portuguese, starts the same flow.
        await bot.line_events(
            text_event("quero falar com um atendente", user_id=LINE_USER, reply_token="t4")
        )
        asked = await reply_to(line, "t4")
        assert shown(asked).startswith("Perguntar à equipe da IOM Tóquio")
        assert "Pergunte às pessoas do escritório de teste." not in shown(asked)
    assert LINE_USER not in json.dumps(ticket.args)  # never who asked
