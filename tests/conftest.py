"""Shared fixtures: the county plan parsed once, and the markers of tests that need something
a fresh machine may lack: the corpus, a CJK font, Chromium. Each skips with one reason that says
how to install it; .ci/run installs them and fails when they are missing, so CI never skips."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from pipeline.document.structure import parse_document
from pipeline.ingest import source
from pipeline.ingest.source import find_libreoffice, read_source
from tests.documents import CORPUS, COUNTY_PLAN, LAWREFBOOK
from tests.support.devtools import CHROMIUM


def cjk_font_installed() -> bool:
    """Whether fontconfig knows a Chinese font (what Chromium and matplotlib find)."""
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


LIBREOFFICE = find_libreoffice()
needs_libreoffice = pytest.mark.skipif(
    LIBREOFFICE is None, reason="LibreOffice not installed: sudo apt-get install libreoffice-writer"
)
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")
needs_cjk_font = pytest.mark.skipif(
    not cjk_font_installed(),
    reason="no CJK font installed (fc-list :lang=zh finds none): sudo apt-get install fonts-noto-cjk",
)
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.is_file(), reason=f"Chromium not installed ({CHROMIUM}): sudo apt-get install chromium"
)
needs_lawrefbook = pytest.mark.skipif(not LAWREFBOOK.is_dir(), reason="../shared/lawrefbook not present")


@pytest.fixture(scope="session")
def county_plan():
    """The shipped county plan, parsed."""
    return parse_document(read_source(COUNTY_PLAN), "alxa")


@pytest.fixture()
def raw(tmp_path):
    """A copy of data/raw/ (the county plan and its manifest) in a temporary folder."""
    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copy(COUNTY_PLAN, folder)
    shutil.copy(COUNTY_PLAN.parent / "manifest.toml", folder)
    return folder


@pytest.fixture()
def without_libreoffice(monkeypatch):
    """A run as on a machine without LibreOffice, whether or not this one has it: guanche looks
    for it when a .doc, .wps or .rtf file is read, and finds none."""
    monkeypatch.setattr(source, "find_libreoffice", lambda: None)
