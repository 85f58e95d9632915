"""The staff side of asking a person, in Slack: each ticket is a message in the handoff channel
(Block Kit), the conversation its thread. Made from the settings alone, so that a process that
runs only the Telegram adapter can post tickets too."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from ...core.languages import Languages
from ..handoff import HandoffSettings, Ticket
from .client import build_client
from .settings import SlackSettings

CLOSE_ACTION = "iom_handoff_close"
PLAIN_TEXT_LIMIT = 3000  # a section's text in Block Kit
NOTES = {
    # The ticket's closing message follows it (mark_closed).
    "undeliverable": ":warning: This reply could not be delivered: the person has blocked the "
    "bot or left the chat.",
    "try_again": ":warning: This reply could not be delivered just now (the messaging service "
    "did not answer). Please send it again in a few minutes.",
    "only_text": "Only text is passed on to the person who asked; this file was not sent.",
}
CLOSED_BY = {
    "asker": "by the person who asked",
    "staff": "by staff",
    "idle": "after a period without messages",
    "undeliverable": "because replies can no longer be delivered",
}


def plain_sections(text: str) -> list[dict]:
    """The asker's words as plain_text sections: never read as mrkdwn, whatever they hold."""
    chunks = [text[i : i + PLAIN_TEXT_LIMIT] for i in range(0, len(text), PLAIN_TEXT_LIMIT)]
    return [
        {"type": "section", "text": {"type": "plain_text", "text": chunk, "emoji": False}}
        for chunk in chunks or ["(empty)"]
    ]


def thread_link(channel: str, thread: str) -> str:
    return f"https://slack.com/archives/{channel}/p{thread.replace('.', '')}"


class SlackDesk:
    def __init__(self, client: AsyncWebClient, channel: str):
        self.client = client
        self.channel = channel

    @classmethod
    def from_settings(cls, slack: SlackSettings, handoff: HandoffSettings) -> SlackDesk:
        return cls(build_client(slack.bot_token.value, slack.api_url), handoff.channel)

    async def post_ticket(self, ticket: Ticket, text: str, languages: Languages) -> str:
        language = languages.english_name(ticket.language)
        header = f"*Ticket #{ticket.number}* · from {ticket.platform} · {language}"
        blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": header}},
            *plain_sections(text),
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "Reply in this thread: your reply goes to the person who asked. "
                        ":white_check_mark: marks a reply delivered.",
                    }
                ],
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": CLOSE_ACTION,
                        "text": {"type": "plain_text", "text": "Close"},
                        "value": str(ticket.number),
                    }
                ],
            },
        ]
        response = await self.client.chat_postMessage(
            channel=self.channel,
            text=f"Ticket #{ticket.number}: a question from {ticket.platform}",
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(response["ts"])

    async def post_followup(self, ticket: Ticket, text: str) -> None:
        await self.client.chat_postMessage(
            channel=ticket.channel or self.channel,
            thread_ts=ticket.thread,
            text=f"Ticket #{ticket.number}: more from the person who asked",
            blocks=plain_sections(text),
            unfurl_links=False,
            unfurl_media=False,
        )

    async def note(self, ticket: Ticket, key: str, **values: str) -> None:
        await self.client.chat_postMessage(
            channel=ticket.channel or self.channel,
            thread_ts=ticket.thread,
            text=NOTES[key].format_map(values),
        )

    async def mark_delivered(self, ticket: Ticket, message: str) -> None:
        await self.client.reactions_add(
            channel=ticket.channel or self.channel, timestamp=message, name="white_check_mark"
        )

    async def mark_closed(self, ticket: Ticket, by: str) -> None:
        await self.client.chat_postMessage(
            channel=ticket.channel or self.channel,
            thread_ts=ticket.thread,
            reply_broadcast=False,
            text=f":lock: Ticket #{ticket.number} is closed {CLOSED_BY.get(by, by)}. "
            "Messages in this thread are no longer passed on.",
        )

    def listing(self, tickets: list[Ticket], languages: Languages) -> str:
        if not tickets:
            return "No open tickets."
        lines = [f"*Open tickets ({len(tickets)})*"]
        for ticket in tickets:
            link = thread_link(ticket.channel or self.channel, ticket.thread or "")
            lines.append(
                f"• <{link}|#{ticket.number}> · {ticket.platform} · "
                f"{languages.english_name(ticket.language)}"
                f"{' · answered' if ticket.replied else ' · awaiting a reply'}"
            )
        return "\n".join(lines)


def report_blocks(title: str, text: str, limit: int = 2900) -> list[dict]:
    """A text report as a header and code blocks, split at line ends under Slack's limits."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines():
        line = line[:limit]
        if current and len(current) + len(line) + 1 > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    for chunk in chunks[:48]:  # 50 blocks a message
        escaped = chunk.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"```{escaped}```"}})
    return blocks


class SlackPoster:
    """Posts the editors' weekly digest (bots/editors/digest.py)."""

    def __init__(self, client: AsyncWebClient):
        self.client = client

    @classmethod
    def from_settings(cls, slack: SlackSettings) -> SlackPoster:
        return cls(build_client(slack.bot_token.value, slack.api_url))

    async def post_report(self, channel: str, title: str, text: str) -> None:
        await self.client.chat_postMessage(
            channel=channel, text=title, blocks=report_blocks(title, text)
        )
