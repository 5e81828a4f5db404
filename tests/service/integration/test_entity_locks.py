"""One fetch-and-write per entity at a time, on both databases: a unit of work that locks an entity
makes every other unit that locks it wait until it ends (threads and processes alike)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.unit_of_work import SqlUnitOfWork
from tests import paths


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


def test_a_second_unit_waits_for_the_first_to_end_before_it_holds_the_entity(engine: Engine) -> None:
    order: list[str] = []
    first_holds = threading.Event()

    def first() -> None:
        with SqlUnitOfWork(engine) as uow:
            uow.lock_entity("person", 42)
            order.append("first locked")
            first_holds.set()
            time.sleep(0.3)  # a refetch in flight
            order.append("first commits")
            uow.commit()

    def second() -> None:
        first_holds.wait(10)
        with SqlUnitOfWork(engine) as uow:
            uow.lock_entity("person", 42)
            order.append("second locked")
            uow.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)

    assert order == ["first locked", "first commits", "second locked"]


def test_other_entities_do_not_wait(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as holder:
        holder.lock_entity("person", 42)
        done = threading.Event()

        def other() -> None:
            with SqlUnitOfWork(engine) as uow:
                uow.lock_entity("need", 42)  # another kind, or another id, is another entity
                uow.commit()
            done.set()

        threading.Thread(target=other).start()
        assert done.wait(10)


def test_the_lock_holds_across_processes(engine: Engine, database_url: str, tmp_path: Path) -> None:
    marker = tmp_path / "order.txt"
    script = (
        "import sys, time\n"
        "from sync_service.adapters.db.engine import make_engine\n"
        "from sync_service.adapters.db.unit_of_work import SqlUnitOfWork\n"
        f"engine = make_engine({database_url!r})\n"
        "with SqlUnitOfWork(engine) as uow:\n"
        "    uow.lock_entity('need', 7)\n"
        f"    open({str(marker)!r}, 'a').write('child locked\\n')\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(0.5)\n"
        f"    open({str(marker)!r}, 'a').write('child commits\\n')\n"
        "    uow.commit()\n")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             cwd=paths.ROOT, env={"PYTHONPATH": str(paths.ROOT)})
    assert child.stdout is not None and child.stdout.readline().strip() == "locked"

    with SqlUnitOfWork(engine) as uow:
        uow.lock_entity("need", 7)
        with marker.open("a") as out:
            out.write("parent locked\n")
        uow.commit()
    child.wait(20)

    assert marker.read_text().splitlines() == ["child locked", "child commits", "parent locked"]


def test_on_sqlite_an_entity_is_locked_before_the_units_first_statement(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'codev.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with SqlUnitOfWork(engine) as uow:
            uow.experts.ids()  # SQLite's write lock is now held (BEGIN IMMEDIATE)
            with pytest.raises(RuntimeError, match="before the unit's first statement"):
                uow.lock_entity("person", 1)
            uow.rollback()
            uow.lock_entity("person", 1)  # a new transaction: fine
    finally:
        engine.dispose()
