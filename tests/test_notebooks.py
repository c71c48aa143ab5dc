"""The researcher notebooks use only the public API, run top to bottom from a folder outside the
repository, are stored without outputs, and draw Chinese text."""

from __future__ import annotations

import ast
import io
import warnings

import matplotlib
import nbformat
import pytest
from nbclient import NotebookClient

from pipeline import api
from pipeline.outputs import fonts
from tests.conftest import needs_cjk_font
from tests.documents import CORPUS, REPO

matplotlib.use("Agg")
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 600  # seconds: a cap for a hung kernel, not a speed requirement
NEEDS_CORPUS = {"02_the_cascade"}
PARAMETERS = {"02_the_cascade": f"LAWS = {str(CORPUS / 'laws')!r}"}  # injected as papermill does
THIRD_PARTY = {"IPython.display", "matplotlib.pyplot", "numpy", "pandas", "networkx", "pathlib"}


def test_the_three_notebooks_are_there():
    assert [path.name for path in NOTEBOOKS] == [
        "01_plan_at_a_glance.ipynb",
        "02_the_cascade.ipynb",
        "03_unit_network.ipynb",
    ]


def code_cells(path):
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_stored_without_outputs(path):
    code = code_cells(path)
    assert code
    assert all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_imports_only_the_api_and_names_only_what_it_exports(path):
    imported, used = set(), set()
    for cell in code_cells(path):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported |= {f"{node.module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "api":
                used.add(node.attr)
    assert "pipeline.api" in imported
    assert {name for name in imported if name != "pipeline.api" and not name.startswith(tuple(THIRD_PARTY))} == set()
    assert used and used <= set(api.__all__)
    assert all("repo_root" not in cell.source and "data/raw" not in cell.source for cell in code_cells(path))


def executed(path, folder):
    """The notebook at ``path`` run top to bottom in ``folder``, with the test's parameters."""
    notebook = nbformat.read(path, as_version=4)
    if path.stem in PARAMETERS:
        [at] = [n for n, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", [])]
        notebook.cells.insert(at + 1, nbformat.v4.new_code_cell(PARAMETERS[path.stem]))
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=CELL_TIMEOUT, resources={"metadata": {"path": str(folder)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]


def shown(outputs) -> str:
    """What the notebook printed and displayed as text."""
    texts = [output.get("text", "") for output in outputs]
    texts += [output.get("data", {}).get("text/plain", "") for output in outputs]
    return "\n".join(texts)


@pytest.fixture(scope="module")
def county_tables():
    return api.read(api.example_plan())


EXPECTED = {
    "01_plan_at_a_glance": lambda tables: [
        "1 document(s), 8 sections, 26 tasks",
        *tables.tasks["title"].head(3),
        api.workload_by_unit(tables)["unit"].iloc[0],
    ],
    # the county plan's missing parents, the family's coverage and the evidence's relations
    "02_the_cascade": lambda tables: [*api.missing_parents(tables)["parent"], "济南市优化营商环境条例", "verbatim"],
    "03_unit_network": lambda tables: [
        str(api.task_unit_graph(api.build_graph(tables))),
        f"{len(tables.tasks)} tasks, {tables.units['unit'].nunique()} units",
    ],
}


@needs_cjk_font  # every notebook draws Chinese labels, and is checked for boxes
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_top_to_bottom_from_a_folder_outside_the_repository(path, tmp_path, county_tables):
    if path.stem in NEEDS_CORPUS and not CORPUS.is_dir():
        pytest.skip("this notebook reads the regulation family in ../shared/corpus/laws, not present")
    assert not tmp_path.is_relative_to(REPO)
    outputs = executed(path, tmp_path)
    stderr = "".join(output.get("text", "") for output in outputs if output.get("name") == "stderr")
    assert "missing from font" not in stderr  # matplotlib's warning when Chinese would show as boxes
    assert any("image/png" in output.get("data", {}) for output in outputs)
    text = shown(outputs)
    assert all(expected in text for expected in EXPECTED[path.stem](county_tables)), text[:2000]


@needs_cjk_font
def test_charts_draw_chinese_with_the_cjk_font_found():
    import matplotlib.pyplot as plt

    name = api.use_cjk_font()
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
