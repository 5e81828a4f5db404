"""`codev import-plan`: a commune's project list (PCD, PAC) as draft needs; --dry-run only shows them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from sync_service.adapters.db.engine import DatabaseUnusable
from sync_service.adapters.plans import PlanFileError, read_map, read_rows, sheet_order
from sync_service.bootstrap import Codev
from sync_service.domain.i18n import Translator
from sync_service.domain.matching.taxonomy import Recognizer
from sync_service.domain.plans.report import dry_run_document, dry_run_table
from sync_service.domain.plans.rows import HEADING_SEARCH_ROWS, PlanError, PlanReading, Row, read_plan
from sync_service.entrypoints.cli.context import Context, pass_context
from sync_service.entrypoints.cli.errors import EXIT_CONFIG, fail
from sync_service.entrypoints.cli.plan_drafts import record_import
from sync_service.services.plans import known_fingerprints

NOT_A_TABLE = ("no_heading_row", "map_not_found")  # this sheet holds no project table; another may


@click.command("import-plan")
@click.argument("plan_file", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--organisation", required=True, metavar="GROUP",
              help="The forum group (forum.yaml: a commune's group or an organisation's) whose plan this is.")
@click.option("--dry-run", is_flag=True, help="Show what would be created; create nothing. Without it, the "
              "drafts are recorded and queued for the forum, unlisted until a person lists them.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--map", "map_file", type=click.Path(dir_okay=False), default=None,
              help="YAML file of heading: field, to say which column holds what (docs/plan-import.md).")
@click.option("--sheet", default=None,
              help="The sheet of an XLSX file (default: the active one, else the first with projects).")
@pass_context
def import_plan(ctx: Context, plan_file: str, organisation: str, dry_run: bool, output_format: str,
                map_file: str | None, sheet: str | None) -> None:
    """Read a commune's plan (CSV or XLSX) as draft needs: the columns understood, and per row the need
    it would create (sector, kind, skills, cost, year) or why the row is skipped."""
    config = ctx.config
    translator, locale = config.translator, config.settings.default_locale

    def error(key: str, **values: object) -> click.ClickException:
        return fail(translator.translate(f"plan_import.errors.{key}", locale, **values), EXIT_CONFIG)

    # A plan belongs to a commune or an organisation, never to the experts or the community managers.
    staff = {config.settings.forum.experts_group, config.settings.forum.community_managers_group}
    groups = [g.name for g in config.forum_structure(require_secret=False).groups if g.name not in staff]
    if organisation not in groups:
        raise error("organisation", group=organisation, groups=", ".join(groups))
    try:
        overrides = read_map(Path(map_file)) if map_file else None
    except PlanFileError as exc:
        raise error(exc.problem, file=map_file, **exc.values) from exc
    recognizer = Recognizer(config.taxonomy)
    codev = ctx.codev()
    try:
        previous, unrecorded = _recorded(codev, organisation, dry_run, translator, locale)
        try:
            reading = _first_table(Path(plan_file), sheet, lambda rows: read_plan(
                rows, organisation, recognizer, config.matching.recognition, overrides, previous))
        except PlanFileError as exc:
            raise error(exc.problem, file=plan_file, **exc.values) from exc
        except PlanError as exc:
            raise error(exc.problem, file=plan_file, row=exc.row or 1, column=exc.column or "",
                        limit=HEADING_SEARCH_ROWS, **exc.values) from exc
        document = dry_run_document(reading, translator, locale)
        table = dry_run_table(reading, config.taxonomy, translator, locale, note=dry_run)
        if unrecorded:
            table += "\n" + unrecorded
        if not dry_run:
            summary, document["drafts"] = record_import(codev, reading, organisation)
            table += "\n" + summary
    finally:
        codev.close()
    click.echo(json.dumps(document, ensure_ascii=False, indent=2) if output_format == "json" else table)


def _recorded(codev: Codev, organisation: str, dry_run: bool, translator: Translator,
              locale: str) -> tuple[dict[str, str], str | None]:
    """The rows already imported for the organisation; a dry run without a usable database shows every
    row as new, and says why in its table."""
    try:
        with codev.uow() as uow:
            return known_fingerprints(uow, organisation), None
    except DatabaseUnusable as exc:
        if not dry_run:
            raise
        return {}, translator.translate("plan_import.no_database", locale, why=str(exc))


def _first_table(path: Path, sheet: str | None, read: Callable[[list[Row]], PlanReading]) -> PlanReading:
    """The plan of the first sheet that holds a project table: the sheet asked for, else the active one,
    then the others (a cover page or a sheet of notes often comes first)."""
    errors: list[PlanError] = []
    for candidate in sheet_order(path, sheet):
        try:
            return read(read_rows(path, candidate))
        except PlanError as exc:
            if exc.problem not in NOT_A_TABLE:
                raise
            errors.append(exc)
    raise errors[0]
