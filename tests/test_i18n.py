"""One catalog, every key in Chinese and English."""
from __future__ import annotations

import re
from pathlib import Path

from ui.i18n import CATALOG, LANGUAGES
from ui.pages import PAGES
from workflows.access import COORDINATOR, LEADER, VOLUNTEER

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_key_has_a_text_in_every_language():
    for key, texts in CATALOG.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key


def test_both_languages_take_the_same_placeholders():
    for key, texts in CATALOG.items():
        assert set(PLACEHOLDER.findall(texts["zh"])) == set(PLACEHOLDER.findall(texts["en"])), key


def test_every_key_the_code_uses_is_in_the_catalog():
    sources = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
    used = {key for path in sources for key in re.findall(r"\bt\(\s*\"([\w.]+)\"", path.read_text(encoding="utf-8"))}
    used |= {f"page.{p.key}" for p in PAGES} | {f"role.{r}" for r in (VOLUNTEER, COORDINATOR, LEADER)}
    assert used - set(CATALOG) == set()


def test_the_chinese_texts_have_no_english_words_left_in_them():
    allowed = {"Google", "Excel", "python", "cli", "py", "issue", "code", "Language", "YYYY", "CSV", "PDF"}
    for key, texts in CATALOG.items():
        words = set(re.findall(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", texts["zh"]))) - allowed
        assert not words, (key, words)


def test_a_file_made_outside_the_page_run_is_in_the_language_pinned_for_it():
    """A download made when clicked runs without the page's session: its language is pinned."""
    import threading

    from ui.i18n import in_language, t

    made = {}

    def make(lang):
        with in_language(lang):
            made[lang] = t("yes")

    threads = [threading.Thread(target=make, args=(lang,)) for lang in ("en", "zh")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert made == {"en": "yes", "zh": "是"}
