"""`codev match` and `codev eval`: the matching engine on files, without the forum."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from sync_service.config import ConfigError
from sync_service.domain.i18n import Translator

TAXONOMY_OPTION = click.option(
    "--taxonomy",
    "taxonomy_file",
    type=click.Path(dir_okay=False),
    default="config/taxonomy.yaml",
    show_default=True,
    help="Taxonomy YAML.",
)
MATCHING_OPTION = click.option(
    "--matching-config",
    "matching_file",
    type=click.Path(dir_okay=False),
    default="config/matching.yaml",
    show_default=True,
    help="Weights YAML.",
)


def _load_config(taxonomy_file: str, matching_file: str) -> tuple[Any, Any]:
    from sync_service.matching_config import load_matching_settings, load_taxonomy

    try:
        return load_taxonomy(taxonomy_file), load_matching_settings(matching_file)
    except ConfigError as exc:
        click.echo(f"codev: configuration error: {exc}", err=True)
        sys.exit(2)


def _load_translator() -> Translator:
    from sync_service.i18n_config import load_translator

    try:
        return load_translator()
    except ConfigError as exc:
        click.echo(f"codev: configuration error: {exc}", err=True)
        sys.exit(2)


def _read_records(path: str, what: str) -> list[Any]:
    from sync_service.domain.matching.parse import InvalidRecord, parse_all

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"codev: {path}: cannot read: {exc}", err=True)
        sys.exit(2)
    except json.JSONDecodeError as exc:
        click.echo(
            f"codev: {path}: line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}", err=True
        )
        sys.exit(2)
    try:
        return parse_all(data, what)
    except InvalidRecord as exc:
        click.echo(f"codev: {path}: {exc}", err=True)
        sys.exit(2)


def _embedder(enabled: bool) -> Any:
    if not enabled:
        return None
    from sync_service.adapters.embedding import default_embedder

    return default_embedder()


@click.command("match")
@click.option(
    "--experts",
    "experts_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="JSON list of experts (schema in docs/matching.md).",
)
@click.option(
    "--needs",
    "needs_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="JSON list of needs (schema in docs/matching.md).",
)
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True, help="Suggestions per need.")
@click.option("--assign", "with_assignment", is_flag=True, help="Also plan a capacity-aware assignment.")
@click.option(
    "--format", "output_format", type=click.Choice(["json", "table"]), default="json", show_default=True
)
@click.option(
    "--locale",
    type=click.Choice(["fr", "ar", "en"]),
    default=None,
    help="Language of the reasons (default: the configured one, French).",
)
@click.option("--no-embedding", is_flag=True, help="Leave out semantic similarity (faster, less recall).")
@TAXONOMY_OPTION
@MATCHING_OPTION
def match(
    experts_file: str,
    needs_file: str,
    top: int,
    with_assignment: bool,
    output_format: str,
    locale: str | None,
    no_embedding: bool,
    taxonomy_file: str,
    matching_file: str,
) -> None:
    """Rank experts for each need, with reasons; --assign spreads experts across needs and communes."""
    from sync_service.adapters.assignment_solver import OrToolsFlowSolver
    from sync_service.domain.matching.batch import match_all

    taxonomy, settings = _load_config(taxonomy_file, matching_file)
    translator = _load_translator()
    experts = _read_records(experts_file, "expert")
    needs = _read_records(needs_file, "need")
    result = match_all(
        experts,
        needs,
        taxonomy,
        settings,
        translator,
        embedder=_embedder(not no_embedding),
        top=top,
        with_assignment=with_assignment,
        locale=locale,
        solver=OrToolsFlowSolver() if with_assignment else None,
    )
    if output_format == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(_table(result, translator, locale or settings.default_locale))


def _table(result: dict[str, Any], translator: Translator, locale: str) -> str:
    lines = []
    for entry in result["results"]:
        lines.append(f"need {entry['need']}")
        if not entry["suggestions"]:
            lines.append(f"  ({translator.translate('reasons.no_candidate', locale)})")
        for rank, s in enumerate(entry["suggestions"], start=1):
            lines.append(f"  {rank}. {s['expert']!s:<14} {s['score']:.3f}  {'; '.join(s['reasons'])}")
    if "assignment" in result:
        plan = result["assignment"]
        lines.append("")
        lines.append(f"assignment (total score {plan['total_score']:.3f})")
        for p in plan["proposals"]:
            who = ", ".join(f"{e['expert']} ({e['score']:.3f})" for e in p["experts"]) or "-"
            lines.append(f"  {p['need']!s:<14} {who}")
        if plan["uncovered_communes"]:
            lines.append(f"  communes without a proposal: {', '.join(plan['uncovered_communes'])}")
    return "\n".join(lines)


@click.command("eval")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    default="tests/data/eval",
    show_default=True,
    help="Folder with experts.json, needs.json, grades.json.",
)
@click.option("--k", type=click.IntRange(min=1), default=5, show_default=True)
@click.option(
    "--misses", "show_misses", is_flag=True, help="Also list the needs the engine ranks imperfectly."
)
@TAXONOMY_OPTION
@MATCHING_OPTION
def evaluate(data_dir: str, k: int, show_misses: bool, taxonomy_file: str, matching_file: str) -> None:
    """nDCG@k, recall@k and P@1 of the engine beside plain BM25 and the embedding alone, on a graded set."""
    from sync_service.domain.matching.evaluation import engine_rankings, evaluate_all, misses, read_grades

    taxonomy, settings = _load_config(taxonomy_file, matching_file)
    folder = Path(data_dir)
    experts = _read_records(str(folder / "experts.json"), "expert")
    needs = _read_records(str(folder / "needs.json"), "need")
    grades = read_grades(json.loads((folder / "grades.json").read_text(encoding="utf-8")))
    rows = evaluate_all(experts, needs, grades, taxonomy, settings, _embedder(True), k)
    click.echo(f"{len(needs)} needs x {len(experts)} experts, graded 0-3; relevant = grade >= 2")
    click.echo(f"{'method':<22} {'nDCG@' + str(k):>8} {'recall@' + str(k):>9} {'P@1':>6}")
    for name, m in rows.items():
        click.echo(f"{name:<22} {m['ndcg']:>8.3f} {m['recall']:>9.3f} {m['p1']:>6.3f}")
    if show_misses:
        click.echo("\nengine misses (expert[grade]):")
        ranked = engine_rankings(experts, needs, taxonomy, settings, _embedder(True), k)
        for line in misses(ranked, grades, k):
            click.echo("  " + line)
