"""The one escaper behind the terminal renderers and the YAML writer (units.escaped)."""

from openclosed.render.fmt import printable
from openclosed.units import escaped
from openclosed.workload.usage.write import printable as yaml_printable

ZWJ = "\u200d"  # a format character: part of family emoji, harmless on a terminal


def test_terminal_escapes_what_drives_a_terminal_and_keeps_format_characters() -> None:
    text = f"a\x1b[31mb\u202ec{ZWJ}d\ud800e\u2028f\x7f\x85"
    assert escaped(text) == f"a\\x1b[31mb\\u202ec{ZWJ}d\\ud800e\\u2028f\\x7f\\x85"
    assert printable(text) == escaped(text)


def test_strict_escapes_every_unprintable_character() -> None:
    text = f"a\x1bb{ZWJ}c\u00add\U000e0001"
    assert escaped(text, strict=True) == "a\\x1bb\\u200dc\\xadd\\U000e0001"
    assert yaml_printable(text) == escaped(text, strict=True)


def test_printable_text_is_returned_as_is() -> None:
    text = "Llama 3.3 70B — über 🦙"
    assert escaped(text) is text
    assert escaped(text, strict=True) is text
