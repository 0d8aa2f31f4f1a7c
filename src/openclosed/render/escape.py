"""User-controlled text escaped for the format it lands in (docs/security.md, "Output").

Names, ids, vendors, class and workload names come from catalogue overlays, workload files and
usage exports: whoever wrote those must not be able to add a heading, a table row, a link, an
image, raw HTML or a formula to what the tool prints. The renderers call these at the points
where such strings enter; our own numbers and labels go through unchanged.
"""

from __future__ import annotations

import re

from .fmt import printable

# CommonMark lets a backslash escape any ASCII punctuation. These start code spans (`), emphasis
# (*), links and images ([ ]), raw HTML and autolinks (< >), table cells (|), strikethrough (~),
# GitHub's math ($) and character references (&: "&#x2705;" would print a check mark). The
# backslash itself comes first, so a user's "\|" cannot undo our escape of the pipe.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|~$&])")
# GitHub's emoji shortcodes (":white_check_mark:") need a colon, a word, a colon.
_SHORTCODE = re.compile(r":(?=[A-Za-z0-9_+\-]+:)")
# What makes a line a heading, a list item, a quote or a setext underline where it starts.
_BLOCK_START = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])")


def md(text: object) -> str:
    """Text for one Markdown line or table cell: line breaks become spaces, Markdown and HTML
    syntax is backslash-escaped, control characters are written as escapes (`\\x1b`)."""
    s = re.sub(r"[\r\n]+", " ", str(text))
    s = _SHORTCODE.sub(r"\\:", _MD_SPECIAL.sub(r"\\\1", s))
    return printable(s)


def md_line(text: object) -> str:
    """`md`, and a line that would start a block (a heading, a list, a quote) starts with a
    backslash instead."""
    return _BLOCK_START.sub(r"\1\\\2", md(text))


def md_lines(text: object) -> str:
    """A note that spans several lines on purpose: each line escaped on its own."""
    return "\n".join(md_line(line) for line in str(text).split("\n"))
