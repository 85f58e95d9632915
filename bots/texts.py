"""The keys of the content's string catalogs (content/strings/) that the bots layer uses, beside
the core's: the platforms' own words (Slack's Share button and command hint, Telegram's menu
entries), the notices every adapter sends, and the handoff's. The default language's catalog must
have all of them: every load of content in the bots layer asks for REQUIRED_STRINGS, so that
`iombot check` and a reload refuse a catalog the bot could not speak from."""

from __future__ import annotations

from ..core.catalog import CORE_KEYS

BOT_KEYS = frozenset(
    {
        # Notices (Services.notice): the apology, the flood limit, a sticker or a photo.
        "error",
        "rate_limited",
        "unsupported",
        # Slack: under every answer, the Share button, the Home tab, the /iom menu for staff.
        "command_hint",
        "question_placeholder",
        "share",
        "shared_by",
        "home_topic",
        "staff_commands",
        # 👍 / 👎 (editors/feedback.py).
        "feedback_thanks",
        # Asking a person (handoff/), and Telegram's menu entries for it.
        "ask_staff",
        "cancel",
        "staff_title",
        "staff_consent",
        "staff_cancelled",
        "staff_sent",
        "staff_limit",
        "staff_reply",
        "staff_closed",
        "staff_done_command",
        "staff_none_open",
        "staff_unavailable",
        "staff_in_group",
        "staff_failed",
        # The web chat's page (bots/webchat/): its title, the text box, Send, the conversation,
        # and the notice for a message over the size limit.
        "webchat_title",
        "webchat_label",
        "webchat_send",
        "webchat_log",
        "webchat_too_long",
        "webchat_helpful",
        "webchat_open",
        "webchat_not_helpful",
    }
)
REQUIRED_STRINGS = CORE_KEYS | BOT_KEYS
