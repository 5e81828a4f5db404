"""Reading the values people choose or type in the forum (fr/ar/en) into codev's codes and numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal

from sync_service.domain.matching.records import EXPERT_MODES, NEED_MODES
from sync_service.domain.matching.taxonomy import Recognizer, Taxonomy
from sync_service.domain.matching.text import fold_latin, normalize_arabic

# Languages a profile may name that the taxonomy does not list yet (codes are ISO 639-1).
FALLBACK_LANGUAGES: Mapping[str, tuple[str, ...]] = {
    "it": ("italien", "italienne", "italian", "الايطاليه", "ايطاليه"),
    "pt": ("portugais", "portuguese", "البرتغاليه"),
}

# Choice texts of the "Modes d'engagement" field and of the need form's "Mode d'intervention", in
# French, Arabic and English, compared folded (no case, accents, punctuation; Arabic normalised).
MODE_WORDS: Mapping[str, tuple[str, ...]] = {
    "remote": ("a distance", "distance", "remote", "remotely", "online", "en ligne", "عن بعد"),
    "on_site": ("sur place", "on site", "onsite", "in person", "في عين المكان", "حضوريا", "ميدانيا"),
    "mentoring": ("mentorat", "mentoring", "mentor", "tutorat", "مواكبه", "توجيه", "تاطير"),
    "funding_network": (
        "reseau de financement", "financement", "funding network", "funding", "شبكه التمويل", "التمويل",
    ),
    "any": (
        "indifferent", "peu importe", "les deux", "any", "either", "no preference", "لا يهم", "سيان",
        "كلاهما",
    ),
}
OTHER_WORDS = ("autre", "autres", "other", "اخري", "اخرى", "غير ذلك")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,٫]\d+)?")
_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫", "01234567890123456789.")
MAX_HOURS_PER_MONTH = 744.0  # 31 days of 24 hours: anything above is a typing error


def fold(text: str) -> str:
    """A comparison key: lowercase, no accents, Arabic normalised, punctuation as single spaces."""
    base = normalize_arabic(fold_latin(text))
    return " ".join(re.findall(r"[^\W_]+", base, re.UNICODE))


_MODE_KEYS = {fold(word): mode for mode, words in MODE_WORDS.items() for word in words}
_OTHER_KEYS = frozenset(fold(w) for w in OTHER_WORDS)
_FALLBACK_KEYS = {fold(word): code for code, words in FALLBACK_LANGUAGES.items() for word in words}


def redact_emails(text: str | None) -> str | None:
    """The text with every e-mail address replaced: codev never stores one, even typed in a bio."""
    if text is None:
        return None
    cleaned = _EMAIL.sub("[e-mail]", text).strip()
    return cleaned or None


def parse_hours(values: Iterable[str]) -> float | None:
    """Hours per month from "10", "10 h", "10 heures par mois", "٥", "7,5"; None when no number."""
    for value in values:
        match = _NUMBER.search(value.translate(_EASTERN_DIGITS))
        if match is not None:
            hours = float(match.group(0).replace(",", "."))
            return hours if hours <= MAX_HOURS_PER_MONTH else None
    return None


def split_list(text: str) -> tuple[str, ...]:
    """Items of a typed list, split on commas, semicolons and new lines outside parentheses."""
    items: list[str] = []
    depth, current = 0, list[str]()
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        if depth == 0 and char in ",;،؛\n":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return tuple(item.strip(" \t-*•.") for item in items if item.strip(" \t-*•."))


def first_text(values: Iterable[str]) -> str | None:
    """The first non-empty value, stripped."""
    for value in values:
        if value.strip():
            return value.strip()
    return None


def clean_texts(values: Iterable[str]) -> tuple[str, ...]:
    """Non-empty values, stripped, duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for value in values:
        if value.strip():
            seen.setdefault(value.strip(), None)
    return tuple(seen)


class Vocabulary:
    """Recognises languages, sectors and kinds of help through the taxonomy; modes through MODE_WORDS."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.recognizer = Recognizer(taxonomy)

    def language_codes(self, values: Iterable[str]) -> tuple[str, ...]:
        """Codes (fr, ar, ber, ...) of the languages named; an unknown name is kept folded."""
        codes: dict[str, None] = {}
        for value in values:
            if not value.strip():
                continue
            key = fold(value)
            if value.strip().lower() in self.taxonomy.languages:
                codes.setdefault(value.strip().lower(), None)
                continue
            found = sorted(self.recognizer.find([value]).languages)
            if not found and key in _FALLBACK_KEYS:
                found = [_FALLBACK_KEYS[key]]
            for code in found or [key]:
                codes.setdefault(code, None)
        return tuple(codes)

    def concept(self, kind: Literal["sector", "kind"], value: str | None) -> str | None:
        """The taxonomy id a chosen sector or kind of help names; the text itself when unknown."""
        if value is None or not value.strip():
            return None
        table = self.taxonomy.table(kind)
        if value.strip() in table:
            return value.strip()
        key = fold(value)
        for concept in table.values():
            if key in (fold(label) for label in concept.labels.values()):
                return concept.id
        found = self.recognizer.find([value])
        hits = found.sectors if kind == "sector" else found.kinds
        if hits:
            order = list(table)
            return min(hits, key=order.index)
        if kind == "kind" and key in _OTHER_KEYS and "other" in table:
            return "other"
        return value.strip()


def expert_modes(values: Iterable[str]) -> tuple[str, ...]:
    """Codes among remote, on_site, mentoring, funding_network; unknown choices are dropped."""
    out: dict[str, None] = {}
    for value in values:
        mode = _MODE_KEYS.get(fold(value)) or (value.strip() if value.strip() in EXPERT_MODES else None)
        if mode in EXPERT_MODES:
            out.setdefault(mode, None)
    return tuple(out)


def need_mode(value: str | None) -> str | None:
    """remote, on_site or any from "À distance", "Sur place", "Indifférent" (fr/ar/en); else None."""
    if value is None:
        return None
    mode = _MODE_KEYS.get(fold(value)) or value.strip()
    return mode if mode in NEED_MODES else None
