"""`codev match` and `codev eval`: the matching engine on files, without the forum."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from sync_service.adapters.assignment_solver import OrToolsFlowSolver
from sync_service.adapters.embedding import default_embedder
from sync_service.domain.i18n import Translator
from sync_service.domain.matching.batch import match_all
from sync_service.domain.matching.engine import Embedder
from sync_service.domain.matching.evaluation import (
    by_slice,
    engine_rankings,
    evaluate_all,
    idle_hits,
    misses,
    read_grades,
    read_slices,
    trap_hits,
)
from sync_service.domain.matching.parse import InvalidRecord, parse_all
from sync_service.entrypoints.cli.context import Context, pass_context
from sync_service.entrypoints.cli.errors import EXIT_CONFIG, fail
from sync_service.entrypoints.cli.progress import progress

# The labelled sets live in a checkout, beside the package (they do not ship in the wheel).
CHECKOUT_EVAL = Path(__file__).resolve().parents[3] / "tests" / "data" / "eval"


def _read_records(path: str, what: str) -> list[Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{path}: cannot read: {exc}", EXIT_CONFIG) from exc
    except json.JSONDecodeError as exc:
        raise fail(f"{path}: line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}",
                   EXIT_CONFIG) from exc
    try:
        return parse_all(data, what)
    except InvalidRecord as exc:
        raise fail(f"{path}: {exc}", EXIT_CONFIG) from exc


def _embedder(enabled: bool) -> Embedder | None:
    return default_embedder() if enabled else None


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
@pass_context
def match(
    ctx: Context,
    experts_file: str,
    needs_file: str,
    top: int,
    with_assignment: bool,
    output_format: str,
    locale: str | None,
    no_embedding: bool,
) -> None:
    """Rank experts for each need, with reasons; --assign spreads experts across needs and communes."""
    config = ctx.config
    taxonomy, settings, translator = config.taxonomy, config.matching, config.translator
    experts = _read_records(experts_file, "expert")
    needs = _read_records(needs_file, "need")
    with progress("ranking needs", total=len(needs), unit="need") as bar:
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
            progress=bar.update,
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
    default=str(CHECKOUT_EVAL),
    show_default="tests/data/eval of the checkout",
    help="Folder with experts.json, needs.json, grades.json.",
)
@click.option("--k", type=click.IntRange(min=1), default=5, show_default=True)
@click.option(
    "--misses", "show_misses", is_flag=True, help="Also list the needs the engine ranks imperfectly."
)
@pass_context
def evaluate(ctx: Context, data_dir: str, k: int, show_misses: bool) -> None:
    """nDCG@k, recall@k and P@1 of the engine beside plain BM25 and the embedding alone, on a graded set."""
    taxonomy, settings = ctx.config.taxonomy, ctx.config.matching
    folder = Path(data_dir)
    if not (folder / "grades.json").is_file():
        raise fail(f"{folder}: no grades.json: pass --data with a labelled set", EXIT_CONFIG)
    experts = _read_records(str(folder / "experts.json"), "expert")
    needs = _read_records(str(folder / "needs.json"), "need")
    grades = read_grades(json.loads((folder / "grades.json").read_text(encoding="utf-8")))
    rows = evaluate_all(experts, needs, grades, taxonomy, settings, _embedder(True), k)
    click.echo(f"{len(needs)} needs x {len(experts)} experts, graded 0-3; relevant = grade >= 2")
    click.echo(f"{'method':<22} {'nDCG@' + str(k):>8} {'recall@' + str(k):>9} {'P@1':>6}")
    for name, m in rows.items():
        click.echo(f"{name:<22} {m['ndcg']:>8.3f} {m['recall']:>9.3f} {m['p1']:>6.3f}")
    slices_file = folder / "slices.json"
    if not show_misses and not slices_file.is_file():
        return
    ranked = engine_rankings(experts, needs, taxonomy, settings, _embedder(True), k)
    if slices_file.is_file():
        _echo_slices(ranked, grades, slices_file, experts, k)
    if show_misses:
        click.echo("\nengine misses (expert[grade]):")
        for line in misses(ranked, grades, k):
            click.echo("  " + line)


def _echo_slices(
    ranked: dict[str, list[str]], grades: dict[str, dict[str, int]], path: Path, experts: list[Any], k: int
) -> None:
    """The engine's metrics per slice of slices.json, trap experts and 0-hour experts in the first k."""
    try:
        slices, traps = read_slices(json.loads(path.read_text(encoding="utf-8")))
    except ValueError as exc:
        raise fail(f"{path}: {exc}", EXIT_CONFIG) from exc
    click.echo(f"\ncodev engine by slice ({path.name})")
    click.echo(f"{'slice':<22} {'needs':>5} {'nDCG@' + str(k):>8} {'recall@' + str(k):>9} {'P@1':>6}")
    for name, (count, m) in by_slice(ranked, grades, slices, k).items():
        click.echo(f"{name:<22} {count:>5} {m['ndcg']:>8.3f} {m['recall']:>9.3f} {m['p1']:>6.3f}")
    listed = sum(map(len, traps.values()))
    click.echo(f"trap experts in a top {k}: {trap_hits(ranked, traps, k)} (of {listed} listed)")
    click.echo(f"experts with 0 hours in a top {k}: {idle_hits(ranked, experts, k)}")
