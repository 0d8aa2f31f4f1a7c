"""The HTML pages in a real browser (scripts/check_html.py): nothing overflows or hides, the cost
ranges and the sensitivity chart are there. A browser takes seconds to start, so this runs only
when asked (OPENCLOSED_BROWSER=1) and skips, saying why, otherwise or without a browser."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT


def test_html_pages_in_a_headless_browser(tmp_path) -> None:
    if os.environ.get("OPENCLOSED_BROWSER") != "1":
        pytest.skip("browser check not asked for: OPENCLOSED_BROWSER=1 (or run scripts/check_html.py)")
    sys.path.insert(0, str(ROOT / "scripts"))
    import check_html

    if check_html.find_browser(None) is None:
        pytest.skip("no headless Chromium or Chrome on PATH (Debian: apt-get install chromium)")
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_html.py"), "--keep", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count(": ok;") == 2 * len(check_html.PAGES)
