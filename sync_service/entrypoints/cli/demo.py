"""`codev demo`: the whole loop on embedded defaults, and what to try in it."""

from __future__ import annotations

import threading

import click

from sync_service.adapters.db.engine import shown
from sync_service.config.files import SAMPLE_SEED
from sync_service.entrypoints.cli.context import Context, configure_logging, pass_context
from sync_service.entrypoints.cli.errors import fail
from sync_service.entrypoints.cli.plan_drafts import import_sample
from sync_service.entrypoints.demo import (
    DEMO_API_KEY,
    DEMO_DATABASE,
    DEMO_RATE,
    MANAGER,
    Demo,
    DemoError,
    free,
    fresh_database,
    only_demo,
)

PLAN_ORGANISATION = "commune-afella-ighir"
PLAN_OFFICIAL = "abdellatif.amghar"  # a member of commune-afella-ighir in the sample seed


@click.command("demo")
@click.option("--port", default=4200, show_default=True, help="Port of the Discourse sandbox.")
@click.option("--web-port", default=8000, show_default=True, help="Port of codev's webhook intake.")
@click.option("--seed", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Sandbox seed to load (default: the sample community).")
@click.option("--database-url", default=DEMO_DATABASE, show_default=True,
              help="The demo's own database, emptied at each start: the sandbox starts afresh too. "
                   "Any other URL must hold no data yet.")
@click.option("--check", is_flag=True,
              help="Run the loop once: review threads appear, one approval opens an introduction; then stop.")
@pass_context
def demo(ctx: Context, port: int, web_port: int, seed: str | None, database_url: str, check: bool) -> None:
    """Start the sandbox, provision it, serve webhooks, run the worker; say how to approve a candidate."""
    config = ctx.config
    seed_path = config.path(seed or SAMPLE_SEED)
    try:
        with only_demo():
            free(port, "sandbox")
            free(web_port, "webhook intake")
            fresh_database(database_url)
            configure_logging(config.settings)
            running = Demo.start(config, seed_path, port, web_port, database_url)
            try:
                changes = running.provision(f"http://127.0.0.1:{web_port}/webhooks/discourse")
                click.echo(f"provision: {changes} change(s) made to the forum")
                running.start_worker()
                reviews = running.wait_for_reviews(timeout=90)
                _print_guide(running, str(seed_path), reviews)
                _import_plan(running)
                if check:
                    click.echo(f"introduction PM opened: {running.check(reviews)}")
                    click.echo("demo check: ok")
                    return
                threading.Event().wait()
            except KeyboardInterrupt:
                click.echo("\nstopping")
            finally:
                running.stop()
    except DemoError as exc:
        raise fail(str(exc)) from exc


def _print_guide(running: Demo, seed: str, reviews: list[tuple[int, int, str]]) -> None:
    url = running.forum_url
    need, topic, title = reviews[0]
    key = f"-H 'Api-Key: {DEMO_API_KEY}'"
    expert = running.an_expert()
    plan = running.config.path("examples/plan-afella-ighir.csv")
    dashboard = running.config.settings.dashboard.url
    click.echo(f"""
codev demo: the whole loop is running
  database (fresh):      {shown(running.config.settings.database_url)}
  Discourse sandbox:     {url}   (seed: {seed}; admin API limit lifted to {DEMO_RATE}/min for the demo)
  review threads:        {len(reviews)} needs have one, in the staff-only category revue-des-suggestions
  admin API key (demo):  {DEMO_API_KEY}

Read the review thread of need {need} ({title}):
  curl -s {key} -H 'Api-Username: system' {url}/t/{topic}.json
Approve its first candidate, as the community manager {MANAGER}:
  curl -s {key} -H 'Api-Username: {MANAGER}' {url}/posts.json -d topic_id={topic} \\
       -d 'raw=approuver 1, merci pour cette suggestion'
See the introduction appear (a private message to the expert, the need's author and the animateurs):
  curl -s {key} -H 'Api-Username: {MANAGER}' {url}/topics/private-messages/{MANAGER}.json
The expert answers in that message with "J'accepte cette mise en relation" or "Je décline cette mise
en relation, merci"; the need's status follows.

The sandbox plays the codev plugin: the need's status, candidates and volunteers as codev pushed them
  curl -s {key} -H 'Api-Username: {MANAGER}' {url}/t/{need}.json   (field codev_need)
and an expert's profile on their user card (field codev_expert):
  curl -s {key} -H 'Api-Username: {MANAGER}' {url}/u/{expert}.json
An expert presses "Je peux aider" (the review thread then lists them as a volunteer):
  curl -s {key} -H 'Api-Username: {expert}' -X POST {url}/codev/topics/{need}/offer.json
A commune's project list, read without creating anything (docs/plan-import.md):
  codev import-plan {plan} --organisation commune-afella-ighir --dry-run

The staff dashboard (results, needs, introductions, missing skills), signed in through the forum:
  1. sign in to the forum as the community manager {MANAGER} (the sandbox's stand-in for
     Discourse's login page): {url}/_sandbox_login?username={MANAGER}
  2. open the dashboard: {dashboard}/dashboard/
  (a member who is not staff, e.g. {expert}, is refused: sign in as them in step 1 to see it)""")


def _import_plan(running: Demo) -> None:
    """Import the sample plan of Afella Ighir for real and say what reached the forum."""
    plan = running.config.path("examples/plan-afella-ighir.csv")
    summary, topics = import_sample(running.codev, plan, PLAN_ORGANISATION, timeout=60)
    url = running.forum_url
    key = f"-H 'Api-Key: {DEMO_API_KEY}'"
    listed, first = ", ".join(map(str, topics)), topics[0] if topics else "ID"
    click.echo(f"""
plan import: {plan} for {PLAN_ORGANISATION}
{summary}
  drafts on the forum:   {len(topics)} unlisted topics in the needs category (topics {listed})
Confirm one as the commune's official (a reply; codev lists it, then holds it as the commune's need)
  curl -s {key} -H 'Api-Username: {PLAN_OFFICIAL}' {url}/posts.json -d topic_id={first} \\
       -d 'raw=Je confirme ce besoin, merci.'
or list it yourself as a community manager who is a moderator in the seed
  curl -s {key} -H 'Api-Username: nadia.elamrani' -X PUT {url}/t/{first}/status.json \\
       -d status=visible -d enabled=true
Ctrl-C stops.""")
