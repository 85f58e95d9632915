"""Fake platforms for the tests, the benches and the container smoke test.

- `iombot.testing.telegram`: a fake Telegram Bot API server (`FakeBotApi`) and builders of the
  updates Telegram sends (`message`, `callback`, `inline_query`, ...).
- `iombot.testing.slack`: a fake Slack (`FakeSlack`: Web API, response_url receiver and Socket
  Mode server) and builders of signed requests (`command_body`, `signed_headers`, ...).
- `iombot.testing.line`: a fake LINE Messaging API (`FakeLine`) and signed webhooks.
- `iombot.testing.redis_server`: a real redis-server (Debian's) on loopback.
- `iombot.testing.loopback`: a free loopback port, and an aiohttp app served on one.
- `iombot.testing.background`: an asyncio loop in a thread, for synchronous code that runs the
  fakes (the container smoke test).

These modules import only the standard library and aiohttp, never the bot itself nor the
platforms' libraries, so that `PYTHONPATH=src` and aiohttp are all they need.
"""
