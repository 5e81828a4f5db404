"""Every sentence matching shows to people, in French (default), Arabic and English."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "skills": {"fr": "compétences : {items}", "ar": "الكفاءات: {items}", "en": "skills: {items}"},
    "related_skills": {
        "fr": "compétences voisines : {items}",
        "ar": "كفاءات قريبة: {items}",
        "en": "related skills: {items}",
    },
    "sectors": {"fr": "secteur : {items}", "ar": "القطاع: {items}", "en": "sector: {items}"},
    "kind": {"fr": "propose : {items}", "ar": "يقترح: {items}", "en": "offers: {items}"},
    "speaks": {"fr": "parle {items}", "ar": "يتحدث {items}", "en": "speaks {items}"},
    "missing_language": {
        "fr": "ne parle pas {items} (demandé sur place)",
        "ar": "لا يتحدث {items} (مطلوبة في عين المكان)",
        "en": "does not speak {items} (needed on site)",
    },
    "hours": {"fr": "{hours} h/mois", "ar": "{hours} ساعة في الشهر", "en": "{hours} h/month"},
    "hours_unknown": {
        "fr": "disponibilité non précisée",
        "ar": "التوفر غير محدد",
        "en": "availability not stated",
    },
    "mode_remote": {"fr": "à distance", "ar": "عن بعد", "en": "remote"},
    "mode_on_site": {"fr": "sur place", "ar": "في عين المكان", "en": "on site"},
    "mode_funding": {"fr": "réseau de financement", "ar": "شبكة تمويل", "en": "funding network"},
    "mode_mismatch": {
        "fr": "modes proposés ne conviennent pas ({items})",
        "ar": "الصيغ المقترحة غير مناسبة ({items})",
        "en": "offered modes do not fit ({items})",
    },
    "origin": {
        "fr": "originaire de la province de {province}",
        "ar": "ينحدر من إقليم {province}",
        "en": "comes from {province} province",
    },
    "similar_text": {
        "fr": "profil proche de la demande",
        "ar": "ملف قريب من الطلب",
        "en": "profile close to the request",
    },
    "busy": {
        "fr": "déjà {count} mise(s) en relation en cours",
        "ar": "لديه {count} ربط(ات) جارية",
        "en": "already {count} open introduction(s)",
    },
    "mode_name_remote": {"fr": "à distance", "ar": "عن بعد", "en": "remote"},
    "mode_name_on_site": {"fr": "sur place", "ar": "في عين المكان", "en": "on site"},
    "mode_name_mentoring": {"fr": "mentorat", "ar": "توجيه", "en": "mentoring"},
    "mode_name_funding_network": {"fr": "réseau de financement", "ar": "شبكة تمويل", "en": "funding network"},
    "list_separator": {"fr": ", ", "ar": "، ", "en": ", "},
    # command line
    "no_candidate": {"fr": "aucun candidat", "ar": "لا يوجد مرشح", "en": "no candidate"},
}


def say(key: str, locale: str, **values: object) -> str:
    """The sentence for key in the locale (French when the locale is unknown), with values filled in."""
    table = MESSAGES[key]
    return table.get(locale, table["fr"]).format(**values)


def join(items: list[str], locale: str) -> str:
    """Items joined with the locale's separator."""
    return say("list_separator", locale).join(items)
