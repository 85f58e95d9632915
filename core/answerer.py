"""The core: a Query in, a platform-neutral Reply out, with no state of its own.

Commands (with aliases and `/start` deep links), `/help`, `/lang`, and free-text questions
answered by retrieval: a confident best answer, or a short "did you mean" with the closest topics
and the menu; never a weak match stated as the answer. A user's language choice comes in with
the Query and a new choice goes out with the Reply: remembering it is the caller's job.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz import fuzz, process

from .catalog import Catalog
from .conversation import PERSON, UNKNOWN_LANGUAGE, URGENT, Recognised, Recogniser, canonical
from .identify import KanjiForms, LatinIdentifier, shared_names, texts_in, words_of
from .languages import Languages, clean_input
from .readings import ReadingCache
from .reply import (
    Block,
    Bold,
    BulletList,
    Button,
    Command,
    Paragraph,
    Query,
    Reply,
    ReplyKind,
    Span,
    Text,
)
from .scripts import HAN, JAPANESE, LATIN
from .search import Match, TopicIndex, bare_name, normalize, stem
from .topics import Content, NotCovered, Topic
from .views import content_in, registry_of

# Without questions filed in content/asked/ (in the question's language), a free-text answer is
# given when the best topic covers this share of the question and beats the runner-up by this
# factor.
CONFIDENT_SCORE = 0.26
CONFIDENT_LEAD = 1.1
# With them, a free-text answer weighs two judges: the topics' own words (search.py: the share of the
# question a topic covers, 0 to 1) and the questions filed in content/asked/ (asked_model.py: the
# probability of each topic). This much of the verdict is the topics' words, the rest the asked.
OWN_WORDS_SHARE = 0.6
# The best topic is the answer when its verdict is at least this, and this far ahead of the next;
# otherwise the reply is "did you mean".
ANSWER_SCORE = 0.4
ANSWER_LEAD = 0.1
# A topic the asked questions make this likely is the answer even when the question has none of
# its own words ("gimme ur digits"): filing a question under a topic gets it answered.
LEARNED_SURE = 0.9
# No topic when the asked questions make "not answered here" this likely...
NOT_ANSWERED_LIKELY = 0.3
# ...or when a not-covered subject (content/_not_covered.yaml) scores this much and they make it
# at least somewhat likely (a whole not-covered phrase in the question is enough alone).
NOT_COVERED_SCORE = 0.10
NOT_ANSWERED_POSSIBLE = 0.1
# A topic chosen is not the answer when the asked questions make it this likely that the
# question, though about the topic, asks what it does not answer (asked_model.py: `beyond`).
BEYOND_LIKELY = 0.85
# Topics offered as "did you mean": those whose verdict is at least this.
SUGGEST_SCORE = 0.15

# A message asking two things: where it is cut into parts, each judged alone when the whole
# gets no confident answer (sentence ends, "and", "also", 「それと」…).
_PARTS = re.compile(
    r"(?<=[?？!！。])\s*|\s*[,;]?\s+(?:and also|and|also|plus|as well as|[+&])\s+|"
    r"[、，,]?\s*(?:それと|それから|あと|また|それに)[、，,]?|(?<=[ぁ-んァ-ヶー一-龯])と[、，]"
)

# A full stop ends a part too in an urgent message ("my boss took my passport. what's the phone
# number?"): the question after the trouble is answered.
_SENTENCE = re.compile(r"(?<=[a-z]{2}\.)\s+", re.IGNORECASE)
# In trouble, a request is a question too: 「電話番号教えてください」.
_REQUEST = re.compile(
    r"(?:ください|下さい|教えて|知りたい|知りたいです)[。.!！]?$|^(?:please|pls|plz)\b"
)
# A part that is a question of its own: it opens with a question word or an auxiliary, or ends
# with a question mark (Japanese: with a question ending, ですか, ますか, の, は).
_ASKS = re.compile(
    r"^(?:what|whats|what's|when|where|who|whom|whose|why|how|which|is|are|was|were|do|does|did|"
    r"can|could|will|would|should|has|have|tell me)\b|[?？]$|(?:か|の|は)$",
    re.IGNORECASE,
)
# A later part that points back ("... and who is eligible for it") is not answered on its own.
_REFERS_BACK = re.compile(
    r"\b(?:it|its|they|them|their|this|that|these|those|he|she|him|her)\b|それ|その|これ|この|彼|彼女",
    re.IGNORECASE,
)
# A message of one Latin word this close to a topic's name or alias (rapidfuzz ratio) is that
# name mistyped: "abuot" is /about ("contract" is 93 from "contact", a fair guess too).
NAME_TYPO_SCORE = 80
_MISTYPED_NAME = re.compile(r"[a-z]{4,20}")
# A subject named bare: a few words, no question mark, no question word, and (in Japanese) no
# kana but the particles that join nouns: 「自主帰国支援」, 「難民の第三国定住」.
_BARE = re.compile(
    r"(?:[\u4e00-\u9fff\u30a0-\u30ffー々]+[のとや]?)+|[a-z][a-z' -]{2,40}", re.IGNORECASE
)
_QUESTION_WORD = re.compile(
    r"\b(?:what|whats|when|where|who|why|how|which|is|are|was|were|do|does|did|can|could|will|"
    r"would|should|has|have|many|much)\b",
    re.IGNORECASE,
)
_COMMAND = re.compile(r"/(?P<name>[^\s/]+)(?:\s+(?P<args>.*))?", re.DOTALL)
# The commands of the bot itself, besides each topic's command and aliases (see _command).
BUILT_IN_COMMANDS = frozenset({"start", "help", "menu", "lang"})
_TRIM = " \t\r\n?？!！。、.,，:：;；「」『』\"'()（）"


@dataclass(frozen=True)
class Library:
    """One content version and its index: swapped together, so a reply never mixes versions.

    The index and the talk model are those of the languages searched together (views.py: the
    default and Japanese); another language's are made from its own texts when a question is
    first written in it (`written_in`), and kept with the version."""

    content: Content
    index: TopicIndex
    by_name: dict[str, Topic]
    # The languages content/asked/ has questions in: only a question in one of them is judged
    # by what they teach (the others', in words it does not use, would only blur it).
    asked_in: frozenset[str] = frozenset()
    # The menu of each language, made once per content version (every fallback shows it).
    menus: dict[str, BulletList] = field(default_factory=dict, compare=False)
    # What a message is besides a question (conversation.py): small talk, asking for a person,
    # trouble, a language asked for in words.
    talk: Recogniser | EitherTalk | None = field(default=None, compare=False)
    # Which Latin-script language a question is written in (identify.py), when there are
    # several.
    identify: LatinIdentifier | None = field(default=None, compare=False)
    # Whether Chinese characters alone are Chinese or Japanese (identify.py), when there is a
    # Chinese language and a Japanese one.
    kanji: KanjiForms | None = field(default=None, compare=False)
    # The languages `index` and `talk` are made of, and the one a question is read as in them
    # (None: the reply's language).
    searched: frozenset[str] = frozenset()
    read_as: str | None = None
    # Every other language's own library, by code, made when first needed.
    others: dict[str, Library] = field(default_factory=dict, compare=False)
    readings: ReadingCache | None = field(default=None, compare=False)
    written: dict[str, str | None] = field(default_factory=dict, compare=False)

    @property
    def strings(self) -> Catalog:
        return self.content.strings

    @property
    def languages(self) -> Languages:
        return self.content.languages

    @classmethod
    def build(cls, content: Content, readings: ReadingCache) -> Library:
        by_name: dict[str, Topic] = {}
        for topic in content.topics:
            for name in (topic.command, *topic.aliases):
                by_name[normalize(name)] = topic
        base = content.languages.searched_together
        view = content_in(content, base, registry_of(content.languages, base))
        index, talk = _index_and_talk(view, content.languages, readings)
        return cls(
            content,
            index,
            by_name,
            frozenset(a.language for a in view.asked),
            talk=talk,
            identify=_identifier(content, index),
            kanji=KanjiForms.of(content),
            searched=base,
            readings=readings,
        )

    def written_in(self, text: str) -> str | None:
        """The language the text itself says it is in: its script (Chinese characters alone
        as identify.py's KanjiForms reads them), or the Latin language identified (not in a
        command's words: "/start contact"); None when it says nothing, or the default. The
        last texts' kept: the reply's language and the search ask it of the same text."""
        memo = self.written
        if text not in memo:
            if len(memo) >= 256:
                memo.clear()
            memo[text] = self._written_in(text)
        return memo[text]

    def _written_in(self, text: str) -> str | None:
        found = self.languages.from_script(text)
        if found is not None and self.kanji is not None and found == self.kanji.chinese:
            found = self.kanji(text)
        elif found is None and self.identify is not None and not text.startswith("/"):
            found = self.identify(text)
        return None if found == self.languages.default else found

    def own(self, code: str) -> Library:
        """The library of one language searched apart (views.py), made on first use."""
        library = self.others.get(code)
        if library is None:
            view = content_in(self.content, {code})
            index, talk = _index_and_talk(view, self.content.languages, self.readings, code)
            asked_in = frozenset(a.language for a in view.asked)
            # What its own talk does not recognise, the default's and Japanese's may: they
            # know greetings and thanks in the public's languages ("salamat po", "hiya").
            library = replace(
                self,
                index=index,
                talk=EitherTalk(talk, self.talk),
                asked_in=asked_in,
                searched=frozenset({code}),
                # Read as the language it is written in, whatever the reply's (/lang en).
                read_as=code,
            )
            self.others[code] = library
        return library


# The default's and Japanese's talk is asked about a message in another language of at most
# this many characters: what it knows there is small talk in the public's languages ("salamat
# po for the info"), which is short; a longer message is a question, which the language's own
# talk has judged (running both took about a third of such a question's time).
FALLBACK_TALK_CHARS = 40
# Letters neither English nor Japanese writes (accented Latin, Hangul, Devanagari): a message
# with one is in its own language, whose talk has judged it, however short ("cảm ơn nhé").
_NEITHER_ENGLISH_NOR_JAPANESE = re.compile(
    r"[\u00c0-\u024f\u1e00-\u1eff\uac00-\ud7af\u0900-\u097f]"
)


@dataclass(frozen=True)
class EitherTalk:
    """A language's own talk model, then the default's and Japanese's for what it does not
    recognise (conversation.py's Recogniser, as one)."""

    own: Recogniser
    then: Recogniser | None

    def recognise(self, text: str) -> Recognised:
        found = self.own.recognise(text)
        if found.intent or found.language or found.urgent or self.then is None:
            return found
        if len(text) > FALLBACK_TALK_CHARS:  # a question: its own talk has judged it
            return found
        if _NEITHER_ENGLISH_NOR_JAPANESE.search(text):
            return found
        other = self.then.recognise(text)
        return other if other.intent or other.language or other.urgent else found


def _index_and_talk(
    view: Content, languages: Languages, readings: ReadingCache | None, own: str | None = None
) -> tuple[TopicIndex, Recogniser]:
    """The search index and the talk model of a view of the content (views.py); `languages`:
    every registered language, which the talk recognises requests for; `own`: the language
    searched apart, whose words the topics' names are read as."""
    readings = readings if readings is not None else ReadingCache()
    questions = [
        question
        for topic in view.topics
        for text in topic.texts.values()
        for question in text.questions
    ]
    questions += [asked.text for asked in view.asked]
    # The topics' keywords ("reach you", "hotline"): a word of one that the talk does not
    # use makes a message a question.
    keywords = [k for topic in view.topics for t in topic.texts.values() for k in t.keywords]
    declined = [p for entry in view.not_covered for ps in entry.phrases.values() for p in ps]
    with _collector_paused():
        japanese = {lang.code for lang in languages if lang.script == JAPANESE}
        signals = [  # read in kana by the recogniser (canonical), with the content
            canonical(signal)
            for language, intents in view.conversation.intents.items()
            if language in japanese
            for intent in intents.values()
            for signal in (*intent.signals, *intent.phrasings)
        ]
        index = TopicIndex(view, readings, also_read=signals, names_as=own)
        talk = Recogniser(
            view.conversation, questions, languages, stem, keywords, readings, declined
        )
    return index, talk


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The index and the talk model are a few hundred thousand small objects made at once,
    none of them garbage: the cycle collector would only rescan them (and all else) as they
    are made."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Answerer:
    def __init__(self, content: Content, readings: ReadingCache | None = None):
        # The Japanese readings worked out so far: this answerer's reloads reuse them.
        self._readings = readings if readings is not None else ReadingCache()
        self._library = Library.build(content, self._readings)

    @property
    def content(self) -> Content:
        return self._library.content

    @property
    def strings(self) -> Catalog:
        """The bot's own words, of the current content version (content/strings/)."""
        return self._library.strings

    @property
    def languages(self) -> Languages:
        """The languages of the current content version (content/languages.yaml)."""
        return self._library.languages

    def replace_content(self, content: Content) -> None:
        """Swap in new content whole (built first, then one reference assignment)."""
        self._library = Library.build(content, self._readings)

    # --- entry points -------------------------------------------------------------------------

    def answer(self, query: Query) -> Reply:
        library = self._library
        return _noted(library, self._answer(library, query))

    def _answer(self, library: Library, query: Query) -> Reply:
        text = clean_input(query.text)
        language = _language(library, query, text)
        if not text:
            return self._menu_reply(
                library, ReplyKind.EMPTY, language, None, library.strings.spans("empty", language)
            )
        if text.startswith("/"):
            return self._command(library, query, text, language)
        return self._free_text(library, text, language)

    def knows_command(self, name: str) -> bool:
        """Whether /name is a command of the bot's: a built-in, or a topic's command or alias."""
        name = normalize(name)
        return name in BUILT_IN_COMMANDS or name in self._library.by_name

    @staticmethod
    def acts_on(action: str) -> bool:
        """Whether `action` is one of the core's buttons: "topic:<command>" or "lang:<code>"."""
        kind, colon, _ = action.partition(":")
        return bool(colon) and kind in ("topic", "lang")

    def act(self, query: Query, action: str) -> Reply:
        """A pressed button: "topic:<command>" or "lang:<code>" (another shows the menu)."""
        kind, _, value = action.partition(":")
        if kind == "topic":
            return self.answer(_with_text(query, f"/{value}"))
        if kind == "lang":
            return self.answer(_with_text(query, f"/lang {value}"))
        return self.answer(_with_text(query, ""))

    def notice(self, key: str, language: str, /, **values: str) -> Reply:
        """A short message from the bot's own strings (an apology, a rate-limit notice)."""
        library = self._library
        reply = Reply(
            kind=ReplyKind.EMPTY,
            language=language,
            blocks=(Paragraph(library.strings.spans(key, language, **values)),),
        )
        return _noted(library, reply)

    def language_for(self, query: Query) -> str:
        return _language(self._library, query, clean_input(query.text))

    def topic_reply(self, command: str, language: str) -> Reply | None:
        library = self._library
        topic = library.content.by_command().get(command)
        return None if topic is None else _noted(library, self._topic(library, topic, language))

    # --- commands -----------------------------------------------------------------------------

    def _command(self, library: Library, query: Query, text: str, language: str) -> Reply:
        match = _COMMAND.fullmatch(text)
        if match is None:  # "/" alone
            return self._help(library, language)
        name, args = match["name"].lower(), (match["args"] or "").strip()
        if name == "start":
            topic = library.by_name.get(normalize(args)) if args else None
            if topic is not None:
                return self._topic(library, topic, language)
            return self._start(library, language)
        if name in ("help", "menu"):
            return self._help(library, language)
        if name == "lang":
            return self._choose_language(library, query, args)
        topic = library.by_name.get(normalize(name))
        if topic is not None:
            return self._topic(library, topic, language)
        return self._unknown_command(library, match["name"], language)

    def _choose_language(self, library: Library, query: Query, args: str) -> Reply:
        chosen = library.languages.named(normalize(args).strip(_TRIM)) if args else None
        if chosen is None:
            language = _language(library, query, args)
            return self._language_menu(library, language, "lang_unknown" if args else "lang_choose")
        return self._language_set(library, chosen)

    def _language_menu(self, library: Library, language: str, key: str) -> Reply:
        return Reply(
            kind=ReplyKind.LANGUAGE,
            language=language,
            title=library.strings.text("lang_title", language),
            blocks=(Paragraph(library.strings.spans(key, language)),),
            buttons=_language_buttons(library.languages),
        )

    def _language_set(self, library: Library, chosen: str) -> Reply:
        name = library.languages.get(chosen).name  # said in the default words, still true
        return Reply(
            kind=ReplyKind.LANGUAGE,
            language=chosen,
            title=library.strings.text("lang_title", chosen),
            blocks=(Paragraph(library.strings.spans("lang_set", chosen, language=name)),),
            chosen_language=chosen,
        )

    def _unknown_command(self, library: Library, name: str, language: str) -> Reply:
        lead: list = [*library.strings.spans("unknown_command", language, command="/" + name[:40])]
        suggestion = _closest_name(library, name)
        suggested = ()
        if suggestion is not None:
            lead += [
                Text(" "),
                *library.strings.spans("did_you_mean", language, command=suggestion.command),
            ]
            suggested = (suggestion.command,)
        return self._menu_reply(
            library,
            ReplyKind.UNKNOWN_COMMAND,
            language,
            library.strings.text("unknown_command_title", language),
            tuple(lead),
            suggested,
        )

    # --- free text ----------------------------------------------------------------------------

    def _free_text(self, library: Library, text: str, language: str) -> Reply:
        """A message in words, in the library of the language it is written in (views.py).
        Chinese characters alone may be Japanese too: what Chinese does not answer, Japanese
        may (「元気？」, 「事務局長」), in the reply's language all the same."""
        unanswered = []
        for view in _views(library, text, language):
            reply = self._free_text_in(view, text, language)
            if reply.kind is not ReplyKind.SUGGESTIONS:
                return reply
            unanswered.append(reply)
        return unanswered[0]

    def _free_text_in(self, library: Library, text: str, language: str) -> Reply:
        word = normalize(text).strip(_TRIM)
        topic = library.by_name.get(word) or library.by_name.get(bare_name(text))
        if topic is not None:
            return self._topic(library, topic, language)
        if library.languages.is_help_word(word):
            return self._help(library, language)
        talk = library.talk.recognise(text) if library.talk is not None else None
        if talk is not None:
            # In this order: a language asked for, trouble (before anything else), a person
            # asked for, small talk; else a question.
            if talk.language == UNKNOWN_LANGUAGE:  # one the bot does not speak: the menu
                return self._language_menu(library, language, "lang_unknown")
            if talk.language is not None:
                return self._language_set(library, talk.language)
            if talk.urgent or talk.intent == URGENT:
                return self._urgent(library, text, language)
            if talk.intent == PERSON:
                return self._talk(library, ReplyKind.PERSON, PERSON, language)
            if talk.intent is not None:
                # 「こんにちは！…のトップって誰ですか？ありがとうございます」: a question the content
                # answers between pleasantries is a question.
                rest = _without_pleasantries(library, text)
                if rest != text and library.talk.recognise(rest).intent is None:
                    asked = self._free_text_in(library, rest, language)
                    if asked.kind is ReplyKind.TOPIC:
                        return asked
                return self._talk(library, ReplyKind.SMALLTALK, talk.intent, language)
        if _MISTYPED_NAME.fullmatch(word):  # "abuot", "histroy": a topic's name mistyped
            topic = _closest_name(library, word, NAME_TYPO_SCORE)
            if topic is not None:
                return self._topic(library, topic, language)
        reply, declined = self._judged(library, text, language)
        if reply.kind is not ReplyKind.TOPIC:  # "hello good morning, what does IOM do?"
            question = _without_pleasantries(library, text)
            if question != text:
                return self._free_text_in(library, question, language)
        if reply.kind is ReplyKind.TOPIC:
            # Two separate questions answered as one ("What is IOM? Since when is it in
            # Japan?"): each part's answer, when they differ or one is declined.
            both = self._parts(library, text, language, whole=reply)
            return both or reply
        # A subject the content says it does not answer: split only where the message asks two
        # separate questions and one of them is what is declined ("when was IOM founded, and
        # how many people work in Tokyo?"); a whole that is about the subject is not split.
        return self._parts(library, text, language, declined_whole=declined) or reply

    def _question(self, library: Library, text: str, language: str) -> Reply:
        return self._judged(library, text, language)[0]

    def _judged(self, library: Library, text: str, language: str) -> tuple[Reply, bool]:
        """The answer to a question, and whether the content declined it (a subject it says it
        does not answer)."""
        read = library.read_as or language  # the language the question is read as
        asked = read in library.asked_in
        # A question about a subject the content says it does not answer (a salary, an
        # address) gets no topic that merely shares its other words: it is told so.
        judgement = None
        if asked:
            judgement = library.index.judge(text, read)
            matches, learned, _ = judgement
            not_covered = _not_answered(matches, learned)
            verdicts = _verdicts(matches, learned)
        else:  # nothing learned: the topics' own words alone
            matches, learned = library.index.search(text, limit=None, language=read), []
            not_covered = any(
                isinstance(m.topic, NotCovered) and m.score >= NOT_COVERED_SCORE for m in matches
            )
            verdicts = [(m.topic, m.score) for m in matches if isinstance(m.topic, Topic)]
        answer = None if not_covered else _choose(verdicts, learned, asked)
        # A question about the topic that asks what it does not tell ("when did Mochizuki take
        # office"): the topic is offered, not stated as the answer.
        # A subject named bare (「難民の第三国定住」, "voluntary return") asks nothing beyond it.
        if answer is not None and judgement is not None and not _bare_subject(text):
            answer = None if library.index.beyond(judgement, answer) >= BEYOND_LIKELY else answer
        if answer is not None:
            return self._searched_topic(library, answer, language), False
        close = tuple(topic.command for topic, score in verdicts[:3] if score >= SUGGEST_SCORE)
        key = "suggest" if close and not not_covered else "nothing_found"
        reply = self._menu_reply(
            library,
            ReplyKind.SUGGESTIONS,
            language,
            library.strings.text("suggest_title", language),
            library.strings.spans(key, language),
            close,
        )
        if not verdicts or verdicts[0][1] <= 0:
            return reply, not_covered
        best, score = verdicts[0]
        return replace(reply, closest=best.command, score=round(score, 3)), not_covered

    def _parts(
        self,
        library: Library,
        text: str,
        language: str,
        name_unanswered: bool = True,
        declined_whole: bool = False,
        sentences: bool = False,
        whole: Reply | None = None,
    ) -> Reply | None:
        """A message asking two things: the parts the content answers, and plainly which part
        it does not, with how to reach people. None when it is one question, or no part has a
        confident answer."""
        pieces = [p.strip() for p in _PARTS.split(text)]  # a question mark kept: it tells
        if sentences:
            pieces = [s for p in pieces for s in _SENTENCE.split(p)]
        pieces = [p for p in pieces if len(p.strip(_TRIM)) >= 4]
        parts = [p.strip(_TRIM) for p in pieces]
        if len(parts) < 2 or len(parts) > 4:
            return None
        if (declined_whole or whole is not None) and not all(_asks_on_its_own(p) for p in pieces):
            return None
        answered: list[Topic] = []
        unanswered: list[str] = []
        declined_parts = 0
        for number, part in enumerate(parts):
            if sentences and not (
                _asks_on_its_own(pieces[number]) or _REQUEST.search(pieces[number])
            ):
                continue  # in trouble: what is told is not asked ("i can't leave the factory")
            reply, declined = self._judged(library, part, language)
            declined_parts += declined
            topic = library.content.by_command().get(reply.topic or "")
            # A later part that points back ("… and who is eligible for it") is no question
            # of its own to answer: its topic would be a guess. It can be named unanswered.
            points_back = number > 0 and _REFERS_BACK.search(part) is not None
            if (
                reply.kind is ReplyKind.TOPIC
                and topic is not None
                and not points_back
                and not _is_talk(library, part)
            ):
                if topic not in answered:
                    answered.append(topic)
            else:
                unanswered.append(part)
        if not answered or (declined_whole and not declined_parts):
            return None
        if whole is not None and (
            [t.command for t in answered] == [whole.topic] and not declined_parts
        ):  # the parts say what the whole said
            return None
        if not name_unanswered:
            unanswered = []
        first = self._topic(library, answered[0], language)
        blocks = list(first.blocks)
        for topic in answered[1:]:
            more = self._topic(library, topic, language)
            blocks += [Paragraph((Bold(more.title or topic.command),)), *more.blocks]
        for part in unanswered:
            blocks.append(Paragraph(library.strings.spans("no_answer_to", language, part=part)))
        if not any(t.text(language).reach_us for t in answered) or unanswered:
            blocks += library.content.reach_us(language)
        return replace(first, blocks=tuple(blocks), also=tuple(t.command for t in answered[1:]))

    # --- conversation (content/conversation/) ------------------------------------------------

    def _talk(self, library: Library, kind: ReplyKind, name: str, language: str) -> Reply:
        """Small talk, or a person asked for: the intent's reply, with the menu or how to reach
        people when the content says so (a person asked for always gets how to reach people:
        where there is a handoff, the caller starts it instead)."""
        intent = library.content.conversation.intent(name, language)
        assert intent is not None  # recognised from the content's own phrasings
        blocks: tuple[Block, ...] = intent.say
        buttons: tuple[Button, ...] = ()
        if intent.reach_us or kind is ReplyKind.PERSON:
            blocks += library.content.reach_us(language)
        if intent.menu:
            blocks += (Paragraph(library.strings.spans("menu_intro", language)),)
            blocks += (_menu(library, language),)
            buttons = tuple(_topic_button(t, language) for t in library.content.topics)
        return Reply(kind=kind, language=language, blocks=blocks, buttons=buttons, intent=name)

    def _urgent(self, library: Library, text: str, language: str) -> Reply:
        """Someone in trouble: who to call now, before anything else; then the topic, when the
        message asks about one too."""
        intent = library.content.conversation.intent(URGENT, language)
        urgent: tuple[Block, ...] = intent.say if intent is not None else ()
        reply = self._question(library, text, language)
        if reply.kind is not ReplyKind.TOPIC:  # "they took my passport. your phone number?"
            parts = self._parts(library, text, language, name_unanswered=False, sentences=True)
            reply = parts or reply
        if reply.kind is ReplyKind.TOPIC:
            return replace(reply, blocks=(*urgent, *reply.blocks), urgent=True)
        return Reply(
            kind=ReplyKind.URGENT,
            language=language,
            blocks=(*urgent, *library.content.reach_us(language)),
            intent=URGENT,
            urgent=True,
        )

    # --- reply builders -----------------------------------------------------------------------

    def _topic(self, library: Library, topic: Topic, language: str) -> Reply:
        by_command = library.content.by_command()
        buttons = tuple(
            _topic_button(by_command[name], language)
            for name in topic.related
            if name in by_command
        )
        text = topic.text(language)
        blocks = text.blocks
        if not topic.has(language):  # shown in the default language, saying so
            name = library.languages.get(language).name
            note = library.strings.spans("not_translated", language, language=name)
            blocks = (Paragraph(note), *blocks)
        return Reply(
            kind=ReplyKind.TOPIC,
            language=language,
            title=text.title,
            blocks=blocks,
            buttons=buttons,
            topic=topic.command,
        )

    def _searched_topic(self, library: Library, topic: Topic, language: str) -> Reply:
        """A topic found by search, not named: it may not be what was asked, so it ends with how
        to reach people too (unless it is the topic that says so)."""
        # The index holds its languages' view of the topic (views.py): shown whole.
        topic = library.content.by_command().get(topic.command, topic)
        reply = self._topic(library, topic, language)
        reach_us = library.content.reach_us(language)
        if not reach_us or topic.text(language).reach_us:
            return reply
        return replace(reply, blocks=(*reply.blocks, *reach_us))

    def _start(self, library: Library, language: str) -> Reply:
        return Reply(
            kind=ReplyKind.START,
            language=language,
            title=library.strings.text("welcome_title", language),
            blocks=(Paragraph(library.strings.spans("welcome", language)),),
            buttons=tuple(_topic_button(t, language) for t in library.content.topics),
        )

    def _help(self, library: Library, language: str) -> Reply:
        blocks: tuple[Block, ...] = (
            Paragraph(library.strings.spans("help", language)),
            _menu(library, language),
            Paragraph((*library.strings.spans("help_footer", language), *_lang_commands(library))),
        )
        return Reply(
            kind=ReplyKind.HELP,
            language=language,
            title=library.strings.text("help_title", language),
            blocks=blocks,
            buttons=tuple(_topic_button(t, language) for t in library.content.topics),
        )

    def _menu_reply(
        self,
        library: Library,
        kind: ReplyKind,
        language: str,
        title: str | None,
        lead: tuple,
        suggested: tuple[str, ...] = (),
    ) -> Reply:
        """No confident answer: a lead sentence, how to reach people (from the content), the
        whole menu, and buttons for the suggested topics (or all). Never a dead end."""
        by_command = library.content.by_command()
        offered = [by_command[name] for name in suggested] or list(library.content.topics)
        reach_us = library.content.reach_us(language)
        return Reply(
            kind=kind,
            language=language,
            title=title,
            blocks=(
                Paragraph(lead),
                *reach_us,
                Paragraph(library.strings.spans("menu_intro", language)),
                _menu(library, language),
            ),
            buttons=tuple(_topic_button(t, language) for t in offered),
            suggestions=tuple(suggested),
        )


def _not_answered(matches: list[Match], learned: list[tuple[Topic | None, float]]) -> bool:
    """Whether the content says it does not answer the question: a whole not-covered phrase in
    it, the asked questions making it likely, or a not-covered subject's words in it while the
    asked questions make it at least possible."""
    unanswered = next((p for topic, p in learned if topic is None), 0.0)
    if unanswered >= NOT_ANSWERED_LIKELY:
        return True
    return any(
        isinstance(match.topic, NotCovered)
        and (
            match.score >= 1.0
            or (match.score >= NOT_COVERED_SCORE and unanswered >= NOT_ANSWERED_POSSIBLE)
        )
        for match in matches
    )


def _verdicts(
    matches: list[Match], learned: list[tuple[Topic | None, float]]
) -> list[tuple[Topic, float]]:
    """Each topic with its verdict (0 to 1), best first: the topics' own words and the asked
    questions, weighed together."""
    own = {m.topic.command: m.score for m in matches if isinstance(m.topic, Topic)}
    verdicts = [
        (
            topic,
            OWN_WORDS_SHARE * own.get(topic.command, 0.0) + (1 - OWN_WORDS_SHARE) * probability,
        )
        for topic, probability in learned
        if topic is not None
    ]
    return sorted(verdicts, key=lambda item: -item[1])


def _choose(
    verdicts: list[tuple[Topic, float]], learned: list[tuple[Topic | None, float]], asked: bool
) -> Topic | None:
    """The topic to answer with, or None for "did you mean"."""
    best, score = verdicts[0] if verdicts else (None, 0.0)
    runner_up = verdicts[1][1] if len(verdicts) > 1 else 0.0
    if not asked:
        return best if score >= CONFIDENT_SCORE and score >= runner_up * CONFIDENT_LEAD else None
    if score >= ANSWER_SCORE and score - runner_up >= ANSWER_LEAD:
        return best
    guess, probability = learned[0]
    return guess if probability >= LEARNED_SURE else None


def _closest_name(library: Library, name: str, cutoff: float = 60) -> Topic | None:
    found = process.extractOne(
        normalize(name), list(library.by_name), scorer=fuzz.ratio, score_cutoff=cutoff
    )
    return library.by_name[found[0]] if found else None


def _menu(library: Library, language: str) -> BulletList:
    menu = library.menus.get(language)
    if menu is None:
        menu = library.menus[language] = BulletList(
            tuple(
                (Command(topic.command), Text(" — "), Text(topic.text(language).summary))
                for topic in library.content.topics
            )
        )
    return menu


def _topic_button(topic: Topic, language: str) -> Button:
    return _button(topic.text(language).title, topic.command)


@lru_cache(maxsize=1024)
def _button(title: str, command: str) -> Button:
    return Button(label=title, action=f"topic:{command}")


def _language(library: Library, query: Query, text: str) -> str:
    """The reply's language: the user's choice if it is still registered, else what the
    registry makes of the text (its script, or the Latin language it is written in) and the
    platform's locale (languages.py)."""
    return library.languages.resolve(query.language, query.locale, text, library.written_in)


def _identifier(content: Content, index: TopicIndex) -> LatinIdentifier | None:
    """The Latin languages' identifier, when the registry has one besides the default: the
    names the topics share across languages left out, each language's own words (its topics,
    the questions filed in content/asked/, its talk) to go by, read when first needed."""

    def source() -> tuple[set[str], dict[str, list[str]]]:
        # The Latin languages' words, and the Latin words of the others but Japanese (whose
        # Latin letters are romaji, read as such): Nepali typed in Latin letters, "japan le IOM
        # lai paisa dincha?", is the Nepali content's asked questions' too.
        known = {lang.code for lang in content.languages if lang.script != JAPANESE}
        texts = texts_in(content, known)
        # Each language's words, read from all its texts at once.
        own = {code: words_of("\n".join(texts[code])) for code in known}
        topics_only: dict[str, list[str]] = {code: [] for code in content.languages.codes}
        for topic in content.topics:
            for code, text in topic.texts.items():
                topics_only.setdefault(code, []).extend((text.title, text.body))
        return shared_names(topics_only), own

    identify = LatinIdentifier(content.languages, romaji=index.reads_as_romaji, source=source)
    return identify if identify.useful else None


def _views(library: Library, text: str, language: str) -> Iterator[Library]:
    """The libraries a message is judged in, in order, each reading it as it should be read:
    that of the language it is written in; for Chinese characters alone, then Japanese's. A
    message that says nothing of its language: in the reply's language (chosen, or the
    platform's), then, when that is not the default's or Japanese's, as the default. Each made
    only when the one before has no answer (a view reading as another language costs a few µs)."""
    written = library.written_in(text)
    languages = library.languages
    script = languages.get(written).script if written is not None else None
    if script not in (None, LATIN) and language in languages and written != language:
        # Two languages of one script (Nepali and Hindi): the chosen one, if it is the script's.
        written = language if languages.get(language).script == script else written
    if written is None and language not in library.searched:
        # Chosen, or the platform's: likely the language the question is in, else the default.
        yield library.own(language)
        yield replace(library, read_as=library.languages.default)
    elif written is None or written in library.searched:
        yield library
    else:
        yield library.own(written)
        if library.languages.get(written).script == HAN:
            japanese = library.languages.with_script(JAPANESE)
            if japanese is not None:
                yield replace(library, read_as=japanese.code)


def _noted(library: Library, reply: Reply) -> Reply:
    """A reply in a language no person has checked yet ends with the catalog's one-line
    `unreviewed` note, in that language (languages.yaml's `reviewed: false`)."""
    if library.languages.get(reply.language).reviewed:
        return reply
    note = Paragraph(library.strings.spans("unreviewed", reply.language))
    return replace(reply, blocks=(*reply.blocks, note))


def _language_buttons(languages: Languages) -> tuple[Button, ...]:
    """One button per language, by the name its speakers use, in the registry's order."""
    return tuple(Button(label=lang.name, action=f"lang:{lang.code}") for lang in languages)


def _lang_commands(library: Library) -> tuple[Span, ...]:
    """`/lang en` (English) · `/lang ja` (日本語)…: every language, from the registry, so that
    the help stays true when a language is added."""
    spans: list[Span] = []
    for language in library.languages:
        spans += [Text(" · " if spans else " "), Command(f"lang {language.code}")]
        spans.append(Text(f" ({language.name})"))
    return tuple(spans)


def _with_text(query: Query, text: str) -> Query:
    return replace(query, text=text)


def _asks_on_its_own(part: str) -> bool:
    return bool(_ASKS.search(part.strip(" \t\r\n.。、,，")))


def _is_talk(library: Library, text: str) -> bool:
    """Whether a part of a message is talk ("who can I talk to?": a person asked for), no
    question."""
    return library.talk is not None and library.talk.recognise(text).intent is not None


def _bare_subject(text: str) -> bool:
    text = text.strip(_TRIM)
    return (
        len(text) <= 24
        and len(text.split()) <= 4
        and bool(_BARE.fullmatch(text))
        and not _QUESTION_WORD.search(text)
    )


_CLAUSES = re.compile(r"(?<=[,.!?;。、！？；])\s*")
_PLEASANTRY_INTENTS = ("greeting", "thanks", "goodbye", "how_are_you")


def _without_pleasantries(library: Library, text: str) -> str:
    """The message without the greetings and thanks around its question (clauses the talk
    recogniser calls so), or the message itself."""
    if library.talk is None:
        return text
    clauses = [c for c in _CLAUSES.split(text) if c.strip(_TRIM)]
    if len(clauses) < 2:
        return text
    kept = [c for c in clauses if library.talk.recognise(c).intent not in _PLEASANTRY_INTENTS]
    if not kept or len(kept) == len(clauses):
        return text
    return " ".join(c.strip() for c in kept)
