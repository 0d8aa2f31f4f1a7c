"""Packing replicas into rentable instances: exact for small counts, consistent everywhere."""

from __future__ import annotations

import math

from openclosed.engine import Instance, Packer

# AWS-like H100 menu for 2-GPU replicas: an 8-GPU instance only (holds 4), and L4-like 1-GPU
# replicas with a 1-GPU instance and a cheaper-per-GPU 8-GPU one.
EIGHT = (Instance(4, 8, 55.04, "p5.48xlarge"),)
MIXED = (Instance(1, 1, 0.80, "g6.xlarge"), Instance(8, 8, 13.35 * 0.5, "g6.48xlarge-discounted"))


def brute(instances: tuple[Instance, ...], n: int) -> float:
    best = [0.0] + [math.inf] * n
    for k in range(1, n + 1):
        best[k] = min(best[max(0, k - i.holds)] + i.hourly for i in instances)
    return best[n]


def test_small_counts_are_exact() -> None:
    for menu in (EIGHT, MIXED):
        p = Packer(menu)
        for n in range(1, 60):
            assert abs(p.hourly(n) - brute(menu, n)) < 1e-9


def test_plan_hourly_and_many_agree() -> None:
    p = Packer(MIXED)
    counts = [1, 7, 8, 9, 41, 1000, 123_457]
    many = p.hourly_many(counts)
    for n, h in zip(counts, many, strict=True):
        cost, gpus, by_name = p.plan(n)
        assert cost == h == p.hourly(n)
        assert sum(by_name.values()) >= 1 and gpus >= n
        assert gpus == sum(k * (8 if "48x" in name else 1) for name, k in by_name.items())


def test_replicas_never_split_across_instances() -> None:
    cost, gpus, by_name = Packer(EIGHT).plan(5)  # 5 two-GPU replicas need two 8-GPU instances
    assert by_name == {"p5.48xlarge": 2} and gpus == 16 and cost == 2 * 55.04


def test_nothing_to_rent() -> None:
    assert Packer(()).hourly(3) == math.inf and Packer(()).plan(3) == (math.inf, 0, {})
