"""min_replicas at its maximum costs bounded work (Hardening 3).

Replicas spread over at least `min_replicas` machines used a table of replicas × spread cells
holding tuples of names: 1,000 took 32 s, 10,000 ran out of memory. Past a small table the search
takes the cheapest plan of at most two instance shapes (packing.Packer._two_shapes). The timing
lives in benchmarks/bounded.py; these check the answers.
"""

from __future__ import annotations

import random

import pytest

from openclosed.selfhost.packing import EXACT_WORK, Instance, Packer

ONE = Instance(1, 1, 3.0, "one")  # one replica per 1-GPU machine, $3/h
EIGHT = Instance(8, 8, 20.0, "eight")  # eight replicas per 8-GPU machine, $20/h


def test_the_maximum_min_replicas_is_answered_by_hand() -> None:
    p = Packer((ONE, EIGHT))
    # 100,000 replicas on at least 100,000 machines: one replica each, on the cheapest machine.
    assert p.plan_spread(100_000, 100_000) == (300_000.0, 100_000, {"one": 100_000})
    # 150,000 replicas on at least 100,000 machines: both limits bind where x + y = 100,000 and
    # x + 8y = 150,000, y = 7,142.86; rounded up, 7,143 eight-GPU and 92,857 one-GPU machines:
    # $278,571 + $142,860 = $421,431 an hour (the linear bound is $421,428.57: within one machine).
    assert p.plan_spread(150_000, 100_000) == (421_431.0, 150_001, {"one": 92_857, "eight": 7_143})


def test_a_large_spread_does_not_build_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    p = Packer((ONE, EIGHT))
    monkeypatch.setattr(Packer, "_exact_spread", lambda *a: pytest.fail("built a replicas × spread table"))
    assert p.cost(10_000, 10_000) == (30_000.0, 10_000)


def test_small_spreads_stay_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    # The usual min_replicas (2 or 3) on machines of eight: the exact table, never the two-shape plan.
    monkeypatch.setattr(Packer, "_two_shapes", lambda *a: pytest.fail("small counts are searched exactly"))
    assert Packer((EIGHT,)).plan_spread(2, 2) == (40.0, 16, {"eight": 2})
    assert EXACT_WORK >= (2 + 1) * (2 + 1) * 1


def test_two_shapes_is_within_one_machine_of_the_exact_search() -> None:
    rng = random.Random(7)
    for _ in range(200):
        menu = tuple(
            Instance(h, h * rng.choice((1, 2)), round(rng.uniform(1, 20) * h, 3), f"i{k}")
            for k, h in enumerate(rng.choice((1, 2, 4, 8)) for _ in range(rng.randint(1, 4)))
        )
        p = Packer(menu)
        replicas = rng.randint(2, 30)
        spread = rng.randint(2, replicas)
        exact, two = p._exact_spread(replicas, spread), p._two_shapes(replicas, spread)
        holds = {i.name: i.holds for i in menu}
        assert sum(two[2].values()) >= spread and sum(holds[k] * n for k, n in two[2].items()) >= replicas
        assert exact[0] - 1e-9 <= two[0] <= exact[0] + max(i.hourly for i in menu)
