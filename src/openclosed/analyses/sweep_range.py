"""The range a sweep varies: which workload field, from where to where, on what grid."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import InputError
from ..workload.model import DAYS_PER_MONTH, Workload

# field -> (workload section, unit shown on axes, default range relative to the workload's value
#           or absolute: ("rel", lo_factor, hi_factor) | ("abs", lo, hi))
FIELDS: dict[str, tuple[str, str, tuple[str, float, float]]] = {
    "requests_per_month": ("traffic", "requests/month", ("abs", 1e3, 1e9)),
    "requests_per_day": ("traffic", "requests/day", ("rel", 0.01, 100.0)),
    "input_tokens": ("traffic", "input tokens/request", ("rel", 0.1, 10.0)),
    "output_tokens": ("traffic", "output tokens/request", ("rel", 0.1, 10.0)),
    "cached_input_share": ("traffic", "cached share of input tokens", ("abs", 0.0, 0.95)),
    "peak_to_average": ("traffic", "peak-to-average traffic", ("abs", 1.0, 10.0)),
    "gpu_price_multiplier": ("self_hosting", "× catalogue GPU price", ("abs", 0.25, 2.0)),
    "training_tokens": ("customisation", "fine-tuning tokens per run", ("rel", 0.1, 10.0)),
}
VOLUME_FIELDS = ("requests_per_month", "requests_per_day")
FAST_FIELDS = (*VOLUME_FIELDS, "peak_to_average")
DEFAULT_STEPS_FAST = 241
DEFAULT_STEPS_ENGINE = 25
MAX_STEPS = 100_000


@dataclass(frozen=True)
class SweepSpec:
    field: str
    start: float
    stop: float
    steps: int
    log: bool

    @property
    def fast(self) -> bool:
        return self.field in FAST_FIELDS

    @property
    def unit(self) -> str:
        return FIELDS[self.field][1]


def _number(text: str, what: str) -> float:
    t = text.strip().replace(",", "").replace("_", "")
    mult = 1.0
    suffixes = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9}
    if t and t[-1].lower() in suffixes and not t.lower().endswith("e"):
        mult = suffixes[t[-1].lower()]
        t = t[:-1]
    try:
        value = float(t) * mult
    except ValueError:
        raise InputError.one(f"{what} {text.strip()!r} is not a number", field="--vary") from None
    if not math.isfinite(value):
        raise InputError.one(f"{what} must be finite (got {text.strip()!r})", field="--vary")
    return value


def normalise_field(name: str) -> str:
    key = name.strip().lower().replace("-", "_")
    if key not in FIELDS:
        import difflib

        close = difflib.get_close_matches(key, list(FIELDS), n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of {', '.join(FIELDS)}"
        raise InputError.one(f"cannot vary '{name.strip()}'{hint}", field="--vary")
    return key


def current_value(workload: Workload, name: str) -> float:
    if name == "requests_per_month":
        return workload.requests_per_month
    if name == "requests_per_day":
        return workload.requests_per_month / DAYS_PER_MONTH
    if name == "training_tokens":
        return _customisation(workload).tokens_per_run
    section = getattr(workload, FIELDS[name][0])
    return float(getattr(section, name))


def _customisation(workload: Workload):  # type: ignore[no-untyped-def]
    from ..workload.customisation import active

    c = active(workload.customisation)
    if c is None:
        raise InputError.one(
            "training_tokens needs a customisation section in the workload (docs/workload.md)", field="--vary"
        )
    return c


def parse_spec(text: str | None, workload: Workload, steps: int | None = None, log: bool | None = None) -> SweepSpec:
    """`FIELD=START..STOP` (or `FIELD` alone for a default range) into a checked SweepSpec.

    `log=None` picks log spacing when the range spans two decades or more.
    """
    text = (text or "requests_per_month").strip()
    name, eq, rng = text.partition("=")
    field_name = normalise_field(name)
    if field_name == "training_tokens":
        _customisation(workload)  # one clear line when the workload does not customise
    if eq:
        lo_text, dots, hi_text = rng.partition("..")
        if not dots or not lo_text.strip() or not hi_text.strip():
            raise InputError.one(
                f"expected FIELD=START..STOP, e.g. requests_per_month=1e3..1e9 (got {text!r})",
                field="--vary",
            )
        start, stop = _number(lo_text, "START"), _number(hi_text, "STOP")
    else:
        kind, lo, hi = FIELDS[field_name][2]
        if kind == "rel":
            base = current_value(workload, field_name)
            start, stop = base * lo, base * hi
        else:
            start, stop = lo, hi
    if not start < stop:
        raise InputError.one(f"START must be below STOP (got {start:g}..{stop:g})", field="--vary")
    if steps is None:
        steps = DEFAULT_STEPS_FAST if field_name in FAST_FIELDS else DEFAULT_STEPS_ENGINE
    if not 2 <= steps <= MAX_STEPS:
        raise InputError.one(f"expected 2 to {MAX_STEPS:,} steps (got {steps})", field="--steps")
    if log is None:
        log = start > 0 and stop / start >= 100
    if log and start <= 0:
        raise InputError.one(
            f"a log range needs START > 0 (got {start:g}); drop --log or start above zero",
            field="--vary",
        )
    spec = SweepSpec(field_name, start, stop, steps, log)
    check_range(workload, spec)
    return spec


def check_range(workload: Workload, spec: SweepSpec) -> None:
    """Both ends of the range must make a valid workload (one clear line otherwise)."""
    from ..modelbase import ValidationError

    for end, value in (("START", spec.start), ("STOP", spec.stop)):
        try:
            Workload.model_validate(workload_at(workload, spec.field, value).model_dump())
        except ValidationError as exc:
            err = exc.errors()[0]
            msg = err.get("msg", "invalid").removeprefix("Value error, ")
            raise InputError.one(f"{end} {value:g} is not a valid {spec.field}: {msg}", field="--vary") from None


def grid(spec: SweepSpec) -> list[float]:
    n, lo, hi = spec.steps, spec.start, spec.stop
    if spec.log:
        a, b = math.log10(lo), math.log10(hi)
        values = [10 ** (a + (b - a) * i / (n - 1)) for i in range(n)]
    else:
        values = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    values[0], values[-1] = lo, hi
    return values


def workload_at(workload: Workload, name: str, value: float) -> Workload:
    """The workload with one field set (not validated: the range's ends are)."""
    if name == "requests_per_month":
        return workload.with_requests_per_month(value)
    if name == "requests_per_day":
        traffic = workload.traffic.model_copy(
            update={"requests_per_day": value, "requests_per_month": None, "requests_per_second": None}
        )
        return workload.model_copy(update={"traffic": traffic})
    if name == "training_tokens":
        return workload.model_copy(update={"customisation": _customisation(workload).with_training_tokens(value)})
    section_name = FIELDS[name][0]
    section = getattr(workload, section_name).model_copy(update={name: value})
    return workload.model_copy(update={section_name: section})
