"""Approval by tag: which tags of a review topic approve which rank, and that each is acted on once."""

from __future__ import annotations

from sync_service.domain import brokerage as b


def test_tags_of_the_prefix_and_a_rank_are_read_without_case() -> None:
    tags = ["approuver-1", "Approuver-12", "approuver-", "approuver-x", "approuver-0", "eau-potable",
            "approuver-123", "desapprouver-2"]

    assert b.tag_ranks(tags, "approuver-") == {"approuver-1": 1, "Approuver-12": 12}


def test_no_prefix_means_tags_never_approve() -> None:
    assert b.tag_ranks(["approuver-1", "1"], "") == {}
    assert b.approve_tag("", 1) is None
    assert b.approve_tag("approuver-", 2) == "approuver-2"


def test_a_handled_tag_that_stays_is_not_applied_again() -> None:
    new, handled = b.tags_to_apply(["approuver-1", "approuver-2"], ["approuver-1"], "approuver-")

    assert new == {"approuver-2": 2}
    assert handled == ("approuver-1", "approuver-2")


def test_a_tag_removed_from_the_topic_is_forgotten_so_adding_it_again_applies_it() -> None:
    new, handled = b.tags_to_apply(["eau-potable"], ["approuver-1"], "approuver-")
    assert (new, handled) == ({}, ())

    new, handled = b.tags_to_apply(["approuver-1"], handled, "approuver-")
    assert (new, handled) == ({"approuver-1": 1}, ("approuver-1",))
