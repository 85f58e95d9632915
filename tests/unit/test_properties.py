"""Arbitrary input never breaks the core: it always returns a reply in a supported language."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iombot.core.answerer import Answerer
from iombot.core.content import default_content_dir, load_content
from iombot.core.reply import Query, Reply, ReplyKind

ANSWERER = Answerer(load_content(default_content_dir()))

hostile_text = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.text(alphabet="/@ _-*[]()`<>&\u200b\u202e\x00\n", max_size=80),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=5), st.integers(1, 40_000)),
    st.builds(lambda s: "/" + s, st.text(max_size=60)),
    st.builds(lambda s: "/start " + s, st.text(max_size=60)),
    st.builds(lambda s: "/lang " + s, st.text(max_size=60)),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    text=hostile_text,
    locale=st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["ja", "en-US", "ja_JP"])),
    user=st.one_of(st.none(), st.text(max_size=20)),
    chosen=st.one_of(st.none(), st.text(max_size=5), st.sampled_from(["ja", "en"])),
)
def test_answer_never_raises(text, locale, user, chosen):
    reply = ANSWERER.answer(Query(text=text, locale=locale, user_id=user, language=chosen))
    assert isinstance(reply, Reply)
    assert reply.language in ANSWERER.languages
    assert isinstance(reply.kind, ReplyKind)
    assert reply.blocks


@settings(max_examples=200, deadline=None)
@given(action=st.text(max_size=80))
def test_any_button_action_is_safe(action):
    assert isinstance(ANSWERER.act(Query(text="", user_id="u"), action), Reply)
