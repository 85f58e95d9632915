"""The web chat over its real WebSocket, under serve() on loopback: answers, Japanese, buttons,
escaping, origins, limits, sessions."""

from __future__ import annotations

import json

import aiohttp
import pytest
from webchat_support import ALLOWED, running, text_of, webchat_settings

from iombot.bots.webchat.render import render
from iombot.core.reply import Link, Paragraph, Phone, Reply, ReplyKind, Text


async def test_the_page_and_its_files_are_served_safely(chat):
    async with chat.http.get(
        f"{chat.base}/chat", headers={"Accept-Language": "ja,en;q=0.5"}
    ) as page:
        assert page.status == 200
        body = await page.text()
        policy = page.headers["Content-Security-Policy"]
    assert '<html lang="ja">' in body
    assert "ご質問" in body  # the text box's name, in the page's language
    assert '<script src="/chat/chat.js" defer></script>' in body
    assert "<script>" not in body and " style=" not in body  # nothing inline
    assert "default-src 'self'" in policy
    assert f"frame-ancestors 'self' {ALLOWED}" in policy
    assert "unsafe" not in policy
    for name in ("chat.js", "chat.css", "widget.js"):
        async with chat.http.get(f"{chat.base}/chat/{name}") as response:
            assert response.status == 200, name
            assert response.headers["X-Content-Type-Options"] == "nosniff"
    async with chat.http.get(f"{chat.base}/chat/widget.js") as widget:
        script = await widget.text()
    assert '"open": "Chat with us"' in script and "\\u30c1\\u30e3" in script  # en, ja words
    async with chat.http.get(f"{chat.base}/chat?lang=en") as page:
        assert '<html lang="en">' in await page.text()


async def test_a_question_is_answered(chat):
    async with chat.page() as page:
        assert len(page.session) == 24 and page.language == "en"
        entry = await page.ask("what is your phone number?")
        reply = entry["reply"]
        assert reply["kind"] == "topic"
        assert reply["title"] == "Call or write to the test office"
        assert {"text": "03-5555-0123", "href": "tel:+81-3-5555-0123"} in reply["blocks"][1][
            "list"
        ][0]
        actions = [button["action"] for button in reply["buttons"]]
        assert "fb:up:contact:en" in actions and "fb:down:contact:en" in actions
        names = {b["label"]: b.get("name") for b in reply["buttons"] if b["compact"]}
        assert names == {"👍": "Helpful", "👎": "Not helpful"}  # for screen readers
        assert any(action.startswith("topic:") for action in actions)


async def test_a_japanese_question_is_answered_in_japanese(chat):
    async with chat.page() as page:
        entry = await page.ask("電話番号を教えてください")
        assert entry["reply"]["language"] == "ja"
        assert entry["reply"]["title"] == "テスト事務所への問い合わせ"


async def test_a_topic_button_and_feedback(chat):
    async with chat.page() as page:
        entry = await page.ask("/contact")
        work = next(b for b in entry["reply"]["buttons"] if b["action"] == "topic:work")
        answer = await page.press(work)
        assert answer["reply"]["kind"] == "topic" and answer["reply"]["topic"] == "work"
        up = next(b for b in answer["reply"]["buttons"] if b["action"].startswith("fb:up:"))
        thanks = await page.press(up, answer=answer["id"])
        assert "Thank you for your feedback" in text_of(thanks)


async def test_what_people_write_is_never_markup(chat):
    attack = "<img src=x onerror=alert(1)>"
    async with chat.page() as page:
        await page.ask(attack)
    async with chat.page(session=page.session) as again:
        assert {"from": "user", "text": attack} in again.history
    # The renderer keeps text as data, and links only https: and tel:.
    reply = Reply(
        kind=ReplyKind.NOTICE,
        language="en",
        blocks=(
            Paragraph(
                (
                    Text("<b>x</b>"),
                    Link("bad", "javascript:alert(1)"),
                    Link("ok", "https://example.org/"),
                    Phone("03", "+81-3"),
                )
            ),
        ),
    )
    spans = render(reply)["blocks"][0]["p"]
    assert spans == [
        {"text": "<b>x</b>"},
        {"text": "bad"},
        {"text": "ok", "href": "https://example.org/"},
        {"text": "03", "href": "tel:+81-3"},
    ]


async def test_the_page_script_never_writes_html():
    from iombot.bots.webchat.page import STATIC

    for name in ("chat.js", "widget.js"):
        script = (STATIC / name).read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in script, f"{name} uses {sink}"


@pytest.mark.parametrize("origin", ["https://evil.example", "null", ""])
async def test_other_origins_are_refused(chat, origin):
    headers = {"Origin": origin} if origin else {}
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await chat.http.ws_connect(f"{chat.base}/chat/ws", headers=headers)
    assert refused.value.status == 403


async def test_an_allowed_site_may_open_it(chat):
    async with chat.page(origin=ALLOWED) as page:
        assert (await page.ask("/contact"))["reply"]["kind"] == "topic"


async def test_a_message_too_long_gets_a_polite_notice(chat):
    async with chat.page() as page:
        entry = await page.ask("a" * 1001)
        assert "too long" in text_of(entry) and "1000" in text_of(entry)
        assert (await page.ask("a" * 1000))["reply"]["kind"] != "notice"


async def test_a_huge_frame_closes_the_socket(chat):
    async with chat.page() as page:
        await page.socket.send_str(json.dumps({"type": "message", "text": "a" * 100_000}))
        frame = await page.socket.receive(timeout=5)
        assert frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)


async def test_the_flood_limit_per_session(chat):
    async with chat.page() as page:
        for _ in range(chat.services.flood.limit - 1):  # the welcome was one
            await page.ask("/about")
        notice = await page.ask("/about")
        assert "very quickly" in text_of(notice)
        await page.socket.send_str(json.dumps({"type": "message", "text": "/about"}))
        assert await page.silent()


async def test_the_flood_limit_per_address():
    async with (
        running(webchat_settings(address_limit=3)) as chat,
        chat.page() as first,
        chat.page() as second,
    ):
        await first.ask("/about")
        await second.ask("/about")
        await first.ask("/about")
        notice = await second.ask("/about")
        assert "very quickly" in text_of(notice)
        await first.socket.send_str(json.dumps({"type": "message", "text": "/about"}))
        assert await first.silent()


async def test_a_session_comes_back_after_reconnecting(tmp_path):
    settings = webchat_settings(f"sqlite:///{tmp_path / 'state.db'}")
    async with running(settings) as chat, chat.page() as page:
        await page.ask("/lang ja")
        await page.ask("what is your phone number?")
        session = page.session
    # A restart: only the store remembers.
    async with running(settings) as chat, chat.page(session=session) as page:
        assert page.session == session
        assert page.language == "ja" and page.labels["send"] == "送信"
        said = [e["text"] for e in page.history if e["from"] == "user"]
        assert said == ["/lang ja", "what is your phone number?"]
        kinds = [e["reply"]["kind"] for e in page.history if e["from"] == "bot"]
        assert kinds == ["start", "language", "topic"]
        assert (await page.ask("/contact"))["reply"]["language"] == "ja"


async def test_a_forged_session_id_gets_a_new_session(chat):
    async with chat.page(session="../../etc/passwd") as page:
        assert page.session != "../../etc/passwd" and page.history == []


async def test_two_pages_of_one_session_see_each_other(chat):
    async with chat.page() as first, chat.page(session=first.session) as second:
        await first.socket.send_str(json.dumps({"type": "message", "text": "/contact"}))
        echoed = await second.entry()
        assert echoed == {"from": "user", "text": "/contact"}
        assert (await second.reply())["reply"]["topic"] == "contact"
        assert (await first.reply())["reply"]["topic"] == "contact"


async def test_health_names_the_web_chat(chat):
    async with chat.page(), chat.http.get(f"{chat.base}/healthz") as response:
        health = await response.json()
    assert response.status == 200
    assert health["adapters"]["webchat"]["up"] is True
    assert health["adapters"]["webchat"]["open_pages"] == 1


async def test_metrics_and_the_editors_report_count_the_web_chat(chat):
    from iombot.bots.editors.report import render_json
    from iombot.bots.editors.reporting import since_day

    async with chat.page() as page:
        await page.ask("what is your phone number?")
        await page.ask("how many cats live in the office")
    async with chat.http.get(f"{chat.base}/metrics") as response:
        metrics = await response.text()
    assert 'iombot_questions_total{language="en",platform="webchat",topic="contact"} 1.0' in metrics
    assert 'iombot_adapter_up{adapter="webchat"} 1.0' in metrics
    report = json.loads(render_json(await chat.services.report(since_day("7d"))))
    [unanswered] = report["unanswered"]
    assert unanswered["text"] == "how many cats live in the office"
    asked = {(t["topic"], t["language"]): t["asked"] for t in report["topics"]}
    assert asked[("contact", "en")] == 1


async def test_behind_a_trusted_proxy_each_visitor_has_an_address():
    forwarded = "X-Forwarded-For"
    settings = webchat_settings(address_limit=2, trust_forwarded=True)
    async with (
        running(settings) as chat,
        chat.page(**{forwarded: "203.0.113.9, 198.51.100.1"}) as first,
        chat.page(**{forwarded: "198.51.100.2"}) as second,
    ):
        for page in (first, second):
            for _ in range(2):
                assert (await page.ask("/about"))["reply"]["kind"] == "topic"
        assert "very quickly" in text_of(await first.ask("/about"))
