"""Issue 21's "done when": French added as content only, with no code edit and nothing patched.

A copy of the shipped content gets an `fr` entry in languages.yaml (script latin, stemmer
french), an `fr:` section in every topic (each text marked [FR]) and a strings/fr.yaml that lacks
some keys. Then the installed command answers in French, /lang fr chooses it, `iombot check`
names what the catalog lacks (a warning: exit 0, 1 with --strict), and a French question finds
the French text.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from iombot.core.answerer import Answerer
from iombot.core.content import default_content_dir, load_content
from iombot.core.reply import Query, ReplyKind, plain_text

from testsupport import installed_iombot

pytestmark = pytest.mark.e2e

REGISTRY_ENTRY = """
  - code: fr
    name: Français
    english_name: French
    script: latin
    stemmer: french
    words: [french, français, francais]
    help_words: [aide]
"""
# (title, summary, body) of each topic in French, every text marked.
FRENCH = {
    "about": (
        "[FR] Qu'est-ce que l'OIM ?",
        "[FR] L'Organisation internationale pour les migrations",
        "[FR] L'OIM, fondée en 1951, est l'organisation des Nations Unies chargée des "
        "migrations. Sa directrice générale est Amy Pope.",
    ),
    "message": (
        "[FR] Message du chef de mission",
        "[FR] Le message de Daihei Mochizuki",
        "[FR] Le chef de mission présente le travail du bureau.",
    ),
    "history": (
        "[FR] L'OIM au Japon depuis 1981",
        "[FR] L'histoire du bureau de Tokyo",
        "[FR] Le bureau de Tokyo a ouvert en 1981, pendant la crise des réfugiés indochinois.",
    ),
    "work": (
        "[FR] Ce que fait l'OIM Tokyo",
        "[FR] Les activités du bureau",
        "[FR] Le bureau travaille avec le ministère des Affaires étrangères.",
    ),
    "leaders": (
        "[FR] Qui dirige l'OIM",
        "[FR] La directrice générale et le chef de mission",
        "[FR] Amy Pope est directrice générale ; Daihei Mochizuki est chef de mission.",
    ),
    "un": (
        "[FR] L'OIM et les Nations Unies",
        "[FR] L'OIM dans le système des Nations Unies",
        "[FR] L'OIM a rejoint les Nations Unies le 19 septembre 2016.",
    ),
    "contact": (
        "[FR] Contacter l'OIM Tokyo",
        "[FR] Numéro de téléphone et sites web",
        "[FR] Téléphone du bureau : [03-3595-2487](tel:+81-3-3595-2487). "
        "Site : [www.japan.iom.int](https://www.japan.iom.int/).",
    ),
}
# Part of the catalog only: the rest is said in English, and `iombot check` says which.
CATALOG = """\
welcome_title: "[FR] Bienvenue à l'OIM Tokyo"
lang_title: "[FR] Langue"
lang_set: "[FR] Je vous répondrai désormais dans cette langue : {language}."
not_translated: "[FR] Ce sujet n'existe pas encore en {language} ; le voici en anglais."
suggest_title: "[FR] Je ne suis pas sûr de comprendre"
"""


def add_french(folder: Path) -> None:
    registry = folder / "languages.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + REGISTRY_ENTRY, encoding="utf-8")
    today = datetime.date.today().isoformat()
    for command, (title, summary, body) in FRENCH.items():
        path = folder / f"{command}.yaml"
        section = {"title": title, "summary": summary, "body": body}
        if command == "contact":  # the topic that says how to reach people, in every language
            section["reach_us"] = "[FR] Appelez le [03-3595-2487](tel:+81-3-3595-2487)."
            section["keywords"] = ["[FR] téléphone", "numéro", "appeler"]
        french = yaml.safe_dump({"fr": section}, allow_unicode=True, sort_keys=False)
        first, rest = path.read_text(encoding="utf-8").split("\n", 1)
        # Reviewed today: the review warnings would hide what --strict says about the catalog.
        path.write_text(f"{first}\nreviewed: {today}\n{rest}{french}", encoding="utf-8")
    (folder / "strings" / "fr.yaml").write_text(CATALOG, encoding="utf-8")


@pytest.fixture(scope="module")
def french(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("french") / "content"
    shutil.copytree(default_content_dir(), folder)
    add_french(folder)
    return folder


def iombot(args: list[str], content: Path) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "IOMBOT_"))
    }
    environment["IOMBOT_CONTENT_DIR"] = str(content)
    return subprocess.run(
        [installed_iombot(), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=content.parent,
    )


def test_the_installed_command_answers_in_french(french):
    result = iombot(["ask", "--lang", "fr", "/about"], french)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("== [FR] Qu'est-ce que l'OIM ? ==")
    assert "[FR] L'OIM, fondée en 1951," in result.stdout


def test_lang_fr_chooses_french_through_the_answerer(french):
    answerer = Answerer(load_content(french))
    reply = answerer.answer(Query(text="/lang fr", user_id="1"))
    assert reply.kind is ReplyKind.LANGUAGE
    assert reply.chosen_language == "fr" and reply.language == "fr"
    assert reply.title == "[FR] Langue"
    assert plain_text(reply.blocks[0].spans) == (
        "[FR] Je vous répondrai désormais dans cette langue : Français."
    )
    assert ("Français", "lang:fr") in [
        (b.label, b.action) for b in answerer.answer(Query(text="/lang")).buttons
    ]
    # What the catalog lacks is said in English.
    assert answerer.answer(Query(text="/help", language="fr")).title == "What I can tell you"


def test_check_warns_about_the_missing_keys_and_fails_only_with_strict(french):
    result = iombot(["check", str(french)], french)
    assert result.returncode == 0, result.stdout + result.stderr
    warning, conversation = sorted(
        (line for line in result.stdout.splitlines() if ": warning: " in line),
        key=lambda line: "conversation" in line,
    )
    assert warning.startswith(f"{french.resolve() / 'strings' / 'fr.yaml'}:1: warning: incomplete:")
    assert "welcome, " in warning and "staff_sent" in warning and "lang_set" not in warning
    # Nor has French a conversation file: small talk in it is answered in English.
    assert "incomplete: 'fr' has no conversation/fr.yaml" in conversation
    assert result.stdout.splitlines()[-1].endswith("content is valid (2 translation warning(s))")
    strict = iombot(["check", "--strict", str(french)], french)
    assert strict.returncode == 1
    assert "strings/fr.yaml:1: incomplete:" in strict.stdout


def test_a_french_question_finds_the_french_text(french):
    answerer = Answerer(load_content(french))
    for question in ("quel est le numéro de téléphone du bureau ?", "numero de telephone"):
        reply = answerer.answer(Query(text=question, language="fr"))
        assert reply.kind is ReplyKind.TOPIC and reply.topic == "contact", question
        assert reply.title == "[FR] Contacter l'OIM Tokyo"
    history = answerer.answer(Query(text="l'histoire du bureau depuis 1981", language="fr"))
    assert history.topic == "history" and history.title.startswith("[FR]")
    result = iombot(
        ["ask", "--lang", "fr", "quel", "est", "le", "numéro", "de", "téléphone"], french
    )
    assert "== [FR] Contacter l'OIM Tokyo ==" in result.stdout
    # English and Japanese are answered as before.
    assert answerer.answer(Query(text="what is your phone number?")).title == "Contact IOM Tokyo"
    assert answerer.answer(Query(text="電話番号は？")).language == "ja"
