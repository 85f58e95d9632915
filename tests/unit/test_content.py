"""Content validation: the shipped content is valid; each kind of broken content gets its message."""

from __future__ import annotations

from pathlib import Path

import pytest

from iombot.core.content import ContentError, check_content, default_content_dir, load_content

FIXTURES = Path(__file__).parents[1] / "fixtures"


SEED_FACTS = {
    "about": ["1951", "Amy Pope"],
    "message": ["1 billion", "seventh"],
    "history": ["1981", "Indochinese", "Gulf War"],
    "work": ["Ministry of Foreign Affairs"],
    "leaders": ["Amy Pope", "Daihei Mochizuki"],
    "un": ["19 September 2016", "25 July 2016", "10 December 2018"],
    "contact": [
        "03-3595-2487",
        "+81-3-3595-2487",
        "www.japan.iom.int",
        "www.iom.int",
        "facebook.com/IOMJapan",
    ],
}


def test_shipped_content_is_valid_and_complete():
    assert check_content(default_content_dir()) == []
    content = load_content(default_content_dir())
    commands = [topic.command for topic in content.topics]
    assert set(SEED_FACTS) <= set(commands)
    for topic in content.topics:
        assert set(topic.texts) == set(content.languages.codes) >= {"en", "ja"}


@pytest.mark.parametrize(("command", "facts"), SEED_FACTS.items())
def test_shipped_content_keeps_the_seed_facts_exact(command, facts):
    topic = load_content(default_content_dir()).by_command()[command]
    body = topic.text("en").body
    for fact in facts:
        assert fact in body, f"{command}: {fact!r} missing"


def test_content_invents_no_address_hours_or_email():
    for topic in load_content(default_content_dir()).topics:
        for text in topic.texts.values():
            assert "@" not in text.body
            assert "mailto:" not in text.body


def test_good_fixture_loads_and_has_a_stable_version():
    first = load_content(FIXTURES / "good")
    assert [t.command for t in first.topics] == ["alpha", "beta"]
    assert first.version == load_content(FIXTURES / "good").version
    assert first.version != load_content(default_content_dir()).version


BROKEN = {
    "invalid_yaml": ("alpha.yaml", 9, "invalid YAML"),
    "missing_field": ("beta.yaml", 5, "en: required field 'title' is missing"),
    "unknown_field": ("beta.yaml", 3, "unknown field 'colour'"),
    "wrong_type": ("beta.yaml", 2, "'order' must be a whole number, not text"),
    "missing_language": ("beta.yaml", 1, "language 'en' is missing"),
    "empty_body": ("beta.yaml", 11, "ja: 'body' is empty"),
    "bad_command": ("beta.yaml", 1, "'Beta-Topic' is not a valid Telegram command"),
    "duplicate_alias": ("beta.yaml", 2, "'first' is already used as a command or alias"),
    "duplicate_command": ("beta.yaml", 2, "'alpha' is already used as a command or alias"),
    "missing_related": ("beta.yaml", 3, "related topic 'gamma' does not exist"),
    "long_title": ("beta.yaml", 5, "en.title is 149 characters long (at most 100"),
    "long_paragraph": ("beta.yaml", 7, "paragraph or list of 2799 characters"),
    "bad_link": ("beta.yaml", 10, "a link must be written [label](https://…)"),
    "unsafe_yaml": ("beta.yaml", 2, "'order' cannot be read"),
    "empty_file": ("beta.yaml", 1, "the file is empty"),
    "not_a_mapping": ("beta.yaml", 1, "a topic file must be a mapping"),
}


@pytest.mark.parametrize(("case", "expected"), BROKEN.items())
def test_each_broken_case_gets_its_message_and_line(case, expected):
    name, line, message = expected
    problems = check_content(FIXTURES / case)
    assert len(problems) == 1, problems  # one problem, not a cascade
    problem = problems[0]
    assert problem.path.endswith(f"{case}/{name}")
    assert problem.line == line
    assert message in problem.message
    assert str(problem).startswith(f"{problem.path}:{line}: ")


def test_empty_folder_and_missing_folder():
    assert "no topic files" in check_content(FIXTURES / "empty_folder")[0].message
    with pytest.raises(ContentError, match="not found"):
        load_content(FIXTURES / "no_such_folder")


def test_safe_yaml_never_runs_anything(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "alpha.yaml").write_text(
        f"command: !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8"
    )
    assert check_content(tmp_path)
    assert not marker.exists()
