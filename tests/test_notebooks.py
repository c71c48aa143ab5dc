"""The researcher notebooks run top to bottom, are stored without outputs, and draw Chinese text."""

from __future__ import annotations

import io
import warnings

import matplotlib
import nbformat
import pytest
from nbclient import NotebookClient

from pipeline.outputs import fonts
from tests.conftest import needs_cjk_font
from tests.documents import CORPUS, REPO

matplotlib.use("Agg")
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 600  # seconds: a cap for a hung kernel, not a speed requirement
ALWAYS_DRAWS = {"01_plan_at_a_glance", "03_unit_network"}  # 02 draws only when the run has links


def test_the_three_notebooks_are_there():
    assert [path.name for path in NOTEBOOKS] == [
        "01_plan_at_a_glance.ipynb",
        "02_the_cascade.ipynb",
        "03_unit_network.ipynb",
    ]


NEEDS_CORPUS = {"02_the_cascade"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(not cell.outputs and cell.execution_count is None for cell in code)


@needs_cjk_font  # every notebook draws Chinese labels, and is checked for boxes
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_top_to_bottom(path):
    if path.stem in NEEDS_CORPUS and not CORPUS.is_dir():
        pytest.skip("this notebook reads the regulation family in ../shared/corpus/laws, not present")
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=CELL_TIMEOUT, resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    stderr = "".join(output.get("text", "") for output in outputs if output.get("name") == "stderr")
    assert "missing from font" not in stderr  # matplotlib's warning when Chinese would show as boxes
    if path.stem in ALWAYS_DRAWS:
        assert any("image/png" in output.get("data", {}) for output in outputs)


@needs_cjk_font
def test_charts_draw_chinese_with_the_cjk_font_found():
    import matplotlib.pyplot as plt

    name = fonts.use_cjk_font()
    assert name in fonts.PREFERRED_FONTS
    figure, axes = plt.subplots()
    axes.barh(["旗司法局", "旗委依法治旗办"], [14, 5])
    axes.set_title("单位工作量")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font" for boxes
        figure.savefig(io.BytesIO(), format="png")
    plt.close(figure)


def test_missing_cjk_font_warns_how_to_install_one(monkeypatch):
    monkeypatch.setattr(fonts, "PREFERRED_FONTS", ("No Such CJK Font",))
    monkeypatch.setattr(fonts.font_manager, "findSystemFonts", lambda: [])
    with pytest.warns(fonts.MissingCJKFontWarning, match="fonts-noto-cjk"):
        assert fonts.use_cjk_font() is None
