"""Prometheus metrics, in a registry of this app's own (no global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from ..core.reply import Reply, ReplyKind


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "iombot_questions",
            "Questions answered, by topic",
            ["platform", "topic", "language"],
            registry=self.registry,
        )
        self.unanswered = Counter(
            "iombot_unanswered",
            "Questions without a confident answer",
            ["platform", "language"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "iombot_reply_seconds",
            "Time from receiving to replying",
            ["platform"],
            registry=self.registry,
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.errors = Counter(
            "iombot_errors",
            "Errors while handling an update or event",
            ["platform"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "iombot_rate_limited",
            "Messages refused by the flood limit",
            ["platform"],
            registry=self.registry,
        )

        self.state_errors = Counter(
            "iombot_state_errors",
            "Calls to the state store that failed (answered from this process's memory)",
            registry=self.registry,
        )

        # Asking a person (bots/handoff/).
        self.tickets_opened = Counter(
            "iombot_handoff_tickets_opened",
            "Questions passed to staff",
            ["platform", "language"],
            registry=self.registry,
        )
        self.tickets_closed = Counter(
            "iombot_handoff_tickets_closed",
            "Tickets closed, by who closed them (asker, staff, idle, undeliverable)",
            ["platform", "language", "by"],
            registry=self.registry,
        )
        self.first_reply = Histogram(
            "iombot_handoff_first_reply_seconds",
            "Time from a ticket opening to the first staff reply delivered",
            registry=self.registry,
            buckets=(60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 86400, 3 * 86400, 7 * 86400),
        )
        self.open_tickets = Gauge(
            "iombot_handoff_open_tickets",
            "Tickets open (as this process last counted them in the shared store)",
            registry=self.registry,
        )

        # The editors' loop (bots/editors/).
        self.feedback = Counter(
            "iombot_feedback",
            "Votes on answers (👍 up, 👎 down)",
            ["platform", "language", "vote"],
            registry=self.registry,
        )

    def observe(self, platform: str, reply: Reply, seconds: float) -> None:
        if reply.kind is ReplyKind.TOPIC:
            self.questions.labels(platform, reply.topic, reply.language).inc()
        elif reply.kind in (ReplyKind.SUGGESTIONS, ReplyKind.UNKNOWN_COMMAND):
            self.unanswered.labels(platform, reply.language).inc()
        self.latency.labels(platform).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
