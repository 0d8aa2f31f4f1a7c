"""Exception types of the core. The CLI turns them into one line and an exit code."""

from __future__ import annotations

from dataclasses import dataclass, field


class OpenclosedError(Exception):
    """Base class for errors a user can act on (exit code 2)."""

    exit_code = 2


@dataclass
class Problem:
    """One problem in an input file, located as precisely as we can."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
            where += ": "
        fld = f"{self.field}: " if self.field else ""
        return f"{where}{fld}{self.message}"


@dataclass
class InputError(OpenclosedError):
    """Bad input: one or more located problems."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @classmethod
    def one(
        cls, message: str, file: str | None = None, line: int | None = None, field: str | None = None
    ) -> InputError:
        return cls([Problem(message, file, line, field)])


class UnknownIdError(OpenclosedError):
    def __init__(self, kind: str, given: str, suggestions: list[str]) -> None:
        self.kind, self.given, self.suggestions = kind, given, suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown {kind} '{given}'{hint}")


class MissingExtraError(OpenclosedError):
    def __init__(self, what: str, extra: str) -> None:
        super().__init__(f"{what} needs an optional extra: pip install 'openclosed[{extra}]'")


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while a file was being written (fileio.py): the temporary file is
    removed on the way out, as for Ctrl-C, and the command exits 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
