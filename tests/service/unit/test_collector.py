"""The cyclic garbage collector paused while a tally or a page is made (services/report.py): shared by
the threads of a web process, on again only when the last one is done, and only if it was on."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from sync_service.services.report import COLLECTOR, collector_paused


@pytest.fixture(autouse=True)
def _collector_as_it_was() -> Iterator[None]:
    was_on = gc.isenabled()
    yield
    (gc.enable if was_on else gc.disable)()


def test_overlapping_pauses_resume_the_collector_when_the_last_one_ends() -> None:
    gc.enable()
    COLLECTOR.pause()  # a page in one thread
    with collector_paused():  # a tally in another
        assert not gc.isenabled()
    assert not gc.isenabled()  # the page is still being made
    COLLECTOR.resume()
    assert gc.isenabled()


def test_a_collector_off_before_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_collector_comes_back_on_when_the_work_fails() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the database went away")
    assert gc.isenabled()
