"""Prometheus metrics, in a registry of this app's own (no global state), with the standard
process and Python collectors. Every series the app can know in advance (each platform and
language, each topic, each adapter) exists at 0 from the start (prime()): a dashboard shows 0,
not "no data", and a rate() has a starting point."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from ..core.reply import Reply, ReplyKind

CLOSED_BY = ("asker", "staff", "idle", "undeliverable")


class AdapterHealth:
    """iombot_adapter_up{adapter}: 1 while an adapter reaches its platform, read at scrape time
    from the adapters' own health (the same as /healthz says)."""

    def __init__(self, adapters: Callable[[], Iterable[tuple[str, bool]]]):
        self.adapters = adapters

    def collect(self):
        family = GaugeMetricFamily(
            "iombot_adapter_up",
            "1 while the adapter reaches its platform (as /healthz says), else 0",
            labels=["adapter"],
        )
        for name, up in self.adapters():
            family.add_metric([name], 1.0 if up else 0.0)
        yield family


class WithoutCreated:
    """A registry's metrics without their `*_created` samples: half the series of the counters and
    histograms, none a dashboard uses. Filtered here, for this registry alone, rather than with
    prometheus_client's disable_created_metrics(), which switches them off in the whole process."""

    def __init__(self, registry: CollectorRegistry):
        self.registry = registry

    def collect(self) -> Iterable[Metric]:
        for metric in self.registry.collect():
            created = metric.name + "_created"
            kept = copy.copy(metric)
            kept.samples = [sample for sample in metric.samples if sample.name != created]
            yield kept


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
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

    def prime(
        self,
        platforms: Iterable[str],
        topics: Iterable[str],
        public: Iterable[str] = (),
        handoff: bool = False,
        languages: Iterable[str] = (),
    ) -> None:
        """Create every series knowable in advance, at 0: per platform (and language, topic),
        and the handoff's per public platform when it is on. Again after a content reload (the
        languages are the content's)."""
        topics, languages = list(topics), list(languages)
        for platform in platforms:
            self.latency.labels(platform)
            self.errors.labels(platform)
            self.rate_limited.labels(platform)
            for language in languages:
                self.unanswered.labels(platform, language)
                for vote in ("up", "down"):
                    self.feedback.labels(platform, language, vote)
                for topic in topics:
                    self.questions.labels(platform, topic, language)
        if handoff:
            for platform in public:
                for language in languages:
                    self.tickets_opened.labels(platform, language)
                    for by in CLOSED_BY:
                        self.tickets_closed.labels(platform, language, by)

    def watch_adapters(self, adapters: Callable[[], Iterable[tuple[str, bool]]]) -> None:
        self.registry.register(AdapterHealth(adapters))

    def observe(self, platform: str, reply: Reply, seconds: float) -> None:
        if reply.kind is ReplyKind.TOPIC:
            self.questions.labels(platform, reply.topic, reply.language).inc()
        elif reply.kind in (ReplyKind.SUGGESTIONS, ReplyKind.UNKNOWN_COMMAND):
            self.unanswered.labels(platform, reply.language).inc()
        self.latency.labels(platform).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(WithoutCreated(self.registry))
