"""Every message in the code is translated in every language, and nothing is fuzzy."""

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from portal import PROJECT_ROOT
from portal.config import LANGUAGES

CATALOGUES = {
    language: PROJECT_ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    for language in LANGUAGES
}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages in portal/ and templates/ right now, extracted the way the CLI does."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(PROJECT_ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-o",
            str(pot),
            str(PROJECT_ROOT),
        ],
        check=True,
        cwd=PROJECT_ROOT,
    )
    with pot.open("rb") as handle:
        return read_po(handle)


def _load(language):
    with CATALOGUES[language].open("rb") as handle:
        return read_po(handle, locale=language)


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and not message.fuzzy


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    untranslated = [m.id for m in _load(language) if m.id and not _translated(m)]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_holds_every_message_in_the_code(language, extracted):
    catalogue = _load(language)
    # A message with a context (pgettext) is found only under that context.
    missing = [m.id for m in extracted if m.id and catalogue.get(m.id, context=m.context) is None]
    assert missing == [], "run `portal translations update` and translate the new messages"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    placeholder = re.compile(r"%\((\w+)\)s")
    for message in _load(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(placeholder.findall(ids[-1]))
        for string in filter(None, strings):
            assert set(placeholder.findall(string)) == wanted, (language, message.id)
