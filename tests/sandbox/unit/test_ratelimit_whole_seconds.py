"""The sandbox's admin limiter counts in whole seconds, as Discourse's RateLimiter (Time.now.to_i)."""

from __future__ import annotations

from discourse_sandbox.core.clock import Clock
from discourse_sandbox.core.ratelimit import RateLimiter


def test_a_hit_late_in_a_second_is_stamped_with_that_second() -> None:
    clock = Clock()
    limiter = RateLimiter(clock, limit=1)
    clock.advance(0.9)
    limiter.hit("admin_api_min")  # stamped 0

    clock.advance(59.2)  # 60.1: floor(60.1) - 0 >= 60, though only 59.2 s have passed

    assert limiter.hit("admin_api_min") is None


def test_retry_after_is_counted_in_whole_seconds() -> None:
    clock = Clock()
    limiter = RateLimiter(clock, limit=1)
    clock.advance(0.9)
    limiter.hit("admin_api_min")  # stamped 0
    clock.advance(19.2)  # 20.1, stamped 20

    assert limiter.hit("admin_api_min") == 40  # 60 - (20 - 0); fractional seconds would say 41
    clock.advance(40)  # what the refusal said: allowed then
    assert limiter.hit("admin_api_min") is None


def test_a_refused_hit_is_not_recorded() -> None:
    clock = Clock()
    limiter = RateLimiter(clock, limit=2)
    limiter.hit("b")
    clock.advance(30)
    limiter.hit("b")
    assert limiter.hit("b") == 30

    clock.advance(30.5)  # the first hit has left the window, the refused one never counted

    assert limiter.hit("b") is None
    assert limiter.hit("b") == 30  # the second (30) is now the oldest kept: 60 - (60 - 30)
