"""`codev call` and `codev campaign` as a person runs them: the draft printed in each language, a
malformed call file named in one line, the call published once through the outbox to the sandbox,
a campaign launched once and listed (no e-mail address anywhere)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner, Result

from discourse_sandbox import Sandbox
from discourse_sandbox.seed import load_seed_data
from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.unit_of_work import SqlUnitOfWork
from sync_service.domain.needs import NeedDetails
from sync_service.entrypoints.cli import cli
from tests.conftest import ADMIN_API_KEY

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)


def _database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'codev.db'}"
    upgrade(url)
    engine = make_engine(url)
    with SqlUnitOfWork(engine) as uow:
        uow.needs.save(NeedDetails(11, "Eau potable", 5, "rkia", commune_group="commune-anzi", commune="Anzi",
                                   skills=("Hydraulique", "Topographie")), NOW, NOW)
        uow.commit()
    engine.dispose()
    return url


def _run(url: str, *args: str, forum: str = "http://127.0.0.1:9") -> Result:
    env = {"CODEV_DATABASE_URL": url, "CODEV_DISCOURSE_URL": forum, "CODEV_DISCOURSE_API_KEY": ADMIN_API_KEY,
           "CODEV_DISCOURSE_API_USERNAME": "system"}
    return CliRunner().invoke(cli, list(args), env=env)


def test_the_draft_lists_the_gaps_in_each_language(tmp_path: Path) -> None:
    url = _database(tmp_path)

    fr = _run(url, "call", "draft", "--locale", "fr")
    ar = _run(url, "call", "draft", "--locale", "ar")
    plain = _run(url, "call", "draft", "--locale", "en", "--plain", "--json")

    assert fr.exit_code == ar.exit_code == plain.exit_code == 0, fr.output + ar.output + plain.output
    assert fr.output.startswith("# Appel à experts de la diaspora : Hydraulique") and "Anzi" in fr.output
    assert "الكفاءات المطلوبة" in ar.output and "أنزي" in ar.output and "Anzi" not in ar.output
    assert json.loads(plain.output)["gaps"] == [{"skill": "Hydraulique", "needs": 1, "communes": ["Anzi"]},
                                                {"skill": "Topographie", "needs": 1, "communes": ["Anzi"]}]


def test_a_call_file_without_a_title_is_named_in_one_line_and_nothing_is_queued(tmp_path: Path) -> None:
    url = _database(tmp_path)
    edited = tmp_path / "appel.md"
    edited.write_text("Appel sans titre\n\nBonjour à toutes et à tous.\n", encoding="utf-8")

    result = _run(url, "call", "publish", str(edited), "--category", "pratiques", "--as", "youness")

    assert result.exit_code == 2
    assert result.output.strip() == f"codev: {edited}: the first line must be the title, written \"# Title\""


def test_the_edited_call_is_queued_once_for_the_category(tmp_path: Path, sandbox: Sandbox) -> None:
    load_seed_data(sandbox, {"categories": [{"name": "Bonnes pratiques", "slug": "pratiques"}]})
    url = _database(tmp_path)
    edited = tmp_path / "appel.md"
    edited.write_text(_run(url, "call", "draft").output + "\nMerci de partager.\n", encoding="utf-8")

    first = _run(url, "call", "publish", str(edited), "--category", "pratiques", "--as", "youness",
                 forum=sandbox.base_url)
    again = _run(url, "call", "publish", str(edited), "--category", "pratiques", "--as", "youness",
                 forum=sandbox.base_url)
    unknown = _run(url, "call", "publish", str(edited), "--category", "nulle-part", "--as", "youness",
                   forum=sandbox.base_url)
    sent = _run(url, "outbox", "--send", forum=sandbox.base_url)

    assert first.exit_code == 0 and "queued for the forum" in first.output, first.output
    assert again.exit_code == 0 and "nothing new" in again.output
    assert unknown.exit_code == 2 and "--category nulle-part" in unknown.output
    assert sent.exit_code == 0 and "sent 1" in sent.output, sent.output
    with sandbox.state.transaction() as state:
        titles = [t.title for t in state.topics.values() if t.title.startswith("Appel à experts")]
    assert titles == ["Appel à experts de la diaspora : Hydraulique, Topographie"]


def test_a_campaign_is_launched_once_and_listed(tmp_path: Path) -> None:
    url = _database(tmp_path)

    first = _run(url, "campaign", "create", "Hiver 2026", "--days", "45", "--max-uses", "80",
                 "--as", "youness")
    again = _run(url, "campaign", "create", "Hiver 2026")
    bad = _run(url, "campaign", "create", "Été", "--max-uses", "0")
    listed = _run(url, "campaign", "list", "--offline", "--format", "json")

    assert first.exit_code == 0 and "launched" in first.output, first.output
    assert again.exit_code == 0 and "already launched" in again.output
    assert bad.exit_code == 2 and bad.output.startswith("codev: --max-uses must be between 1 and 5000")
    [row] = json.loads(listed.output)
    assert (row["name"], row["max_uses"], row["joined"], row["accepted"], row["link"]) == (
        "Hiver 2026", 80, 0, 0, None)
    assert row["skills"] == ["Hydraulique", "Topographie"] and "@" not in listed.output
