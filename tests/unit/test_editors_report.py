"""The editors' report: questions masked before they are logged, near-duplicates merged, and
the report rendered as JSON, CSV and text."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime

import pytest

from iombot.bots.editors.masking import MAX_LENGTH, mask
from iombot.bots.editors.report import (
    LoggedQuestion,
    Report,
    ReviewDue,
    TalkLine,
    TopicLine,
    Unanswered,
    display_width,
    merge_questions,
    render_csv,
    render_json,
    render_text,
)

DAY = 86400.0
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC).timestamp()


# -- masking ------------------------------------------------------------------------------------


def test_a_phone_number_and_an_email_are_masked():
    masked = mask("Call me at +81 3-1234-5678 or write to taro.yamada@example.co.jp, thanks")
    assert masked == "Call me at [phone] or write to [email], thanks"
    assert "1234" not in masked and "example" not in masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("my number is 03-1234-5678", "my number is [phone]"),
        ("my number is 090 1234 5678", "my number is [phone]"),
        ("(03) 1234-5678 is the office", "[phone] is the office"),
        ("call 09012345678", "call [phone]"),
        ("free dial 0120-123-456", "free dial [phone]"),
        ("+1 (212) 555-0100 in NY", "[phone] in NY"),
        ("電話は０９０－１２３４－５６７８です", "電話は[phone]です"),
        ("電話は０９０ー１２３４ー５６７８です", "電話は[phone]です"),
    ],
)
def test_phone_numbers(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("see https://example.com/a?b=1&c=2.", "see [url]."),
        ("is www.iom.int/ja right?", "is [url] right?"),
        ("HTTP://EXAMPLE.COM/X", "[url]"),
        ("https://mastodon.social/@someone posted it", "[url] posted it"),
        ("link: https://example.com/？page", "link: [url]？page"),
        ("ここ https://example.com/a。見て！", "ここ [url]。見て！"),
        ("ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ／ａ？", "[url]？"),
        ("https://example.com/?to=a@b.org", "[url]"),
    ],
)
def test_links(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("ask @someone_1 about it", "ask [handle] about it"),
        ("@aiko knows", "[handle] knows"),
        ("me@example.org, not a handle", "[email], not a handle"),
        ("連絡は@taro_yまで", "連絡は[handle]まで"),
        ("メールはｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍまで", "メールは[email]まで"),
    ],
)
def test_handles_and_emails(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("my card 1234 5678 9012 3456 was lost", "my card [number] was lost"),
        ("postal code 106-0032", "postal code [number]"),
        ("〒１０６－００３２", "〒[number]"),
        ("member id A1234567", "member id A[number]"),
        ("ticket 12345", "ticket [number]"),
    ],
)
def test_long_numbers(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "the office opened in 1951",
        "what changes in 2026?",
        "in 2026 12 people came",
        "from 2026-11-01",
        "1951-1952",
        "it costs 100,000 yen",
        "２０２６年の予定は？",
        "1234",
    ],
)
def test_years_dates_and_short_numbers_stay(text):
    assert mask(text) == text


def test_long_text_is_capped():
    masked = mask("word " * 200)
    assert len(masked) == MAX_LENGTH
    assert masked.endswith("…")
    assert mask("a" * MAX_LENGTH) == "a" * MAX_LENGTH


def test_the_cap_never_leaves_half_a_placeholder():
    masked = mask("x" * (MAX_LENGTH - 5) + " me@example.org")
    assert masked.endswith("x…")
    assert "[" not in masked


def test_plain_questions_are_untouched_but_stripped():
    assert mask("  How do I renew my visa?\n") == "How do I renew my visa?"
    assert mask("ビザの更新はどうすればいいですか？") == "ビザの更新はどうすればいいですか？"


# -- merging ------------------------------------------------------------------------------------


def logged(text, language="en", at=T0, closest=None, platform="telegram"):
    return LoggedQuestion(text, language, platform, at, closest, 0.3 if closest else None)


def test_near_duplicates_merge_in_english_and_japanese():
    merged = merge_questions(
        [
            logged("How do I renew my visa?", at=T0, closest="visa"),
            logged("how do i renew my visa", at=T0 + DAY, closest="visa", platform="slack"),
            logged("How do I renew my visa??", at=T0 + 2, closest="residence"),
            logged("How do I renew my visa?", at=T0 + 3),
            logged("how do i renew my vis", at=T0 + 4),  # a typo
            logged("ビザの更新はどうすればいいですか？", "ja", at=T0 + 10 * DAY, closest="visa"),
            logged("ビザの更新はどうすればよいですか", "ja", at=T0 + 5),
            logged("「ビザ」の更新は、どうすればいいですか。", "ja", at=T0 + 6),
            logged("Where can I buy a bicycle?", at=T0 + 7),
        ]
    )
    assert merged == (
        Unanswered(
            text="How do I renew my visa?",
            count=5,
            languages=("en",),
            last_seen="2026-11-03",
            closest_topic="visa",
        ),
        Unanswered(
            text="ビザの更新はどうすればいいですか？",
            count=3,
            languages=("ja",),
            last_seen="2026-11-12",
            closest_topic="visa",
        ),
        Unanswered(
            text="Where can I buy a bicycle?",
            count=1,
            languages=("en",),
            last_seen="2026-11-02",
            closest_topic=None,
        ),
    )


def test_different_questions_stay_apart():
    texts = [
        "How do I renew my visa?",
        "How do I renew my passport?",
        "Where can I buy a SIM card?",
        "ビザの更新はどうすればいいですか",
        "ビザの更新方法を教えてください",
        "?",
    ]
    merged = merge_questions(logged(text) for text in texts)
    assert sorted(question.text for question in merged) == sorted(texts)


def test_languages_merge_when_the_words_are_the_same():
    merged = merge_questions([logged("visa?", "en"), logged("Visa", "ja"), logged("VISA!", "en")])
    assert len(merged) == 1
    assert merged[0].languages == ("en", "ja")
    assert merged[0].count == 3


def test_shown_text_and_closest_topic_ties_go_to_the_most_recent():
    merged = merge_questions(
        [
            logged("Where is city hall?", at=T0 + 50, closest="city-hall"),
            logged("where is city hall", at=T0 + 100, closest="ward-office"),
        ]
    )
    assert merged[0].text == "where is city hall"
    assert merged[0].closest_topic == "ward-office"
    assert merged[0].last_seen == "2026-11-02"


def test_last_seen_is_the_utc_date():
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC).timestamp()
    assert merge_questions([logged("x", at=late)])[0].last_seen == "2026-11-30"


def test_order_is_most_frequent_then_most_recent():
    merged = merge_questions(
        [
            logged("old single question", at=T0),
            logged("twice asked question", at=T0 - DAY),
            logged("twice asked question", at=T0 - DAY),
            logged("new single question", at=T0 + DAY),
        ]
    )
    assert [question.text for question in merged] == [
        "twice asked question",
        "new single question",
        "old single question",
    ]


def test_no_entries():
    assert merge_questions([]) == ()


def test_a_few_thousand_questions_merge_quickly():
    entries = [
        logged(f"question number {word} about topic {index % 300}", at=T0 + index)
        for index, word in enumerate(["alpha", "beta", "gamma", "delta"] * 750)
    ]
    started = time.perf_counter()
    merged = merge_questions(entries)
    assert time.perf_counter() - started < 5
    assert sum(question.count for question in merged) == len(entries)


# -- renderings ---------------------------------------------------------------------------------

REPORT = Report(
    since="2026-11-01",
    unanswered=(
        Unanswered("How do I renew my visa?", 5, ("en", "ja"), "2026-11-03", "visa"),
        Unanswered("ビザの更新はどうすればいいですか？", 3, ("ja",), "2026-11-12", None),
        Unanswered("Where " + "very " * 40 + "far?", 1, ("en",), "2026-11-02", "transport"),
    ),
    topics=(
        TopicLine("visa", "en", 12, 3, 5),
        TopicLine("健康保険", "ja", 4, 2, 0),
    ),
    review_due=(
        ReviewDue("visa", "Aiko", None),
        ReviewDue("housing", None, "2025-01-03"),
    ),
)
EMPTY = Report(since="2026-11-01", unanswered=(), topics=(), review_due=())


def test_json_shape():
    data = json.loads(render_json(REPORT))
    assert list(data) == [
        "since",
        "unanswered",
        "topics",
        "review_due",
        "talk",
        "unreviewed_languages",
    ]
    assert data["since"] == "2026-11-01"
    assert data["unanswered"][0] == {
        "text": "How do I renew my visa?",
        "count": 5,
        "languages": ["en", "ja"],
        "last_seen": "2026-11-03",
        "closest_topic": "visa",
    }
    assert list(data["unanswered"][1]) == [
        "text",
        "count",
        "languages",
        "last_seen",
        "closest_topic",
    ]
    assert data["unanswered"][1]["closest_topic"] is None
    assert data["topics"] == [
        {"topic": "visa", "language": "en", "asked": 12, "helpful": 3, "not_helpful": 5},
        {"topic": "健康保険", "language": "ja", "asked": 4, "helpful": 2, "not_helpful": 0},
    ]
    assert data["review_due"] == [
        {"topic": "visa", "owner": "Aiko", "reviewed": None},
        {"topic": "housing", "owner": None, "reviewed": "2025-01-03"},
    ]
    assert json.loads(render_json(EMPTY)) == {
        "since": "2026-11-01",
        "unanswered": [],
        "topics": [],
        "review_due": [],
        "talk": [],
        "unreviewed_languages": [],
    }


def test_json_keeps_japanese_readable_and_is_indented():
    text = render_json(REPORT)
    assert "ビザの更新" in text and "\\u" not in text
    assert text.startswith('{\n  "since"')


def test_csv_has_a_header_and_a_section_column():
    rows = list(csv.DictReader(io.StringIO(render_csv(REPORT))))
    header = next(csv.reader(io.StringIO(render_csv(REPORT))))
    assert header[0] == "section"
    assert render_csv(EMPTY) == ",".join(header) + "\n"
    assert [row["section"] for row in rows] == [
        "unanswered",
        "unanswered",
        "unanswered",
        "topic",
        "topic",
        "review_due",
        "review_due",
    ]
    assert rows[0]["text"] == "How do I renew my visa?"
    assert rows[0]["count"] == "5"
    assert rows[0]["languages"] == "en ja"
    assert rows[0]["closest_topic"] == "visa"
    assert rows[1]["closest_topic"] == ""
    assert (rows[3]["topic"], rows[3]["asked"], rows[3]["not_helpful"]) == ("visa", "12", "5")
    assert (rows[4]["topic"], rows[4]["helpful"]) == ("健康保険", "2")
    assert (rows[5]["owner"], rows[5]["reviewed"]) == ("Aiko", "")
    assert (rows[6]["owner"], rows[6]["reviewed"]) == ("", "2025-01-03")


def test_the_unreviewed_languages_are_in_every_format():
    report = Report("2026-11-01", (), (), (), unreviewed_languages=("vi", "ne"))
    assert json.loads(render_json(report))["unreviewed_languages"] == ["vi", "ne"]
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert [(r["section"], r["language"]) for r in rows] == [
        ("unreviewed_language", "vi"),
        ("unreviewed_language", "ne"),
    ]
    text = render_text(report)
    assert "Languages not yet reviewed (2)\n  vi, ne\n" in text
    assert "Every language has been reviewed." in render_text(EMPTY)


def test_csv_never_starts_a_question_with_a_formula():
    report = Report(
        "2026-11-01", (Unanswered('=HYPERLINK("x")', 1, ("en",), "2026-11-02", None),), (), ()
    )
    row = next(csv.DictReader(io.StringIO(render_csv(report))))
    assert row["text"] == '\'=HYPERLINK("x")'


def test_text_has_the_period_the_headings_and_the_next_steps():
    text = render_text(REPORT)
    assert text.splitlines()[0].endswith("since 2026-11-01")
    for heading in ("Unanswered questions (3)", "Topics asked (2)", "Topics due for review (2)"):
        assert heading in text.splitlines()
    assert (
        "Next step: file the question under the topic that answers it (content/asked/<topic>.yaml)"
        " or a new topic, then run `iombot check`." in text
    )
    assert "Next step: reread the topics with more 👎 than 👍 first (visa (en))" in text
    assert "Next step: set `reviewed:` and `owner:` in the topic file after checking it." in text
    assert "(no owner)" in text and "never" in text
    assert text.count("Next step:") == 3


def rows_under(text: str, heading: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(heading) + 1
    end = next(index for index in range(start, len(lines)) if lines[index].startswith("Next"))
    return lines[start:end]


def test_text_columns_are_aligned_and_questions_cut_to_the_width():
    text = render_text(REPORT, width=80)
    rows = rows_under(text, "Unanswered questions (3)")
    assert rows[0].split() == ["Count", "Languages", "Last", "seen", "Closest", "topic", "Question"]
    question_at = {
        display_width(row[: row.index(q)])
        for row, q in zip(rows[1:], ("How", "ビザ", "Where"), strict=True)
    }
    assert question_at == {display_width(rows[0][: rows[0].index("Question")])}
    assert all(display_width(row) <= 80 for row in rows)
    assert rows[3].endswith("…")
    assert "(none)" in rows[2]

    topics = rows_under(text, "Topics asked (2)")
    assert [display_width(row) for row in topics] == [display_width(topics[0])] * 3
    assert "👍" in topics[0] and "👎" in topics[0]
    assert topics[2].split() == ["健康保険", "ja", "4", "2", "0"]

    review = rows_under(text, "Topics due for review (2)")
    assert review[1].index("Aiko") == review[2].index("(no owner)") == review[0].index("Owner")


def test_empty_sections_say_so_in_one_line():
    lines = render_text(EMPTY).splitlines()
    for heading, empty in (
        ("Unanswered questions (0)", "No unanswered questions in this period."),
        ("Topics asked (0)", "No topics were asked in this period."),
        ("Topics due for review (0)", "No topics are due for review."),
    ):
        assert lines[lines.index(heading) + 1] == empty
    assert "Next step" not in render_text(EMPTY)


def test_display_width_counts_wide_characters_twice():
    assert display_width("abc") == 3
    assert display_width("健康保険") == 8
    assert display_width("👍") == 2


async def test_counts_that_could_not_be_stored_all_wait_for_the_next_flush():
    from iombot.bots.editors.ledger import ASKED, Ledger
    from iombot.bots.state.memory import MemoryState

    class FailsOnce(MemoryState):
        failed = False

        async def add_count(self, kind: str, key: str, ttl: float, amount: int = 1) -> None:
            if not self.failed:
                self.failed = True
                raise ConnectionError("store away")
            await super().add_count(kind, key, ttl, amount)

    state = FailsOnce()
    ledger = Ledger(state, pending={"d|about|en": 2, "d|contact|en": 1, "d|un|ja": 3})
    await ledger.flush()
    assert ledger.pending == {"d|about|en": 2, "d|contact|en": 1, "d|un|ja": 3}
    await ledger.flush()
    assert ledger.pending == {}
    assert await state.list_counts(ASKED) == {"d|about|en": 2, "d|contact|en": 1, "d|un|ja": 3}


def test_csv_counts_the_talk_without_any_text():
    report = Report(
        "2026-11-01",
        (),
        (),
        (),
        talk=(
            TalkLine("greeting", "2026-11-02", "ja", "line", 4),
            TalkLine("urgent", "2026-11-03", "en", "telegram", 1),
        ),
    )
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert [
        (r["section"], r["what"], r["day"], r["language"], r["platform"], r["count"]) for r in rows
    ] == [
        ("talk", "greeting", "2026-11-02", "ja", "line", "4"),
        ("talk", "urgent", "2026-11-03", "en", "telegram", "1"),
    ]
    assert all(row["text"] == "" for row in rows)
