"""Normalisation per script: French/English folding and light stemming, Arabic normalisation (never
transliterated)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0671-\u06d3]")
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # diacritics + tatweel
_ALEF_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_ELISION = re.compile(r"\b(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)

# Longest first so that "وال" is tried before "و".
_AR_PREFIXES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و")
_AR_SUFFIXES = ("هما", "ات", "ون", "ين", "ها", "ان", "يه", "ه", "ي")

_STOPWORDS = """
    a à au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma mais me même mes
    moi mon ne nos notre nous on ou où par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un
    une vos votre vous est sont être avoir été plus très bien tout tous toute toutes comme afin entre
    chez sans the of and or to in on for with by at from as is are be an this that these those our their
    its it we you they will can has have had was were not into per over في من الى على عن مع او و ثم هذا
    هذه ذلك تلك التي الذي الذين ان كان كانت لكل كل ما لا لم لن قد هو هي هم نحن انا عند"""
STOPWORDS = frozenset(_STOPWORDS.split())


def is_arabic(token: str) -> bool:
    """True when the token is written in Arabic script."""
    return bool(_ARABIC_LETTER.search(token))


def fold_latin(text: str) -> str:
    """Lowercase and remove accents: "Faisabilité" -> "faisabilite"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return (
        "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        .replace("œ", "oe")
        .replace("æ", "ae")
    )


def normalize_arabic(text: str) -> str:
    """Remove diacritics and tatweel; unify alef, ya and ta marbuta forms."""
    return _ARABIC_MARKS.sub("", text).translate(_ALEF_FORMS)


@lru_cache(maxsize=200_000)
def stem_latin(word: str) -> str:
    """Light stemmer for folded French and English words: plurals and frequent inflections only."""
    w = word
    if w.endswith("eaux"):
        w = w[:-1]
    elif len(w) > 5 and w.endswith("aux"):
        w = w[:-3] + "al"
    elif len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w[-1] in "sx" and w[-2] not in "su":
        w = w[:-1]
    for suffix in ("ements", "ement", "ations", "ation", "ateurs", "ateur", "atrice", "ing", "ique", "iques"):
        if len(w) - len(suffix) >= 4 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    while len(w) > 3 and w[-1] in "e":
        w = w[:-1]
    if len(w) > 5 and w.endswith("er"):
        w = w[:-2]
    if len(w) > 4 and w[-1] == w[-2]:
        w = w[:-1]
    return w


@lru_cache(maxsize=200_000)
def stem_arabic(word: str) -> str:
    """Light prefix and suffix stripping (after Larkey's light10), keeping at least three letters."""
    w = word
    for prefix in _AR_PREFIXES:
        if w.startswith(prefix) and len(w) - len(prefix) >= 3:
            w = w[len(prefix) :]
            break
    for suffix in _AR_SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    return w


def raw_tokens(text: str) -> list[str]:
    """Split text into word tokens, keeping case (acronyms are recognised on these)."""
    return _TOKEN.findall(_ELISION.sub(" ", text))


@lru_cache(maxsize=500_000)
def normalize_token(token: str) -> str:
    """One token to its normalised, stemmed form; empty for a stopword."""
    if is_arabic(token):
        base = normalize_arabic(token)
        return "" if base in STOPWORDS else stem_arabic(base)
    folded = fold_latin(token)
    if folded in STOPWORDS or (len(folded) < 2 and not folded.isdigit()):
        return ""
    return stem_latin(folded)


def tokens(text: str) -> list[str]:
    """Normalised tokens of a text, stopwords removed."""
    out = []
    for raw in raw_tokens(text):
        norm = normalize_token(raw)
        if norm:
            out.append(norm)
    return out
