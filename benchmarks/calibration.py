"""Print the estimator's error against every published calibration row.

python benchmarks/calibration.py
"""

from __future__ import annotations

from openclosed.catalog import load_catalog
from openclosed.selfhost import calibration


def main() -> None:
    print(calibration.table(calibration.run(load_catalog(use_env=False))))


if __name__ == "__main__":
    main()
