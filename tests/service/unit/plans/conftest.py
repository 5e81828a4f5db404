"""The real taxonomy, weights and translations from config/."""

import pytest

from sync_service.config.locales import load_translator
from sync_service.config.matching import load_matching_settings, load_taxonomy
from sync_service.domain.matching.taxonomy import Recognizer
from tests import paths


@pytest.fixture(scope="session")
def taxonomy():
    return load_taxonomy(paths.ROOT / "config" / "taxonomy.yaml")


@pytest.fixture(scope="session")
def recognition():
    return load_matching_settings(paths.ROOT / "config" / "matching.yaml").recognition


@pytest.fixture(scope="session")
def recognizer(taxonomy):
    return Recognizer(taxonomy)


@pytest.fixture(scope="session")
def translator():
    return load_translator(paths.ROOT / "config" / "locales")
