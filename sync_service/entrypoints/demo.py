"""`codev demo`: the main job on embedded defaults, with the sandbox and the sample community."""

from __future__ import annotations

import threading
from pathlib import Path

import click
import requests

from sync_service.config import Settings

SAMPLE_SEED = Path("config/examples/communaute.yaml")
DEMO_API_KEY = "demo-admin-api-key-0123456789"  # declared in the sample seed; demo only


@click.command("demo")
@click.option("--port", default=4200, show_default=True, help="Port of the Discourse sandbox.")
@click.option("--seed", type=click.Path(exists=True, dir_okay=False), default=str(SAMPLE_SEED),
              show_default=True, help="Sandbox seed to load.")
@click.option("--check", is_flag=True, help="Start, check that everything answers, then stop.")
@click.pass_obj
def demo(obj: object, port: int, seed: str, check: bool) -> None:
    """Migrate the database, start the sandbox with the sample community, say what to try."""
    from discourse_sandbox import Sandbox
    from sync_service.adapters.db.migrate import upgrade

    settings: Settings = obj.settings  # type: ignore[attr-defined]
    upgrade(settings.database_url)
    sandbox = Sandbox()
    sandbox.load_seed(seed)
    url = sandbox.start("127.0.0.1", port)
    try:
        summary = _summary(url)
        _print_guide(settings, url, seed, summary)
        if check:
            click.echo("demo check: ok")
            return
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("\nstopping")
    finally:
        sandbox.stop()


def _summary(url: str) -> dict[str, int]:
    """Read back, through the API, what the sandbox serves."""
    headers = {"Api-Key": DEMO_API_KEY, "Api-Username": "system"}
    latest = requests.get(f"{url}/latest.json?per_page=100", headers=headers, timeout=10)
    latest.raise_for_status()
    experts = requests.get(f"{url}/groups/experts/members.json?limit=1", headers=headers, timeout=10)
    experts.raise_for_status()
    categories = requests.get(f"{url}/categories.json", headers=headers, timeout=10)
    categories.raise_for_status()
    needs = next(c for c in categories.json()["category_list"]["categories"] if c["slug"] == "besoins")
    return {
        "topics": len(latest.json()["topic_list"]["topics"]),
        "experts": int(experts.json()["meta"]["total"]),
        "needs_category_id": int(needs["id"]),
        "needs": int(needs["topic_count"]),
    }


def _print_guide(settings: Settings, url: str, seed: str, summary: dict[str, int]) -> None:
    from sqlalchemy.engine import make_url

    db = make_url(settings.database_url).render_as_string(hide_password=True)
    needs_path = f"/c/besoins/{summary['needs_category_id']}.json"
    click.echo(f"""
codev demo
  database (migrated):   {db}
  Discourse sandbox:     {url}   (seed: {seed})
  sample community:      {summary['needs']} needs, {summary['topics']} topics on /latest, \
{summary['experts']} experts
  admin API key (demo):  {DEMO_API_KEY}   with Api-Username: system

Try:
  curl -s -H 'Api-Key: {DEMO_API_KEY}' -H 'Api-Username: system' {url}{needs_path}
  curl -s -H 'Api-Key: {DEMO_API_KEY}' -H 'Api-Username: system' {url}/groups/experts/members.json
  curl -s -H 'Api-Key: {DEMO_API_KEY}' -H 'Api-Username: system' '{url}/search.json?q=eau'
  curl -s {url}/_sandbox/stats          (sandbox-only: counts, faults, deliveries)

Not yet in the demo: the webhook intake, the worker, matching and suggestion threads
(issues Sync, Matching and Back to the forum). Ctrl-C stops.""")
