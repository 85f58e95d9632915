"""The service around the adapters: /healthz, /metrics, content hot reload, shutdown."""

from __future__ import annotations

import asyncio
import os
import time

import aiohttp

GOOD_GAMMA = """\
command: gamma
order: 30
en:
  title: Gamma topic
  summary: A topic added while running
  body: Gamma arrived without a restart.
ja:
  title: ガンマ
  summary: 実行中に追加したトピック
  body: ガンマは再起動なしで追加されました。
"""


async def ask(session, base, text, delay=0.0):
    async with session.post(f"{base}/fake?delay={delay}", json={"text": text}) as response:
        return await response.json()


async def wait_for(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_healthz_reports_content_and_adapters_and_503_when_down(service):
    base, adapter, _, _ = service
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/healthz") as response:
            assert response.status == 200
            report = await response.json()
        assert report["status"] == "ok"
        assert report["topics"] == 2
        assert len(report["content_version"]) == 12
        assert report["adapters"]["fake"]["state"] == "fake"
        adapter.up = False
        async with session.get(f"{base}/healthz") as response:
            assert response.status == 503
            assert (await response.json())["adapters"]["fake"]["up"] is False


async def test_metrics_count_questions_unanswered_and_latency(service):
    base, _, _, _ = service
    async with aiohttp.ClientSession() as session:
        assert (await ask(session, base, "/alpha"))["topic"] == "alpha"
        await ask(session, base, "/alpha")
        await ask(session, base, "what is the weather tomorrow")
        async with session.get(f"{base}/metrics") as response:
            text = await response.text()
    assert 'iombot_questions_total{language="en",platform="fake",topic="alpha"} 2.0' in text
    assert 'iombot_unanswered_total{language="en",platform="fake"} 1.0' in text
    assert 'iombot_reply_seconds_count{platform="fake"} 3.0' in text


async def test_good_edit_and_new_file_are_picked_up_without_restart(service, content_dir):
    base, adapter, _, _ = service
    async with aiohttp.ClientSession() as session:
        assert (await ask(session, base, "/gamma"))["kind"] == "unknown_command"
        (content_dir / "gamma.yaml").write_text(GOOD_GAMMA, encoding="utf-8")

        async def gamma_served():
            return (await ask(session, base, "/gamma"))["topic"] == "gamma"

        assert await wait_for(gamma_served)
        assert "content_changed" in adapter.events
        alpha = content_dir / "alpha.yaml"
        alpha.write_text(alpha.read_text().replace("Alpha topic", "Alpha renamed"))

        async def renamed():
            return (await ask(session, base, "/alpha"))["title"] == "Alpha renamed"

        assert await wait_for(renamed)


async def test_broken_edit_keeps_the_last_good_content_and_logs_path_and_line(
    service, content_dir, caplog
):
    base, _, _, _ = service
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/healthz") as response:
            version = (await response.json())["content_version"]
        beta = content_dir / "beta.yaml"
        beta.write_text(beta.read_text().replace("order: 20", "order: soon"))

        async def rejected():
            return "content change rejected" in caplog.text

        assert await wait_for(rejected)
        assert f"{beta}:2: topic: 'order' must be a whole number" in caplog.text
        assert (await ask(session, base, "/beta"))["topic"] == "beta"
        async with session.get(f"{base}/healthz") as response:
            assert (await response.json())["content_version"] == version


async def test_deleted_file_removes_its_topic(service, content_dir):
    base, _, _, _ = service
    # alpha and beta are related to each other: delete alpha's link first, then alpha.
    beta = content_dir / "beta.yaml"
    beta.write_text(beta.read_text().replace("related: [alpha]\n", ""))
    os.remove(content_dir / "alpha.yaml")
    async with aiohttp.ClientSession() as session:

        async def gone():
            return (await ask(session, base, "/alpha"))["kind"] == "unknown_command"

        assert await wait_for(gone)
        assert (await ask(session, base, "/beta"))["topic"] == "beta"


async def test_reload_while_questions_are_answered(service, content_dir):
    base, _, _, _ = service
    alpha = content_dir / "alpha.yaml"
    original = alpha.read_text()
    async with aiohttp.ClientSession() as session:
        editing = asyncio.Event()
        editing.set()

        async def keep_asking():
            results = []
            while editing.is_set():
                results.append(await ask(session, base, "/alpha"))
            return results

        asker = asyncio.create_task(keep_asking())
        for n in range(5):
            alpha.write_text(original.replace("Alpha topic", f"Alpha v{n}"))
            await asyncio.sleep(0.3)
        editing.clear()
        results = await asker
    titles = {r["title"] for r in results}
    assert all(r["topic"] == "alpha" for r in results)  # never an error or a half-loaded state
    assert titles <= {"Alpha topic"} | {f"Alpha v{n}" for n in range(5)}
    assert len(titles) > 1


async def test_stop_finishes_replies_in_flight(service):
    base, adapter, stop, task = service
    async with aiohttp.ClientSession() as session:
        slow = asyncio.create_task(ask(session, base, "/alpha", delay=0.5))
        await asyncio.sleep(0.1)
        stop.set()
        assert (await slow)["topic"] == "alpha"
    assert await asyncio.wait_for(task, 10) == 0
    assert adapter.events[-1] == "stop"
