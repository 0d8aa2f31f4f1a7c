"""The estimator against published measurements (shared/reference/selfhost.md section 5)."""

from __future__ import annotations

from openclosed import calibration

# Rows outside the DESIGN.md target, each with the reason, kept inside a looser bound so that a
# regression still fails. Row 24's "≈13 ms" is approximate: Little's law on its own throughput
# (9,138 tok/s over 128 streams) gives 14.0 ms, against which the estimate is +17 %.
KNOWN_MISSES = {("24", "tpot_ms"): 0.30}


def test_every_calibration_row_is_within_tolerance(catalog) -> None:
    checks = calibration.run(catalog)
    print("\n" + calibration.table(checks))
    assert len(checks) == len(calibration.ROWS) >= 20
    for c in checks:
        bound = KNOWN_MISSES.get((c.row.ref, c.row.metric), c.tolerance)
        assert abs(c.error) <= bound, (c.row, c.predicted)


def test_known_misses_are_really_misses(catalog) -> None:
    # If a known miss comes back within tolerance, the list above should shrink.
    checks = {(c.row.ref, c.row.metric): c for c in calibration.run(catalog)}
    for key in KNOWN_MISSES:
        assert not checks[key].within


def test_median_error_is_small(catalog) -> None:
    errors = sorted(abs(c.error) for c in calibration.run(catalog))
    assert errors[len(errors) // 2] < 0.10
