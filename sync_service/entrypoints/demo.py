"""`codev demo`: the whole loop on embedded defaults: the sandbox with the sample community, `codev
provision`, the webhook intake (`codev serve`) and the worker (sync, matching, review threads,
introductions, the outbox), all in one process."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path
from typing import Any

import click
import requests

from sync_service.config import DiscourseSettings, Settings

SAMPLE_SEED = Path("config/examples/communaute.yaml")
DEMO_API_KEY = "demo-admin-api-key-0123456789"  # declared in the sample seed; demo only
DEMO_DATABASE = "sqlite:///var/demo.db"
DEMO_WEBHOOK_SECRET = "demo-webhook-secret-0123456789"  # demo only
# The demo lifts the sandbox's admin API limit (Discourse's default is 60 a minute) so that the loop
# shows in seconds; codev paces itself to the same figure. Production keeps 60.
DEMO_RATE = 600
MANAGER = "youness.azougagh"  # a member of the animateurs group in the sample seed


@click.command("demo")
@click.option("--port", default=4200, show_default=True, help="Port of the Discourse sandbox.")
@click.option("--web-port", default=8000, show_default=True, help="Port of codev's webhook intake.")
@click.option("--seed", type=click.Path(exists=True, dir_okay=False), default=str(SAMPLE_SEED),
              show_default=True, help="Sandbox seed to load.")
@click.option("--database-url", default=DEMO_DATABASE, show_default=True,
              help="The demo's own database, emptied at each start: the sandbox starts afresh too. "
                   "Any other URL must hold no data yet.")
@click.option("--check", is_flag=True,
              help="Run the loop once: review threads appear, one approval opens an introduction; then stop.")
@click.pass_obj
def demo(obj: object, port: int, web_port: int, seed: str, database_url: str, check: bool) -> None:
    """Start the sandbox, provision it, serve webhooks, run the worker; say how to approve a candidate."""
    from discourse_sandbox import Sandbox, SandboxSettings
    from sync_service.entrypoints.worker import configure_logging

    base: Settings = dataclasses.replace(obj.settings, database_url=database_url)  # type: ignore[attr-defined]
    _fresh_database(database_url)
    sandbox = Sandbox(SandboxSettings(max_admin_api_reqs_per_minute=DEMO_RATE))
    sandbox.load_seed(seed)
    url = sandbox.start("127.0.0.1", port)
    settings = dataclasses.replace(
        base, discourse=DiscourseSettings(url, DEMO_API_KEY, "system"),
        webhook_secrets=(DEMO_WEBHOOK_SECRET,),
        forum_api=dataclasses.replace(base.forum_api, requests_per_minute=DEMO_RATE))
    configure_logging()
    web = _serve_webhooks(settings, web_port)
    worker: Any = None
    try:
        click.echo(_provision(settings, f"http://127.0.0.1:{web_port}/webhooks/discourse"))
        worker = _start_worker(settings)
        reviews = _wait_for_reviews(settings, timeout=90)
        _print_guide(settings, url, seed, reviews)
        if check:
            _check(settings, url, reviews)
            click.echo("demo check: ok")
            return
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("\nstopping")
    finally:
        if worker is not None:
            worker.stop.set()
        web.shutdown()
        sandbox.stop()


def _fresh_database(url: str) -> None:
    """The sandbox forgets everything when it stops, so codev's demo database must start empty too:
    the demo's SQLite file is removed; any other database must hold no need and no outbox row yet."""
    from sqlalchemy import func, select
    from sqlalchemy.engine import make_url

    from sync_service.adapters.db.engine import make_engine
    from sync_service.adapters.db.migrate import upgrade
    from sync_service.adapters.db.records import NeedRecord

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            held = connection.scalar(select(func.count()).select_from(NeedRecord))
    finally:
        engine.dispose()
    if held:
        shown = parsed.render_as_string(hide_password=True)
        raise click.ClickException(f"{shown} already holds {held} needs; the demo needs an empty database "
                                   "(its sandbox starts afresh)")


def _serve_webhooks(settings: Settings, port: int) -> Any:
    from werkzeug.serving import make_server

    from sync_service import create_app

    server = make_server("127.0.0.1", port, create_app(settings), threaded=True)
    threading.Thread(target=server.serve_forever, name="codev-web", daemon=True).start()
    return server


def _provision(settings: Settings, webhook_url: str) -> str:
    from sync_service.adapters.discourse.admin import DiscourseAdmin
    from sync_service.adapters.discourse.client import HttpPolicy, Transport
    from sync_service.forum_config import load_forum_structure
    from sync_service.services.provision import provision

    desired = load_forum_structure(settings, "config/forum.yaml", webhook_url=webhook_url)
    forum = settings.discourse
    admin = DiscourseAdmin(Transport(forum.url, forum.api_key, forum.api_username,
                                     HttpPolicy(requests_per_minute=DEMO_RATE)))
    result = provision(admin, desired)
    if result.refused is not None:
        raise click.ClickException(f"provision refused: {result.refused.what}: {result.refused.reason}")
    return f"provision: {len(result.applied)} change(s) made to the forum"


def _start_worker(settings: Settings) -> Any:
    """Reconcile once (the seed was there before the webhook), then process webhooks until stopped."""
    from sync_service.adapters.db.inbox_claims import SqlInbox
    from sync_service.entrypoints.brokerage_wiring import build_loop, thread_reader
    from sync_service.entrypoints.worker import utcnow, wire
    from sync_service.services.reconcile import reconcile
    from sync_service.services.worker import Worker, applying

    wiring = wire(settings)
    stop = threading.Event()
    loop = build_loop(settings, wiring, "demo-worker", utcnow, stop.is_set)
    worker = Worker(wiring.uow_factory, SqlInbox(), applying(wiring.forum, wiring.rules, thread_reader(loop)),
                    settings.worker, "demo-worker", utcnow, stop=stop, after_batch=loop.after_batch)

    def run() -> None:
        reconcile(wiring.uow_factory, wiring.forum, wiring.rules, False, utcnow(), clock=utcnow)
        loop.after_batch({"created": 1})
        worker.run_forever(idle_seconds=0.2)

    threading.Thread(target=run, name="codev-worker", daemon=True).start()
    return worker


def _review_topics(settings: Settings) -> list[tuple[int, int, str]]:
    """(need topic id, review topic id, need title) of every review thread the forum has."""
    from sync_service.adapters.db.engine import make_engine
    from sync_service.adapters.db.unit_of_work import SqlUnitOfWork

    engine = make_engine(settings.database_url)
    try:
        with SqlUnitOfWork(engine) as uow:
            found = []
            for need in uow.needs.open_needs():
                thread = uow.reviews.get(need.topic_id)
                if thread is not None and thread.topic_id is not None:
                    found.append((need.topic_id, thread.topic_id, need.title))
            return found
    finally:
        engine.dispose()


def _wait_for_reviews(settings: Settings, timeout: float) -> list[tuple[int, int, str]]:
    deadline = time.monotonic() + timeout
    last: list[tuple[int, int, str]] = []
    while time.monotonic() < deadline:
        found = _review_topics(settings)
        if found and found == last:
            return found  # stable between two looks: the first pass is done
        last = found
        time.sleep(2.0)
    if not last:
        raise click.ClickException(f"no review thread appeared within {timeout:.0f} s (see the log above)")
    return last


def _api(url: str, username: str = "system") -> dict[str, str]:
    return {"Api-Key": DEMO_API_KEY, "Api-Username": username}


def _check(settings: Settings, url: str, reviews: list[tuple[int, int, str]]) -> None:
    """Approve the first candidate of the first review thread as the community manager; wait for the PM."""
    _need, topic_id, _title = reviews[0]
    first = requests.get(f"{url}/t/{topic_id}.json", headers=_api(url), timeout=10).json()
    post_id = first["post_stream"]["stream"][0]
    raw = requests.get(f"{url}/posts/{post_id}.json", headers=_api(url), timeout=10).json()["raw"]
    if "approuver" not in raw:
        raise click.ClickException(f"review topic {topic_id} shows no candidate to approve")
    answer = requests.post(f"{url}/posts.json", headers=_api(url, MANAGER), timeout=10,
                           data={"topic_id": topic_id, "raw": "approuver 1, merci pour cette suggestion"})
    answer.raise_for_status()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listing = requests.get(f"{url}/topics/private-messages/{MANAGER}.json", headers=_api(url, MANAGER),
                               timeout=10)
        if listing.ok and listing.json().get("topic_list", {}).get("topics"):
            click.echo(f"introduction PM opened: {listing.json()['topic_list']['topics'][0]['title']}")
            return
        time.sleep(1.0)
    raise click.ClickException("the approval did not open an introduction within 60 s")


def _print_guide(settings: Settings, url: str, seed: str, reviews: list[tuple[int, int, str]]) -> None:
    from sqlalchemy.engine import make_url

    db = make_url(settings.database_url).render_as_string(hide_password=True)
    need, topic, title = reviews[0]
    key = f"-H 'Api-Key: {DEMO_API_KEY}'"
    click.echo(f"""
codev demo: the whole loop is running
  database (fresh):      {db}
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
The expert answers in that message with "j'accepte" or "je décline"; the need's status follows.
Ctrl-C stops.""")
