"""Check openclosed's HTML pages in a headless browser: nothing overflows, nothing hides.

    python scripts/check_html.py [--browser PATH] [--keep DIR] [--catalog DIR]

Writes the `compare --format html` report (cost ranges: a P10–P90 line under each cost, whiskers
on the cost bars) and the `sensitivity --format html` page (its tornado chart) for a few
workloads, opens each in headless Chromium at a desktop (1280 px) and a narrow (800 px) window,
and checks, in the page itself, that:
- the page does not scroll sideways: no element reaches past the window's right edge;
- no table is wider than the text column it sits in;
- every chart's texts and bars lie inside the chart, and no two of its texts overlap (a label
  under another, or a legend over the bars, fails);
- each compare page has its ranges (a range under every cost with one, a whisker per bar) and
  each sensitivity page its chart (two bars per input drawn).
A screenshot of each page lands in --keep DIR (default: a temporary folder): look at them.
Exit 0 when every page passes, 1 when one fails, 2 when no browser is found (Debian:
`apt-get install chromium`). It is not part of the test suite (a browser takes seconds to start):
tests/test_html_browser.py runs it when OPENCLOSED_BROWSER=1, and skips, saying why, otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
WIDTHS = (1280, 800)
PAGES = [
    ("compare-chatbot", ["compare", "--preset", "chatbot"]),
    ("compare-rag-internal-docs", ["compare", str(ROOT / "examples" / "rag-internal-docs.yaml")]),
    ("compare-routed-support", ["compare", str(ROOT / "examples" / "routed-support.yaml")]),
    ("sensitivity-chatbot", ["sensitivity", "--preset", "chatbot"]),
]

# Runs in the page once it has laid out; writes its findings as JSON into <pre id="oc-check">.
CHECK_JS = r"""
(function () {
  const problems = [], facts = {};
  const vw = document.documentElement.clientWidth;
  const box = (el) => el.getBoundingClientRect();
  const name = (el) => el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
    ? "." + el.className : "") + (el.textContent ? " '" + el.textContent.trim().slice(0, 40) + "'" : "");
  if (document.documentElement.scrollWidth > vw + 1)
    problems.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " px > " + vw);
  for (const el of document.body.querySelectorAll("*")) {
    const r = box(el);
    if (r.width && r.right > vw + 1) problems.push("past the window's edge: " + name(el));
  }
  for (const t of document.querySelectorAll("table")) {
    const parent = t.parentElement.getBoundingClientRect();
    if (box(t).right > parent.right + 1) problems.push("table wider than its column: " + name(t.rows[0]));
  }
  const overlap = (a, b) =>
    a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  for (const svg of document.querySelectorAll("svg")) {
    const frame = box(svg);
    const texts = [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim());
    const rects = [...svg.querySelectorAll("rect, line, polyline, circle")];
    for (const el of [...texts, ...rects]) {
      const r = box(el);
      if (r.left < frame.left - 1 || r.right > frame.right + 1 || r.top < frame.top - 1 || r.bottom > frame.bottom + 1)
        problems.push("outside its chart: " + name(el));
    }
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++)
        if (overlap(box(texts[i]), box(texts[j])))
          problems.push("texts overlap: " + name(texts[i]) + " / " + name(texts[j]));
    // A legend over the bars hides them: no text may cover a bar.
    for (const bar of svg.querySelectorAll("rect.bar, g.range line"))
      for (const t of texts)
        if (overlap(box(bar), box(t))) problems.push("a text covers a bar: " + name(t));
  }
  facts.ranges = document.querySelectorAll("td span.range").length;
  facts.costs = [...document.querySelectorAll("table tbody tr")].filter((tr) => /\$/.test(tr.textContent)).length;
  facts.whiskers = document.querySelectorAll("svg g.range").length;
  facts.bars = document.querySelectorAll("svg rect.bar").length;
  facts.hidden = [...document.querySelectorAll("body *:not(script):not(style)")].filter((el) => {
    const s = getComputedStyle(el); return s.display === "none" || s.visibility === "hidden";
  }).length;
  if (facts.hidden) problems.push(facts.hidden + " elements hidden");
  const out = document.createElement("pre");
  out.id = "oc-check";
  out.textContent = JSON.stringify({problems: problems.slice(0, 40), count: problems.length, facts: facts});
  document.body.appendChild(out);
})();
"""


def find_browser(given: str | None) -> str | None:
    if given:
        return given if shutil.which(given) or Path(given).exists() else None
    return next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)


def write_pages(out: Path, catalog: str | None) -> list[tuple[str, Path]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OPENCLOSED_TODAY": "2026-12-06"}
    pages = []
    for name, args in PAGES:
        path = out / f"{name}.html"
        extra = ["--catalog", catalog] if catalog else []
        cmd = [sys.executable, "-m", "openclosed", *args, *extra, "--format", "html", "--out-file", str(path)]
        subprocess.run(cmd, check=True, env=env, capture_output=True, text=True)
        pages.append((name, path))
    return pages


def check_page(browser: str, page: Path, width: int, shots: Path) -> dict:
    """Open `page` (a copy carrying the check script) at `width`; the findings and a screenshot."""
    probe = page.with_name(f"{page.stem}-{width}-probe.html")
    html = page.read_text(encoding="utf-8")
    probe.write_text(html.replace("</body>", f"<script>{CHECK_JS}</script>\n</body>"), encoding="utf-8")
    base = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--window-size={width},1000"]
    dom = subprocess.run(
        [*base, "--virtual-time-budget=3000", "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    found = re.search(r'<pre id="oc-check">(.*?)</pre>', dom, re.S)
    if not found:
        return {"problems": ["the check script did not run"], "count": 1, "facts": {}}
    result = json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    shot = shots / f"{page.stem}-{width}.png"
    subprocess.run(
        [*base, f"--screenshot={shot}", "--window-size=" + f"{width},3000", page.as_uri()],
        capture_output=True,
        timeout=120,
    )
    result["screenshot"] = str(shot)
    return result


def expectations(name: str, facts: dict) -> list[str]:
    """What each page must show, beyond fitting."""
    out = []
    if name.startswith("compare"):
        if not facts.get("ranges"):
            out.append("no P10–P90 range under the costs")
        if not facts.get("whiskers"):
            out.append("no P10–P90 whisker on the cost bars")
    if name.startswith("sensitivity") and (facts.get("bars", 0) < 2 or facts.get("bars", 0) % 2):
        out.append(f"the tornado chart should draw two bars per input (found {facts.get('bars')})")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--browser", help="a Chromium or Chrome executable (default: found on PATH)")
    ap.add_argument("--keep", type=Path, help="write the pages and screenshots here")
    ap.add_argument("--catalog", help="a catalogue directory (default: the embedded catalogue)")
    args = ap.parse_args(argv)
    browser = find_browser(args.browser)
    if browser is None:
        print("no headless browser found (Debian: apt-get install chromium; or give --browser)", file=sys.stderr)
        return 2
    out = args.keep or Path(tempfile.mkdtemp(prefix="openclosed-html-"))
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name, page in write_pages(out, args.catalog):
        for width in WIDTHS:
            r = check_page(browser, page, width, out)
            problems = r["problems"] + expectations(name, r["facts"])
            status = "ok" if not problems else f"{r['count'] + len(problems) - len(r['problems'])} problem(s)"
            print(f"{name} at {width} px: {status}; {json.dumps(r['facts'])}; screenshot {r['screenshot']}")
            for p in problems:
                print(f"  {p}")
            failed += bool(problems)
    print(f"{'all pages pass' if not failed else f'{failed} page(s) fail'} (pages and screenshots in {out})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
