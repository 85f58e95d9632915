"""The web chat's widget script: its words made once per content version, not per request."""

from __future__ import annotations

import shutil

from iombot.bots.webchat.page import Page
from iombot.core.content import default_content_dir, load_content


async def test_the_widget_follows_a_content_reload(tmp_path, monkeypatch):
    page = Page(origins=())
    made = []
    make = page._widget_script
    monkeypatch.setattr(page, "_widget_script", lambda *args: made.append(1) or make(*args))
    first = load_content(default_content_dir())
    script = page.widget(first.strings, first.languages).text
    assert '"open": "Chat with us"' in script
    assert page.widget(first.strings, first.languages).text == script and len(made) == 1
    edited = tmp_path / "content"
    shutil.copytree(default_content_dir(), edited)
    strings = edited / "strings" / "en.yaml"
    text = strings.read_text(encoding="utf-8")
    strings.write_text(text.replace("webchat_open: Chat with us", "webchat_open: Ask us"), "utf-8")
    second = load_content(edited)
    script = page.widget(second.strings, second.languages).text
    assert '"open": "Ask us"' in script and "Chat with us" not in script and len(made) == 2
