from sync_service.domain.matching.text import fold_latin, normalize_arabic, stem_arabic, tokens


def test_french_accents_fold_so_faisabilite_equals_faisabilite_with_accent():
    assert tokens("Étude de FAISABILITÉ") == tokens("etude de faisabilite")


def test_french_plurals_and_eaux_share_a_stem():
    assert tokens("réseaux") == tokens("réseau")
    assert tokens("douars") == tokens("douar")
    assert tokens("canaux") == tokens("canal")


def test_french_elision_and_stopwords_are_dropped():
    assert tokens("l'eau de l'assainissement") == tokens("eau assainissement")


def test_english_plural_and_inflection_share_a_stem():
    assert tokens("supplies") == tokens("supply")
    assert tokens("engineers") == tokens("engineer")


def test_arabic_diacritics_tatweel_and_alef_forms_are_unified():
    assert normalize_arabic("المَاءُ") == "الماء"
    assert normalize_arabic("إأآا") == "اااا"
    assert normalize_arabic("مـــاء") == "ماء"
    assert normalize_arabic("مدرسة") == "مدرسه"


def test_arabic_light_prefixes_are_stripped_and_the_word_is_not_transliterated():
    assert tokens("والماء") == tokens("ماء")
    assert tokens("بالماء") == ["ماء"]
    assert stem_arabic("المدارس") == "مدارس"


def test_arabic_prefix_stripping_keeps_at_least_three_letters():
    assert stem_arabic("الم") == "الم"


def test_fold_latin_handles_ligatures():
    assert fold_latin("Œuvre") == "oeuvre"
