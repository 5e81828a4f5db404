"""Which column of a plan's project list holds what: headings as communes write them, in fr, ar or en."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sync_service.domain.matching.text import fold_latin, is_arabic, normalize_arabic

# The fields a plan row may give, in the order a heading is tried against them: the first that matches
# wins, so "Part de la commune" is the commune's share before it is a cost, and "N° projet" a number.
FIELD_KEYWORDS: dict[str, tuple[str, ...]] = {
    "commune_share": ("part de la commune", "part commune", "contribution de la commune",
                      "contribution commune", "apport de la commune", "apport commune",
                      "participation de la commune", "participation commune", "commune share",
                      "مساهمه جماعه", "حصه جماعه"),
    "number": ("n", "no", "n°", "num", "numero", "ref", "reference", "code", "id", "ordre", "رقم", "ر ت",
               "ع ر"),
    "cost": ("cout", "couts", "montant", "budget", "estimation", "enveloppe", "cost", "amount", "كلفه",
             "تكلفه", "مبلغ", "ميزانيه"),
    "partners": ("partenaires", "partenaire", "partenariat", "financement", "financements", "bailleurs",
                 "bailleur", "partners", "funding", "شركاء", "شريك", "تمويل"),
    "year": ("annee", "annees", "echeance", "echeancier", "periode", "calendrier", "date", "programmation",
             "year", "timeline", "سنه", "سنوات", "اجل", "اجال", "برمجه"),
    "priority": ("priorite", "rang", "priority", "اولويه"),
    "progress": ("etat", "avancement", "situation", "statut", "status", "حاله", "وضعيه", "تقدم"),
    "beneficiaries": ("beneficiaires", "population", "population cible", "beneficiaries", "مستفيدين",
                      "مستفيدون", "ساكنه"),
    "description": ("description", "consistance", "objectif", "objectifs", "composantes", "وصف", "مكونات",
                    "اهداف", "هدف"),
    "notes": ("observations", "observation", "remarques", "remarque", "commentaire", "commentaires", "notes",
              "ملاحظات", "ملاحظه"),
    "location": ("localisation", "lieu", "douar", "douars", "site", "emplacement", "zone", "fraction",
                 "location", "مكان", "موقع", "دوار", "دواوير", "منطقه"),
    "sector": ("axe", "axes", "secteur", "domaine", "thematique", "programme", "volet", "sector", "axis",
               "محور", "قطاع", "مجال", "برنامج"),
    "title": ("intitule", "projet", "projets", "action", "actions", "operation", "designation", "libelle",
              "project", "title", "مشروع", "مشاريع", "عنوان", "اسم"),
}
FIELDS: tuple[str, ...] = ("number", "title", "sector", "location", "description", "cost", "commune_share",
                           "partners", "year", "priority", "progress", "beneficiaries", "notes")
assert set(FIELDS) == set(FIELD_KEYWORDS)
IGNORE = "ignore"
AMOUNT_FIELDS = frozenset({"cost", "commune_share"})
# A number heading is only a number when its first word says so ("N° projet"), not "Nom du projet".
_FIRST_WORD_ONLY = frozenset({"n", "no", "n°", "num", "numero", "ref", "code", "id"})
UNITS = {"dh": 1, "kdh": 1000, "mdh": 1_000_000}
_THOUSANDS = ("kdh", "k dh", "kmad", "k mad", "milliers", "millier", "1000 dh", "1 000 dh", "الف درهم",
              "الاف الدراهم", "بالاف")
_MILLIONS = ("mdh", "m dh", "mmad", "millions", "million", "مليون", "ملايين")
_NOT_WORD = re.compile(r"[^\w°]+", re.UNICODE)


def normalize_heading(text: str) -> str:
    """Lowercase words without accents, Arabic without marks or article: " part de la commune "."""
    words = []
    for word in _NOT_WORD.sub(" ", fold_latin(normalize_arabic(text))).split():
        if is_arabic(word):
            # "الكلفة" and "كلفة", "والشركاء" and "شركاء": the article and the conjunction say nothing here.
            for prefix in ("وال", "بال", "ال", "و"):
                if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                    word = word[len(prefix):]
                    break
        words.append(word)
    return " " + " ".join(words) + " "


_KEYS = {field: tuple(normalize_heading(k) for k in keys) for field, keys in FIELD_KEYWORDS.items()}


def guess_field(heading: str) -> str | None:
    """The field a heading most likely names, None when no keyword fits."""
    norm = normalize_heading(heading)
    if not norm.strip():
        return None
    first = norm.split()[0]
    for field, keys in _KEYS.items():
        for key in keys:
            if field == "number" and key.strip() in _FIRST_WORD_ONLY:
                if first == key.strip():
                    return field
            elif key in norm:
                return field
    return None


def heading_unit(heading: str) -> int:
    """What an amount of this column is worth in dirhams: "Coût (KDH)" -> 1000, "en MDH" -> 1,000,000."""
    norm = normalize_heading(heading)
    if any(normalize_heading(k) in norm for k in _MILLIONS):
        return UNITS["mdh"]
    if any(normalize_heading(k) in norm for k in _THOUSANDS):
        return UNITS["kdh"]
    return UNITS["dh"]


@dataclass(frozen=True)
class Column:
    """One mapped column: its position, its heading as written, its field and its unit (amounts)."""

    index: int
    heading: str
    field: str
    unit: int = 1


@dataclass(frozen=True)
class Override:
    """What --map says of one heading: its field (IGNORE to leave the column out), its unit if given."""

    field: str
    unit: int | None = None


def map_columns(headings: Sequence[str],
                overrides: Mapping[str, Override] | None = None) -> tuple[Column, ...]:
    """The columns of a heading row: overrides first (by heading, without case or accents), then guesses;
    a field already taken by an earlier column is not given twice."""
    wanted = {normalize_heading(h): o for h, o in (overrides or {}).items()}
    columns: list[Column] = []
    taken: set[str] = set()
    for index, heading in enumerate(headings):
        text = heading.strip()
        override = wanted.get(normalize_heading(text)) if text else None
        field = override.field if override is not None else guess_field(text)
        if field is None or field == IGNORE or field in taken:
            continue
        unit = override.unit if override is not None and override.unit is not None else heading_unit(text)
        taken.add(field)
        columns.append(Column(index, text, field, unit if field in AMOUNT_FIELDS else 1))
    return tuple(columns)


def unmatched_overrides(headings: Sequence[str], overrides: Mapping[str, Override]) -> list[str]:
    """The headings of --map that the heading row does not have."""
    present = {normalize_heading(h) for h in headings}
    return [h for h in overrides if normalize_heading(h) not in present]
