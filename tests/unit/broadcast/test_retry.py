"""RetryPolicy: doubling delay with a cap, limited or unlimited attempts."""

from __future__ import annotations

from studio.broadcast.mux import RetryPolicy


def test_delay_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(retries=5, delay_s=0.5, max_delay_s=3.0)
    assert [policy.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]
    assert policy.delay(0) == 0.5


def test_cap_is_never_below_the_first_delay() -> None:
    policy = RetryPolicy(retries=1, delay_s=4.0, max_delay_s=1.0)
    assert policy.delay(1) == 4.0
    assert policy.delay(3) == 4.0


def test_limited_attempts() -> None:
    policy = RetryPolicy(retries=3)
    assert not any(policy.exhausted(n) for n in (1, 2, 3))
    assert policy.exhausted(4)


def test_zero_retries_means_forever() -> None:
    policy = RetryPolicy(retries=0, delay_s=1.0, max_delay_s=15.0)
    assert not policy.exhausted(10_000)
    assert policy.delay(10_000) == 15.0
