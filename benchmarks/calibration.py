"""Print the estimator's error against every published calibration row (data/calibration.yaml),
then the per-family tables of the fitted and held-out rows (docs/methodology.md §5.3).

python benchmarks/calibration.py [--held-out]
"""

from __future__ import annotations

import sys

from openclosed.catalog import load_catalog
from openclosed.selfhost import calibration


def main() -> None:
    checks = calibration.run(load_catalog(use_env=False))
    fit, held = calibration.split(checks)
    print(calibration.table(held if "--held-out" in sys.argv else checks))
    print("\nHeld-out rows (sources never read by the fit)\n" + calibration.family_table(held))
    print("\nFitted rows\n" + calibration.family_table(fit))


if __name__ == "__main__":
    main()
