"""Print the estimator's error against every published calibration row.

python benchmarks/calibration.py
"""

from __future__ import annotations

from openclosed import calibration
from openclosed.catalog import load_catalog


def main() -> None:
    print(calibration.table(calibration.run(load_catalog(use_env=False))))


if __name__ == "__main__":
    main()
