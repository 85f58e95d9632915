"""The web chat in a real browser: Debian's Chromium driven by Playwright's Python package (the
system browser, never a download), against `iombot run webchat` on loopback with the shipped
content. axe-core comes from the npm registry at test time (`npm install` into a temporary
folder, kept for the session), not from this repository.

Skipped, saying why, only when Chromium, Playwright or npm is missing and CI is not set; in CI
they must run (make test and .ci/run install them)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from both_platforms import staff_reply, tickets_posted

from iombot.testing.background import BackgroundLoop
from iombot.testing.slack import BOT_TOKEN, SECRET, FakeSlack, event_payload, signed_headers

from testsupport import free_port, installed_iombot, wait_healthy

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "webchat.png"
CHROMIUM = os.environ.get("IOMBOT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
XSS = "<img src=x onerror=alert(1)>"
CHANNEL = "C0WEBSTAFF"


def unavailable(reason: str) -> None:
    """Skip with the reason, or fail in CI, where the browser tests must run."""
    if IN_CI:
        pytest.fail(f"CI is set, and the browser tests cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        unavailable("Debian's chromium is not installed (apt-get install chromium; make test does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def axe_source(tmp_path_factory) -> str:
    """axe-core's script, installed from npm into a temporary folder."""
    npm = shutil.which("npm")
    if npm is None:
        unavailable("npm is not installed (apt-get install npm; make test does)")
    folder = tmp_path_factory.mktemp("axe")
    done = subprocess.run(
        [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "axe-core@4"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if done.returncode != 0 or not script.exists():
        unavailable(f"npm install axe-core failed: {done.stderr[-500:]}")
    return script.read_text(encoding="utf-8")


class Site:
    """Another website on loopback, whose page embeds the chat with one script tag."""

    def __init__(self, folder: Path, bot: str):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(
            "<!doctype html><html lang='en'><head><title>Host site</title></head><body>"
            "<h1>A site with the chat</h1>"
            f"<script src='{bot}/chat/widget.js' defer></script></body></html>",
            encoding="utf-8",
        )
        handler = partial(Quiet, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def iombot(folder: Path, port: int, *args: str, **variables: str) -> Iterator[str]:
    """`iombot run …` (the shipped content) on loopback, until the block ends; its URL."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "SLACK_", "LINE_", "WEBCHAT_", "IOMBOT_", "PORT", "HOST"))
    }
    env.update(PORT=str(port), HOST="127.0.0.1", IOMBOT_DATA_DIR=str(folder), **variables)
    process = subprocess.Popen(
        [installed_iombot(), "run", *args],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_healthy(process, port, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Iterator[tuple[str, Site, Site]]:
    """`iombot run webchat` with one allowed site; and another site."""
    folder = tmp_path_factory.mktemp("webchat")
    port = free_port()
    bot = f"http://127.0.0.1:{port}"
    allowed, other = Site(folder / "allowed", bot), Site(folder / "other", bot)
    try:
        with iombot(folder, port, "webchat", WEBCHAT_ORIGINS=allowed.url):
            yield bot, allowed, other
    finally:
        allowed.close()
        other.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 420, "height": 760}, locale="en-US")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def open_chat(context, bot: str, path: str = "/chat"):
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    page.goto(bot + path)
    ready(page)
    return page


def ready(page) -> None:
    """The page has its session and the conversation so far (a new one: the welcome)."""
    page.wait_for_selector("body[data-ready='true']")
    page.wait_for_selector(".msg.bot")


def bot_messages(page) -> int:
    return page.locator(".msg.bot").count()


def more_replies(page, before: int, selector: str = ".msg.bot", at_least: int = 0) -> None:
    """Until there are more than `before` (and at least `at_least`) of `selector`. Polled from
    here: the page's policy forbids the string evaluation wait_for_function uses."""
    for _ in range(300):
        count = page.locator(selector).count()
        if count > before and count >= at_least:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"no new {selector} after {before}")


def ask(page, text: str):
    """Type and press Enter; the new reply (a locator)."""
    before = bot_messages(page)
    box = page.get_by_role("textbox")
    box.fill(text)
    box.press("Enter")
    more_replies(page, before)
    return page.locator(".msg.bot").last


def test_a_question_is_answered(sites, context):
    bot, _, _ = sites
    page = open_chat(context, bot)
    assert page.get_by_role("log").get_attribute("aria-live") == "polite"
    reply = ask(page, "What is your phone number?")
    assert "03-3595-2487" in reply.inner_text()
    link = reply.locator("a[href^='tel:']").first
    assert link.get_attribute("href").startswith("tel:+81")
    assert reply.get_attribute("lang") == "en"
    assert page.locator(".msg.user").last.inner_text() == "What is your phone number?"


def test_a_japanese_question_is_answered_in_japanese(sites, context):
    bot, _, _ = sites
    page = open_chat(context, bot)
    reply = ask(page, "電話番号を教えてください")
    assert reply.get_attribute("lang") == "ja"
    assert "03-3595-2487" in reply.inner_text()
    assert page.evaluate("document.documentElement.lang") == "en"  # the page's, the session's


def test_a_topic_button(sites, context):
    bot, _, _ = sites
    page = open_chat(context, bot)
    welcome = page.locator(".msg.bot").last
    button = welcome.get_by_role("button").first
    label = button.inner_text()
    before = bot_messages(page)
    button.click()
    more_replies(page, before)
    reply = page.locator(".msg.bot").last
    assert reply.locator("h2").count() == 1
    assert page.locator(".msg.user").last.inner_text() == label
    assert reply.locator("button.compact").count() == 2  # 👍 and 👎 under a topic
    assert reply.get_by_role("button", name="👍 Helpful").count() == 1


def test_keyboard_only(sites, context):
    bot, _, _ = sites
    page = open_chat(context, bot)
    for _ in range(40):  # Tab from the top of the page to the text box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "text":
            break
    assert page.evaluate("document.activeElement.id") == "text"
    assert visible_focus(page)
    page.keyboard.type("/contact")
    before = bot_messages(page)
    page.keyboard.press("Enter")
    more_replies(page, before)
    assert page.evaluate("document.activeElement.id") == "text"  # ready for the next one
    page.keyboard.press("Shift+Tab")  # back into the conversation: its last button
    for _ in range(10):
        if page.evaluate("document.activeElement.tagName") == "BUTTON":
            break
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    assert visible_focus(page)
    before = bot_messages(page)
    page.keyboard.press("Enter")
    more_replies(page, before)


def visible_focus(page) -> bool:
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            const s = getComputedStyle(e);
            return e.matches(':focus-visible') && s.outlineStyle !== 'none'
                && parseFloat(s.outlineWidth) >= 2;
        }"""
    )


def test_the_xss_message_is_shown_as_text(sites, context):
    bot, _, _ = sites
    page = open_chat(context, bot)
    ask(page, XSS)
    assert page.locator(".msg.user").last.inner_text() == XSS
    assert page.locator("#log img").count() == 0
    page.reload()
    ready(page)
    assert XSS in page.locator(".msg.user").all_inner_texts()
    assert page.locator("#log img").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_a_reload_keeps_the_conversation(sites, context):
    bot, _, _ = sites
    page = open_chat(context, bot)
    ask(page, "/lang ja")
    ask(page, "When did IOM start working in Japan?")
    before = page.locator("#log").inner_text()
    session = page.evaluate("localStorage.getItem('iombot-webchat-session')")
    page.reload()
    ready(page)
    more_replies(page, 1, ".msg", 5)
    assert page.locator("#log").inner_text() == before
    assert page.evaluate("localStorage.getItem('iombot-webchat-session')") == session
    assert page.evaluate("document.documentElement.lang") == "ja"  # the language chosen
    assert page.get_by_role("button", name="送信").count() == 1
    assert context.cookies() == []  # no cookie: the session id is in localStorage


def test_the_widget_on_an_allowed_site(sites, context):
    _, allowed, _ = sites
    page = context.new_page()
    page.goto(allowed.url)
    page.get_by_role("button", name="Chat with us").click()
    frame = page.frame_locator("iframe")
    frame.locator("body[data-ready='true']").wait_for()
    box = frame.get_by_role("textbox")
    box.fill("/contact")
    box.press("Enter")
    frame.locator(".msg.bot h2").first.wait_for()


def test_the_widget_on_another_site_is_refused(sites, context):
    bot, _, other = sites
    page = context.new_page()
    page.goto(other.url)
    page.get_by_role("button", name="Chat with us").click()
    page.wait_for_timeout(1500)
    chat = next((f for f in page.frames if f.url.startswith(bot)), None)
    assert chat is None or chat.locator("#text").count() == 0, "the frame was not refused"
    # Nor may that site open the WebSocket itself.
    outcome = page.evaluate(
        """(url) => new Promise((done) => {
            const socket = new WebSocket(url);
            socket.onopen = () => done('open');
            socket.onerror = () => done('refused');
        })""",
        bot.replace("http:", "ws:") + "/chat/ws",
    )
    assert outcome == "refused"


def test_axe_finds_no_serious_violations(sites, browser, axe_source):
    bot, _, _ = sites
    found = {}
    for language, question in (("en", "What is your phone number?"), ("ja", "IOMとは")):
        # bypass_csp: the page's own policy would refuse axe's script, as it refuses any.
        context = browser.new_context(bypass_csp=True, locale=language)
        try:
            page = open_chat(context, bot, f"/chat?lang={language}")
            ask(page, question)
            page.add_script_tag(content=axe_source)
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        finally:
            context.close()
        found[language] = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
    assert found == {"en": [], "ja": []}, json.dumps(found, ensure_ascii=False, indent=1)


def test_a_phone_screen_has_no_sideways_scroll(sites, browser):
    bot, _, _ = sites
    context = browser.new_context(
        viewport={"width": 375, "height": 700}, is_mobile=True, has_touch=True
    )
    try:
        page = open_chat(context, bot)
        ask(page, "What is your phone number?")
        ask(page, "https://www.example.org/" + "a" * 200)  # a long unbroken word
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page is {width} px wide"
        send = page.get_by_role("button", name="Send").bounding_box()
        assert send is not None and send["x"] + send["width"] <= 375
    finally:
        context.close()


def test_the_screenshot_for_the_readme(sites, browser, tmp_path):
    """docs/webchat.png, for the README: written when it is missing or IOMBOT_SCREENSHOT=1 asks
    for a new one (each run's pixels differ a little: no churn in the checkout otherwise)."""
    bot, _, _ = sites
    context = browser.new_context(viewport={"width": 420, "height": 720}, locale="en-US")
    update = os.environ.get("IOMBOT_SCREENSHOT") == "1" or not SCREENSHOT.exists()
    path = SCREENSHOT if update else tmp_path / "webchat.png"
    try:
        page = open_chat(context, bot)
        ask(page, "What is your phone number?")
        page.get_by_role("textbox").blur()
        path.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(path))
    finally:
        context.close()
    assert path.stat().st_size > 10_000


def test_the_staff_handoff(browser, tmp_path):
    """`iombot run` with the web chat and Slack (the fake): the staff button, the ticket in
    Slack, and the staff reply appearing in the open page."""
    with BackgroundLoop() as loop:
        slack = loop.call(FakeSlack)
        loop.run(slack.start())
        try:
            port = free_port()
            settings = {
                "WEBCHAT_ENABLED": "1",
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": slack.api_url,
                "IOMBOT_HANDOFF_CHANNEL": CHANNEL,
            }
            with iombot(tmp_path, port, **settings) as bot:
                context = browser.new_context(viewport={"width": 420, "height": 760})
                try:
                    page = open_chat(context, bot)
                    unsure = ask(page, "zxcvq qwrty plmkn?")
                    unsure.get_by_role("button", name="Ask IOM Tokyo staff").click()
                    more_replies(page, bot_messages(page) - 1)
                    ask(page, "Can I visit the office with my family?")
                    tickets = wait_for(lambda: loop.call(tickets_posted, slack, CHANNEL))
                    assert "Can I visit the office" in json.dumps(tickets[0].args)
                    thread = tickets[0].result["ts"]
                    before = bot_messages(page)
                    event = staff_reply(
                        "Yes, you are welcome.", thread, "1800000000.000001", channel=CHANNEL
                    )
                    body = json.dumps(event_payload(event, "EvBrowser1"))
                    request = urllib.request.Request(
                        f"{bot}/slack/events", data=body.encode(), headers=signed_headers(body)
                    )
                    with urllib.request.urlopen(request, timeout=5) as answer:
                        assert answer.status == 200
                    more_replies(page, before)
                    last = page.locator(".msg.bot").last
                    assert "IOM Tokyo staff" in last.inner_text()
                    assert "Yes, you are welcome." in last.inner_text()
                finally:
                    context.close()
        finally:
            loop.run(slack.stop())


def wait_for(check, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")
