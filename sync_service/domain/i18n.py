"""Translation of every user-facing string: catalogues per locale, French by default, plural-aware."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

LOCALES = ("fr", "ar", "en")
DEFAULT_LOCALE = "fr"
RTL_LOCALES = frozenset({"ar"})

# A message is a text, or plural forms by CLDR category ("one", "other", ...).
Message = str | Mapping[str, str]
Catalogue = Mapping[str, Message]

PLURAL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "fr": ("one", "many", "other"),
    "en": ("one", "other"),
    "ar": ("zero", "one", "two", "few", "many", "other"),
}
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([a-z_][a-z0-9_]*)\}")


def plural_category(locale: str, count: int) -> str:
    """CLDR cardinal category of a whole number in the locale (fr: 0 and 1 are singular)."""
    n = abs(count)
    if locale == "ar":
        if n in (0, 1, 2):
            return ("zero", "one", "two")[n]
        if 3 <= n % 100 <= 10:
            return "few"
        if 11 <= n % 100 <= 99:
            return "many"
        return "other"
    if locale == "fr":
        if n in (0, 1):
            return "one"
        return "many" if n % 1_000_000 == 0 else "other"
    return "one" if n == 1 else "other"


def fill(template: str, values: Mapping[str, object]) -> str:
    """Template with {name} replaced by its value in one pass; {{ }} are braces; unknown names stay."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        return str(values[name]) if name in values else match.group(0)

    return PLACEHOLDER.sub(replace, template)


def placeholders(message: Message) -> frozenset[str]:
    """The placeholder names a message uses (all plural forms together)."""
    texts = [message] if isinstance(message, str) else list(message.values())
    return frozenset(m.group(1) for t in texts for m in PLACEHOLDER.finditer(t) if m.group(1))


@dataclass(frozen=True)
class Translator:
    """Catalogues by locale; a missing key or locale falls back to French, then to the key itself."""

    catalogues: Mapping[str, Catalogue] = field(default_factory=dict)

    def translate(self, key: str, locale: str, **values: object) -> str:
        """The message for key in locale, plural form chosen by `count`, placeholders filled."""
        message = self._message(key, locale)
        if message is None:
            return key
        if not isinstance(message, str):
            message = self._plural_form(message, locale, values.get("count"))
        return fill(message, values)

    def has(self, key: str, locale: str) -> bool:
        """True when the locale's own catalogue holds the key."""
        return key in self.catalogues.get(locale, {})

    def join(self, items: list[str], locale: str) -> str:
        """Items joined with the locale's list separator (common.list_separator)."""
        return self.translate("common.list_separator", locale).join(items)

    def format_date(self, day: date, locale: str) -> str:
        """A date as people of the locale write it: 6 décembre 2026, 6 ديسمبر 2026, 6 December 2026."""
        month = self.translate(f"common.month.{day.month}", locale)
        return self.translate("common.date", locale, day=day.day, month=month, year=day.year)

    def _message(self, key: str, locale: str) -> Message | None:
        for loc in (locale, DEFAULT_LOCALE):
            found = self.catalogues.get(loc, {}).get(key)
            if found is not None:
                return found
        return None

    def _plural_form(self, forms: Mapping[str, str], locale: str, count: object) -> str:
        wanted = plural_category(locale, count) if isinstance(count, int) else "other"
        if wanted in forms:
            return forms[wanted]
        # A form a translator left out: "many"/"few" read like "other" in these languages.
        return forms.get("other") or next(iter(forms.values()), "")


def text_direction(locale: str) -> str:
    """"rtl" for Arabic, else "ltr"."""
    return "rtl" if locale in RTL_LOCALES else "ltr"


_ARABIC_LETTER = re.compile(
    "[\u0620-\u064a\u066e-\u06d3\u06fa-\u06fc\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdfb\ufe70-\ufefc]"
)
_LATIN_WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ]+(?:'[a-z]+)?")
_FRENCH_MARKS = re.compile("[àâçéèêëîïôùûœ]")
_FRENCH = frozenset(
    {
        "le", "la", "les", "un", "une", "des", "du", "de", "et", "est", "sont", "pour", "dans", "avec", "sur",
        "par", "nous", "notre", "nos", "vous", "votre", "au", "aux", "ce", "cette", "ces", "qui", "que",
        "pas", "besoin", "commune", "projet", "eau", "puits", "aide", "cherchons", "recherche", "formation",
        "d'un", "d'une", "l'eau",
    }
)
_ENGLISH = frozenset(
    {
        "the", "an", "and", "is", "are", "for", "in", "with", "by", "we", "our", "you", "your", "to", "of",
        "this", "that", "these", "who", "which", "not", "need", "needs", "village", "project", "water",
        "well", "help", "looking", "seek", "training", "from", "have", "has",
    }
)


def guess_locale(text: str | None) -> str:
    """ar when the text is mostly Arabic script, en when English words outnumber French ones, else fr."""
    if not text:
        return DEFAULT_LOCALE
    letters = sum(1 for c in text if c.isalpha())
    arabic = len(_ARABIC_LETTER.findall(text))
    if letters and arabic / letters >= 0.3:
        return "ar"
    words = _LATIN_WORD.findall(text.lower().replace("\u2019", "'"))
    french = sum(1 for w in words if w in _FRENCH or _FRENCH_MARKS.search(w))
    english = sum(1 for w in words if w in _ENGLISH)
    return "en" if english >= 2 and english > french else DEFAULT_LOCALE
