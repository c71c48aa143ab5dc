"""The one exception type that the command line turns into a single readable line."""

from __future__ import annotations

from pathlib import Path


class GuancheError(Exception):
    """A problem a policy analyst can act on: which file, what is wrong, what to do.

    ``str(error)`` is the whole message, e.g.
    ``plan.pdf: scanned PDF with no text layer — run OCR on it first (e.g. ocrmypdf)``.
    """

    def __init__(self, path: str | Path | None, problem: str, advice: str = "") -> None:
        self.path = str(path) if path is not None else None
        self.problem = problem
        self.advice = advice
        message = problem if self.path is None else f"{self.path}: {problem}"
        if advice:
            message = f"{message} — {advice}"
        super().__init__(message)


class InputError(GuancheError):
    """An input file cannot be read as a document (missing, empty, damaged, scanned, ...)."""


class OutputError(GuancheError):
    """The output folder cannot be written."""
