"""The talk around the questions: small talk, asking for a person, help in trouble, and asking
for a language in words. All of it is content (content/conversation/<code>.yaml): what people
say, as example phrasings, and what the bot answers.

A file holds one language's intents, each a mapping:

    greeting:
      say: Hello! …            # the reply (body markup); a language without it uses the default's
      phrasings: [hello, hi]   # what people say, each a whole message
      menu: true               # the topic menu follows the reply
      reach_us: true           # how to reach people follows the reply

Three names are special: `person` (asking for a person: the staff handoff where there is one,
else how to reach people), `urgent` (someone in danger: its `signals` are phrases that mark a
message urgent wherever they stand in it) and `language` (phrasings with `{language}` where a
language's name or one of its `words` goes; the reply is the catalog's `lang_set`).

Recognising: a naive Bayes model (asked_model.py) learns the phrasings, one class per intent,
against one class of questions about IOM (the topics' example questions and content/asked/).
A message is an intent's only when it is that and nothing else: the model is sure of it, and no
word of it belongs to the questions and not to the talk ("hi, what's your phone number?" is a
question). An urgent signal counts wherever it stands.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from . import schema
from .analysers import fold_latin, pairs_of
from .asked_model import AskedModel
from .languages import Languages
from .markup import MarkupProblem, parse_blocks
from .person_asks import PEOPLE_SLOT, asks_pattern
from .readings import fold_kana
from .reply import Block
from .scripts import JAPANESE
from .yamlfile import Problem, Reporter, compose, construct, mapping, word_list

CONVERSATION_DIR = "conversation"
PERSON, URGENT, LANGUAGE = "person", "urgent", "language"
INTENT_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
INTENT_FIELDS = {"say", "phrasings", "signals", "menu", "reach_us", "others", "people", "asks"}
LANGUAGE_SLOT = "{language}"

# The model must make an intent this likely (against every other intent and the questions)...
TALK_SURE = 0.8
# ...and at least this share of its words must be the talk's own (the rest unknown, no word
# of the questions')...
TALK_KNOWN = 0.5
# ...and a word of the questions' and not of the talk's in it ("hi, what's your phone number?")
# leaves it small talk only when the model is this sure all the same ("丁寧に教えてくれて
# ありがとうございます": 教え is the questions' word, the thanks is plain)...
TALK_CERTAIN = 0.98
# ...or, for small talk in the talk's words only (no word of the questions', none unknown:
# "anyone home?", 「聞いてる？」), only this likely (a person asked for starts the handoff:
# "can i call you" is a question about the phone)...
TALK_SURE_CLEAN = 0.6
# ...and then only when the words that are not the talk's are at most this share of it
# (「IOMが日本に来たきっかけは？よろしくお願いします」 is a question with a greeting; "how do I renew
# my driving licence" is no "what can you do")...
TALK_FOREIGN = 0.4
# ...and an urgent message, which may say more than that it is urgent, this likely.
URGENT_SURE = 0.9
# P(urgent) <= 1 / (1 + exp(log P(terms | question) - log P(terms | urgent))): urgent cannot
# be URGENT_SURE when the question is likelier than urgent by more than this.
_URGENT_ODDS = math.log((1 - URGENT_SURE) / URGENT_SURE)
# A message naming a language is a request for it when it is this close (rapidfuzz's ratio,
# 0-100) to a `language` phrasing with the name in its place.
LANGUAGE_CLOSE = 80
# A message this close to one is the phrasing itself, with no room for a person asked for.
LANGUAGE_PHRASING = 95
# The language asked for is one the bot does not speak (`others` of the `language` intent).
UNKNOWN_LANGUAGE = "?"


@dataclass(frozen=True)
class Intent:
    """One intent in one language."""

    name: str
    say: tuple[Block, ...] = ()
    phrasings: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    others: tuple[str, ...] = ()  # `language` only: names of languages the bot does not speak
    people: tuple[str, ...] = ()  # `person` only: words for the people who may be asked for
    asks: tuple[str, ...] = ()  # `person` only: requests around one of them ("talk to {people}")
    menu: bool = False
    reach_us: bool = False


@dataclass(frozen=True)
class Conversation:
    """Every language's intents: language code -> intent name -> Intent."""

    default: str = "en"
    intents: dict[str, dict[str, Intent]] = field(default_factory=dict)

    def intent(self, name: str, language: str) -> Intent | None:
        """The intent's reply in a language: its own `say`, else the default language's."""
        own = self.intents.get(language, {}).get(name)
        if own is not None and own.say:
            return own
        return self.intents.get(self.default, {}).get(name) or own

    def names(self) -> list[str]:
        return sorted({name for intents in self.intents.values() for name in intents})


# --- loading ------------------------------------------------------------------------------------


def conversation_files(directory: Path) -> list[Path]:
    folder = Path(directory) / CONVERSATION_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_conversation(
    directory: Path, languages: Languages, digest, problems: list[Problem]
) -> Conversation:
    """conversation/<code>.yaml, for any registered language; problems with file and line."""
    intents: dict[str, dict[str, Intent]] = {}
    lines: dict[tuple[str, str], tuple[str, int]] = {}
    for path in conversation_files(directory):
        data = path.read_bytes()
        digest.update(f"{CONVERSATION_DIR}/{path.name}".encode() + b"\0" + data + b"\0")
        report = Reporter(path, problems)
        if path.stem not in languages:
            report(
                1,
                f"{path.stem!r} is not a language of {schema.LANGUAGES_FILE} "
                f"({', '.join(languages.codes)}): name the file after a language code",
            )
            continue
        root = compose(data, report)
        if root is None:
            continue
        if not isinstance(root, yaml.MappingNode):
            report(root, "must be a mapping of intents (greeting:, thanks:, person:, …)")
            continue
        found: dict[str, Intent] = {}
        for name, (key_node, node) in mapping(root, report, path.name).items():
            intent = _load_intent(name, key_node, node, report)
            if intent is not None:
                found[name] = intent
                lines[path.stem, name] = (str(path), key_node.start_mark.line + 1)
        intents[path.stem] = found
    default = languages.default
    for (language, name), (path, line) in sorted(lines.items()):
        if name == LANGUAGE or language == default:
            continue
        has_default = name in intents.get(default, {}) and intents[default][name].say
        if not intents[language][name].say and not has_default:
            problems.append(Problem(path, line, f"{name}: no `say` here nor in the {default} file"))
    return Conversation(default, intents)


def _load_intent(name: str, key_node: yaml.Node, node: yaml.Node, report: Reporter):
    if not INTENT_NAME.fullmatch(name):
        report(key_node, f"intent {name!r}: use a lowercase name (a-z, 0-9, _)")
        return None
    if not isinstance(node, yaml.MappingNode):
        report(node, f"{name}: must be a mapping with say and phrasings")
        return None
    fields = mapping(node, report, name)
    before = report.count
    for key, (field_key, _) in fields.items():
        if key not in INTENT_FIELDS:
            report(
                field_key,
                f"{name}: unknown field {key!r} (allowed: {', '.join(sorted(INTENT_FIELDS))})",
            )
    say: tuple[Block, ...] = ()
    if "say" in fields:
        value_node = fields["say"][1]
        value = construct(value_node) if isinstance(value_node, yaml.ScalarNode) else None
        if not isinstance(value, str) or not value.strip():
            report(value_node, f"{name}: 'say' must be text")
        else:
            markup: list[MarkupProblem] = []
            say = parse_blocks(value, markup)
            for problem in markup:
                report(value_node, f"{name}: say: {problem.message}")
    flags = {}
    for flag in ("menu", "reach_us"):
        if flag in fields:
            value = construct(fields[flag][1])
            if not isinstance(value, bool):
                report(fields[flag][1], f"{name}: {flag!r} must be true or false")
            flags[flag] = value is True
    for listed in ("phrasings", "signals"):
        if listed in fields and not isinstance(fields[listed][1], yaml.SequenceNode):
            report(fields[listed][1], f"{name}: {listed!r} must be a list")
    phrasing_nodes = word_list(fields, "phrasings", report)
    phrasings = tuple(text for _, text in phrasing_nodes)
    signals = tuple(text for _, text in word_list(fields, "signals", report))
    others = tuple(text for _, text in word_list(fields, "others", report))
    people = tuple(text for _, text in word_list(fields, "people", report))
    ask_nodes = word_list(fields, "asks", report)
    if others and name != LANGUAGE:
        report(fields["others"][0], f"{name}: only {LANGUAGE!r} has others")
    if people and name != PERSON:
        report(fields["people"][0], f"{name}: only {PERSON!r} has people")
    if ask_nodes and name != PERSON:
        report(fields["asks"][0], f"{name}: only {PERSON!r} has asks")
    for item_node, text in ask_nodes:
        if text.count(PEOPLE_SLOT) != 1 or not text.replace(PEOPLE_SLOT, "").strip():
            report(
                item_node,
                f"{name}: each of asks names the person once, as {PEOPLE_SLOT}, "
                "with words around it",
            )
    if signals and name != URGENT:
        report(fields["signals"][0], f"{name}: only {URGENT!r} has signals")
    if name == LANGUAGE:
        for item_node, text in phrasing_nodes:
            if LANGUAGE_SLOT not in text:
                report(item_node, f"{name}: each phrasing names the language as {LANGUAGE_SLOT}")
    if report.count > before:
        return None
    asks = tuple(text for _, text in ask_nodes)
    return Intent(name, say, phrasings, signals, others, people, asks, **flags)


def conversation_warnings(conversation: Conversation, languages: Languages, directory) -> list:
    """Languages without a conversation file, or whose file lacks an intent's reply."""
    warnings = []
    folder = Path(directory) / CONVERSATION_DIR
    default = conversation.intents.get(languages.default, {})
    for entry in languages:
        language = entry.code
        own = conversation.intents.get(language)
        path = str(folder / f"{language}.yaml")
        if own is None:
            if conversation.intents:
                warnings.append(
                    Problem(
                        languages.path,
                        entry.line,
                        f"incomplete: {language!r} has no {CONVERSATION_DIR}/{language}.yaml: "
                        f"small talk in it is not recognised and is answered in "
                        f"{languages.default!r}",
                    )
                )
            continue
        lacking = [n for n, i in default.items() if n != LANGUAGE and not own.get(n, i).say]
        lacking += [n for n in default if n not in own]
        if lacking:
            names = ", ".join(sorted(set(lacking)))
            warnings.append(Problem(path, 1, f"incomplete: the default's words for {names}"))
    return warnings + _shared_phrasings(conversation, folder)


def _shared_phrasings(conversation: Conversation, folder: Path) -> list[Problem]:
    """A phrasing written for two intents (as compared: "hey" and "hey?" are one) is
    recognised as one of them only: the editor should choose."""
    owners: dict[str, tuple[str, str]] = {}
    warnings = []
    for language, intents in conversation.intents.items():
        for name, intent in intents.items():
            if name == LANGUAGE:
                continue
            for phrasing in intent.phrasings:
                key = canonical(phrasing)
                first = owners.setdefault(key, (language, name))
                if first[1] != name:
                    warnings.append(
                        Problem(
                            str(folder / f"{language}.yaml"),
                            1,
                            f"{name}: the phrasing {phrasing!r} is {first[1]!r}'s too "
                            f"({first[0]}.yaml): it is recognised as one of them only",
                        )
                    )
    return warnings


# --- recognising --------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
# Words of the scripts that write words with spaces, besides Latin: Korean and Devanagari.
_OTHER_WORD = re.compile(r"[\uac00-\ud7af]+|[\u0900-\u0963\u0966-\u097f]+")
_CJK_RUN = re.compile(r"[\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffー々]+")
_CLAUSE = re.compile(r"[,.!?;。、！？；]+\s*")
# What a request is about, to be set aside when judging the request: "talk to someone | about
# my brother's family reunification", 「帰国支援について | 相談したい」.
_SUBJECT_AFTER = re.compile(r" (?:about|regarding|concerning) .*$")
_SUBJECT_BEFORE = re.compile(r"^.*?(?:について|に関して|に関する|の件で|のことで)(?:の)?")
_SYMBOLS = re.compile(r"[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]+")
_KANJI_PAIR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2}")
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_APOSTROPHE = re.compile(r"['’`]")
_SPACES = re.compile(r"[\s,.!?？！。、，]+")
_TRIM = " \t\r\n?？!！。、.,，:：;；「」『』\"'()（）~〜…・♪☆★"
# Laughter closing a Japanese message (「ありがとうｗｗ」, 「笑」): trimmed there only, for "how"
# and "wow" end in w too.
_LAUGHTER = "wｗ笑"


def _words(key: str) -> list[str]:
    """The words of a canonical message: Latin ones with their diacritics folded ("xin chào"
    gives xin and chao, not ch and o), and Korean and Devanagari ones; kana and kanji have
    none (their terms are bigrams). An ASCII message's words as they are, as before."""
    if key.isascii():
        return _WORD.findall(key)
    return _WORD.findall(fold_latin(key)) + _OTHER_WORD.findall(key)


def _as_compared(request: str) -> str:
    """A request of `asks` in the form of the messages it is found in (canonical): NFKC, lower
    case, no apostrophes, spaces collapsed; its `...` kept."""
    return " ".join(_APOSTROPHE.sub("", unicodedata.normalize("NFKC", request).lower()).split())


def canonical(text: str) -> str:
    """A message as phrasings are compared whole: NFKC, lower case, no apostrophes, no
    punctuation at its ends, spaces collapsed."""
    text = _APOSTROPHE.sub("", unicodedata.normalize("NFKC", text).lower())
    if not text.isascii():  # emoji and symbols say nothing here: "heyyy 👋", 「どうも🙇」
        text = _SYMBOLS.sub(" ", text)
    text = _SPACES.sub(" ", text).strip(_TRIM)
    if text and not text.isascii():
        text = text.rstrip(_LAUGHTER).strip(_TRIM)
    return text


def talk_terms(text: str, stem) -> dict[str, float]:
    """The terms of a message for the talk model: English words (stemmed, stopwords kept: in
    "who are you" they are all there is) and their pairs; Japanese as kana-folded bigrams."""
    key = canonical(text)
    return _key_terms(key, _words(key), stem)


def _key_terms(key: str, words: list[str], stem) -> dict[str, float]:
    """talk_terms of a canonical message, whose words (_WORD) are found already."""
    words = [stem(w) for w in words]
    terms = dict.fromkeys(words, 1.0)
    for first, second in itertools.pairwise(words):
        terms[f"{first} {second}"] = 0.5
    if key.isascii():  # no kana, no kanji
        return terms
    for run in _CJK_RUN.findall(key):
        run = fold_kana(run)
        if len(run) == 1:
            terms[run] = 1.0
        for i in range(len(run) - 1):
            terms[run[i : i + 2]] = 1.0
    return terms


@dataclass(frozen=True)
class Recognised:
    intent: str | None = None  # a small-talk intent, `person` or `urgent`
    urgent: bool = False  # an urgent signal or phrasing in the message, whatever else it says
    language: str | None = None  # a language asked for in words (UNKNOWN_LANGUAGE: not spoken)


class Recogniser:
    """What a message is, besides a question: built once per content version."""

    def __init__(
        self,
        conversation: Conversation,
        questions: list[str],
        languages,
        stem,
        keywords: list[str] = (),
        readings=None,
        declined: list[str] = (),
    ):
        self._stem = stem
        intents = [n for n in conversation.names() if n != LANGUAGE]
        self._intents = intents
        self._urgent_class = intents.index(URGENT) if URGENT in intents else None
        number = {name: n for n, name in enumerate(intents)}
        documents: list[tuple[dict[str, float], int]] = []
        self._exact: dict[str, str] = {}
        signals: list[str] = []
        templates: list[str] = []
        others: list[str] = []
        people: list[str] = []
        asks: list[str] = []
        # Small-talk phrasings with kanji, to be learned in kana too; and the urgent signals
        # to be read in kana: the Japanese ones only (Chinese read as Japanese is neither).
        japanese: list[tuple[str, str]] = []
        japanese_signals: list[str] = []
        read_in = {language.code for language in languages if language.script == JAPANESE}
        for language, language_intents in conversation.intents.items():
            reads = language in read_in
            for name, intent in language_intents.items():
                if name == LANGUAGE:
                    templates += [canonical(p) for p in intent.phrasings]
                    others += [canonical(o) for o in intent.others]
                    continue
                signals += [canonical(s) for s in intent.signals]
                if reads:
                    japanese_signals += [canonical(s) for s in intent.signals]
                people += [canonical(w) for w in intent.people]
                asks += [_as_compared(a) for a in intent.asks]
                # The signals teach the model what trouble is written in, too: a message in
                # their words ("boss lock the dorm", 「外出禁止」) is urgent without one whole.
                documents += [(talk_terms(s, stem), number[name]) for s in intent.signals]
                for phrasing in intent.phrasings:
                    self._exact[canonical(phrasing)] = name
                    documents.append((talk_terms(phrasing, stem), number[name]))
                    if reads and name not in (PERSON, URGENT):  # 「でんわしたい」 is no person
                        japanese.append((canonical(phrasing), name))
        # A phrasing with kanji is learned as read in kana too: 「おげんきですか」 is 「お元気ですか」.
        japanese = [(text, name) for text, name in japanese if _KANJI.search(text)]
        read = readings.read_all(text for text, _ in japanese) if readings and japanese else {}
        for text, name in japanese:
            if text in read:
                kana = fold_kana(read[text])
                self._exact.setdefault(kana, name)
                documents.append((talk_terms(kana, stem), number[name]))
        self._talk_words = frozenset(t for terms, _ in documents for t in terms if " " not in t)
        # Latin words, and pairs of kanji (代表, 電話): kana bigrams are too small to say a topic.
        self._topic_words = (
            frozenset(
                t
                for k in keywords
                for t in talk_terms(k, stem)
                if " " not in t and (t.isascii() or _KANJI_PAIR.fullmatch(t))
            )
            - self._talk_words
        )
        # Subjects the content declines (_not_covered.yaml), in Japanese: found anywhere in a
        # message, it asks about one (「IOMでバイトできますか」 is no "what can you do").
        self._declined = _Phrases(sorted({canonical(p) for p in declined if not p.isascii()}))
        # The questions about IOM: one class, after the intents, their terms counted as they
        # are made (not all held at once). Its words are the model's that are not the talk's
        # (see recognise).
        other = len(intents)
        questions_terms = ((talk_terms(q, stem), other) for q in questions)
        self._model = (
            AskedModel(itertools.chain(documents, questions_terms), other + 1, beyond=False)
            if intents
            else None
        )
        del documents
        self._urgent = _Phrases(signals)
        self._people = _Phrases(sorted(set(people))) if people else None
        # The requests around a person: their pattern is compiled when first needed (_asks).
        self._requests = (
            (tuple(sorted(set(asks))), tuple(sorted(set(people)))) if asks and people else None
        )
        # The signals as their words' stems ("follows me" is "following me") and, Japanese, as
        # read in kana (「しにたい」 is 「死にたい」): trouble is written every which way.
        stems = {" ".join(map(stem, _words(s))) for s in signals if s.isascii()}
        self._urgent_stems = _Phrases(sorted(s for s in stems if s))
        read = readings.read_all(s for s in japanese_signals if not s.isascii()) if readings else {}
        kana = {fold_kana(r) for r in read.values()} | {
            fold_kana(s) for s in signals if not s.isascii()
        }
        self._urgent_kana = _Phrases(sorted(kana))
        # Language requests: a word that names a language (the registry's, then the others the
        # content names), and the rest of the message close to a template.
        self._templates = sorted(set(templates))
        # Templates of three words or more, that a longer message may start with.
        self._long_templates = [t for t in self._templates if len(t.split()) >= 3]
        names = {
            word: lang.code
            for lang in languages
            for word in (canonical(lang.name), *(canonical(w) for w in lang.words))
            if word
        }
        for word in others:
            names.setdefault(word, UNKNOWN_LANGUAGE)
        self._language_names = names
        self._language_pattern = _Phrases(list(names)) if templates else None

    def _language_asked(
        self, key: str, words: list[str], text: str | None = None
    ) -> tuple[str, float] | None:
        """The language a message asks for in words: the message close to a template with a
        name of a language in its slot (any name it holds: 「英語じゃなくて日本語で」), or
        starting so ("pls answer in japanese so i can show my boss"), or one of its clauses
        so ("english pls, i cant read japanese"); with how close (0-100) the message was."""
        if self._language_pattern is None:
            return None
        if self._language_pattern.search(key, words) is None:
            return None
        best: tuple[float, str] | None = None
        for found in self._language_pattern.pattern.finditer(key):
            name = found.group().strip()
            code = self._language_names.get(name)
            if code is None:
                continue
            start = found.start() + found.group().index(name)
            rest = f"{key[:start]}{LANGUAGE_SLOT}{key[start + len(name) :]}"
            for templates, scorer in (
                (self._templates, fuzz.ratio),
                (self._long_templates, _prefix_ratio),
            ):
                match = process.extractOne(
                    rest, templates, scorer=scorer, score_cutoff=LANGUAGE_CLOSE
                )
                if match is not None and (best is None or match[1] > best[0]):
                    best = (match[1], code)
        if best is not None:
            return best[1], best[0]
        if text is not None:
            for clause in _CLAUSE.split(text):
                part = canonical(clause)
                if part and part != key:
                    asked = self._language_asked(part, _words(part))
                    if asked is not None:
                        return asked[0], 0.0
        return None

    def recognise(self, text: str) -> Recognised:
        key = canonical(text)
        if not key:
            return Recognised()
        words = _words(key)  # found once: for the phrases, then the model's terms
        urgent = self._urgent.search(f" {key} ", words) is not None
        if not urgent and words:
            stems = [self._stem(w) for w in words]
            urgent = self._urgent_stems.search(f" {' '.join(stems)} ", stems) is not None
        if not urgent and not key.isascii():
            urgent = self._urgent_kana.search(fold_kana(key), words) is not None
        asked = self._language_asked(key, words, text)
        if asked is not None:
            language, closeness = asked
            # "any staff speak portuguese? i want to talk to a person", 「ネパール語のわかる人と
            # 話せますか」: a person who speaks it is asked for (one of the `people` named), not
            # the bot's language (「ネパール語は話せますか」 is a language phrasing itself).
            if closeness < LANGUAGE_PHRASING and (
                self._asks_a_person(key, words)  # 「ベトナム語の通訳をお願いできますか」
                or self._asks_for_a_person(self._without_language_names(key))
            ):
                return Recognised(intent=PERSON, urgent=urgent)
            return Recognised(language=language, urgent=urgent)
        found = self._judged(key, urgent)
        if found.intent in (PERSON, URGENT):
            return found
        # A request around a person outranks the model's reading, not a phrasing written for
        # an intent (「だれかいますか」 is "anyone there?").
        if key not in self._exact and self._asks_a_person(key, words):
            return Recognised(intent=PERSON, urgent=found.urgent)
        if found.intent is None and self._asks_for_a_person(key):
            return Recognised(intent=PERSON, urgent=found.urgent)
        clauses = [c for c in map(canonical, _CLAUSE.split(text)) if c and c != key]
        if len(clauses) < 2:
            return found
        if found.intent is not None:
            # 「機械じゃ話にならない。人出して」: a person asked for in one sentence outranks the
            # complaint or the greeting in another.
            if any(self._asks_for_a_person(c) for c in clauses):
                return Recognised(intent=PERSON, urgent=found.urgent)
            return found
        # 「お元気ですか？今日は忙しいですか」: sentences each small talk, the first one's; "could
        # a staff member call me back? my number is …": a person asked for in one of them.
        if any(self._asks_for_a_person(c) for c in clauses):
            return Recognised(intent=PERSON, urgent=found.urgent)
        intents = [self._judged(clause, False).intent for clause in clauses]
        if None in intents:
            return found
        return Recognised(intent=intents[0], urgent=found.urgent or intents[0] == URGENT)

    def _names_people(self, key: str, words: list[str]) -> bool:
        return self._people is not None and self._people.search(key, words) is not None

    def _asks_a_person(self, key: str, words: list[str]) -> bool:
        """One of the `asks` in the message, around one of the `people`: "can i speak to the
        person in charge of refugee resettlement?", 「ご担当者様におつなぎいただけますか」."""
        return (
            self._requests is not None
            and self._names_people(key, words)
            and self._asks is not None
            and self._asks.search(key) is not None
        )

    @functools.cached_property
    def _asks(self) -> re.Pattern[str] | None:
        """The pattern of the `asks` (person_asks.py), compiled when a message first names one
        of the people, not at every content load."""
        assert self._requests is not None
        return asks_pattern(*self._requests)

    def _asks_for_a_person(self, clause: str) -> bool:
        """Whether a sentence (of a longer message) asks for a person: one of the `people`
        named, or a subject set aside ("who can i talk to | about my visa"), and the rest a
        person asked for (a short sentence alone is too little for the model: "there's a
        little boy alone in the next room" is no person asked for)."""
        request = _without_subject(clause)
        if request == clause and not self._names_people(clause, _words(clause)):
            return False
        return bool(request) and self._judged(request, False).intent == PERSON

    def _without_language_names(self, key: str) -> str:
        assert self._language_pattern is not None  # a language was found by it
        return " ".join(self._language_pattern.pattern.sub(" ", f" {key} ").split())

    def _judged(self, key: str, urgent: bool) -> Recognised:
        """The intent of a canonical message (urgent: a signal was found in it)."""
        if not key:
            return Recognised(urgent=urgent)
        words = _words(key)
        exact = self._exact.get(key)
        if exact is not None:
            return Recognised(intent=exact, urgent=urgent or exact == URGENT)
        if self._model is None:
            return Recognised(urgent=urgent)
        terms = _key_terms(key, words, self._stem)
        if not terms:
            return Recognised(urgent=urgent)
        words = [t for t in terms if " " not in t]
        talk_words, knows = self._talk_words, self._model.knows
        # A word of the questions' (the model knows it) and not of the talk's.
        # (Latin words and kanji pairs: a kana bigram, or one across kana and kanji, is mostly
        # grammar or a seam: 「何のボット」 gives の…, 「きみ何者」 gives み何.)
        foreign = sum(
            t not in talk_words
            and knows(t)
            and (t.isascii() or _KANJI_PAIR.fullmatch(t) is not None)
            for t in words
        )
        known = sum(t in talk_words for t in words)
        topical = any(t in self._topic_words for t in words)  # "reach", "hotline", "1951"
        if known < len(words) * TALK_KNOWN:
            # No small talk, nor a person: the model can only make it urgent. Most questions
            # end here, the model asked only how much likelier they are a question than
            # urgent: when that alone keeps urgent under URGENT_SURE, so would the whole model.
            if urgent or self._urgent_class is None:
                return Recognised(urgent=urgent)
            question = len(self._intents)
            odds = self._model.log_odds(terms, question, self._urgent_class)
            if odds > _URGENT_ODDS + 1e-9:
                return Recognised(urgent=False)
        posterior = self._model.posterior(terms)
        best = max(range(len(posterior)), key=posterior.__getitem__)
        if best == len(self._intents):  # a question
            return Recognised(urgent=urgent)
        name, probability = self._intents[best], posterior[best]
        if name == PERSON and probability >= TALK_CERTAIN and self._names_people(key, _words(key)):
            # "i want to talk with a staff member about going back to my country": a person
            # asked for about a subject, the subject's words the questions'.
            return Recognised(intent=PERSON, urgent=urgent)
        if name == URGENT:
            return Recognised(urgent=urgent or probability >= URGENT_SURE)
        if name != PERSON and not key.isascii() and self._declined.search(key, words):
            return Recognised(urgent=urgent)  # a person may well ask for one about such a case
        # A topic's word in a message that is otherwise all talk, the model all but certain:
        # "can somebody from iom tokyo phone me back", "your answer is not related to my
        # question" (not "can i call you", nor "who answers the phone").
        incidental = (
            topical
            and probability >= TALK_CERTAIN
            and sum(t in self._topic_words for t in words) == 1
            and known >= len(words) - 1
        )
        if (
            (topical and not incidental)
            or probability
            < (TALK_SURE if foreign or known < len(words) or name == PERSON else TALK_SURE_CLEAN)
            or (
                foreign
                and (probability < TALK_CERTAIN or len(words) - known > len(words) * TALK_FOREIGN)
            )
            # Most of it words neither the talk's nor the questions' (places, names): the
            # model has little to go on ("渋谷から横浜まで電車でどうやって行きますか").
            or (probability < TALK_CERTAIN and len(words) - known > len(words) * TALK_FOREIGN)
        ):
            return Recognised(urgent=urgent)
        return Recognised(intent=name, urgent=urgent)


class _Phrases:
    """Finds any of some phrases in a canonical message as one pattern does (_phrases_pattern:
    Latin ones as whole words, others anywhere), trying only the phrases that can be there:
    a Latin phrase only where its first word, or its first two, are the message's, another
    only where it is in the message (one pattern of dozens of phrases, each tried at every
    place, took tens of µs). Each group's pattern is compiled when first needed, and kept for
    the next content version with the same phrases: nine languages' phrases compiled at every
    load took 80 ms."""

    def __init__(self, phrases: list[str]):
        self._phrases = tuple(sorted({p for p in phrases if p}))
        by_start: dict[str, list[str]] = defaultdict(list)
        anywhere: list[str] = []  # not Latin: found anywhere, as the phrase is
        always: list[str] = []  # starting with neither a letter nor a digit
        for phrase in self._phrases:
            if not phrase.isascii():
                anywhere.append(phrase)
                continue
            start = _START.match(phrase)
            if start is None:
                always.append(phrase)
            else:
                by_start[start.group()].append(phrase)
        self._anywhere = tuple(anywhere)
        # By their first two characters: a message is looked through for those it has.
        self._anywhere_by_pair: dict[str, list[str]] = defaultdict(list)
        for phrase in anywhere:
            self._anywhere_by_pair[phrase[:2]].append(phrase)
        self._always = tuple(always)
        self._by_start = {start: tuple(group) for start, group in by_start.items()}

    @property
    def pattern(self) -> re.Pattern[str] | None:
        """One pattern of every phrase (compiled once)."""
        return _phrases_pattern(self._phrases)

    def search(self, key: str, words: list[str]) -> re.Match[str] | None:
        """The first phrase in the message (`words`: its _WORD runs), as the one pattern of
        them all finds it (the leftmost, the longest there); None when there is none."""
        best: re.Match[str] | None = None
        for group in self._groups(key, words):
            pattern = _phrases_pattern(group)
            found = pattern.search(key) if pattern is not None else None
            if found is not None and (
                best is None or (found.start(), best.end()) < (best.start(), found.end())
            ):
                best = found
        return best

    def _groups(self, key: str, words: list[str]) -> list[tuple[str, ...]]:
        """The groups of phrases that may be in the message."""
        groups = [self._always] if self._always else []
        if self._anywhere and not key.isascii():
            by_pair = self._anywhere_by_pair
            pairs = pairs_of(key) & by_pair.keys()
            present = tuple(p for pair in pairs for p in by_pair[pair] if p in key)
            if present:
                groups.append(tuple(sorted(present)))
        by_start = self._by_start
        starts = [w for w in words if w in by_start]
        starts += [f"{a} {b}" for a, b in itertools.pairwise(words) if f"{a} {b}" in by_start]
        groups += [by_start[start] for start in dict.fromkeys(starts)]
        return groups


# A Latin phrase's first word and, when a single space follows it, its second: where the
# phrase is found as a whole word, the message has the one word, or the two side by side.
_START = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)?(?![a-z0-9])")


@functools.lru_cache(maxsize=4096)
def _phrases_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern finding any of the phrases: Latin ones as whole words, others anywhere."""
    parts = sorted({p for p in phrases if p}, key=len, reverse=True)
    if not parts:
        return None
    alternatives = [
        rf"(?<![a-z0-9]){re.escape(p)}(?![a-z0-9])" if p.isascii() else re.escape(p) for p in parts
    ]
    return re.compile("|".join(alternatives))


def _prefix_ratio(message: str, template: str, **_) -> float:
    """How close the message's start is to a template (as long as it, and a little more)."""
    return fuzz.ratio(message[: len(template) + 2], template)


def _without_subject(key: str) -> str:
    """A canonical request without what it is about (or the request itself)."""
    if key.isascii():
        return _SUBJECT_AFTER.sub("", key).strip()
    return _SUBJECT_BEFORE.sub("", key).strip()
