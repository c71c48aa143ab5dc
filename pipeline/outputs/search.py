"""Search and filters of the report's task table: a form, the rows' data attributes and a few
lines of plain JavaScript inlined in the page.

The script is allowed by its sha256 hash in the Content-Security-Policy (nothing else may
run, nothing is fetched). The form is ``hidden`` in the HTML and only the script shows it: with
scripts off the page shows every task and no control that does nothing. The script hides the
task rows that do not match the search text (anywhere in the row: number, title, units) and
every filter (document, section, unit, strength; a row's attribute lists its values between
"|"), hides the section headings and documents left without a visible task, and counts the
rows shown.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from html import escape

FILTERS = (  # form field and row attribute, label
    ("doc", "文件 document"),
    ("section", "部分 section"),
    ("unit", "单位 unit"),
    ("strength", "力度 strength"),
)
VALUE_SEPARATOR = "|"

SCRIPT = """
(function () {
  var form = document.getElementById("filter");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#tasks tr[data-doc]"));
  var keys = ["doc", "section", "unit", "strength"];
  function matches(row, query) {
    if (query && row.textContent.toLowerCase().indexOf(query) < 0) return false;
    return keys.every(function (key) {
      var wanted = form.elements[key].value;
      return !wanted || ("|" + row.getAttribute("data-" + key) + "|").indexOf("|" + wanted + "|") >= 0;
    });
  }
  function apply() {
    var query = form.elements.q.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (row) { row.hidden = !matches(row, query); if (!row.hidden) shown++; });
    document.querySelectorAll("#tasks tr.section").forEach(function (heading) {
      var next = heading.nextElementSibling, any = false;
      for (; next && !next.classList.contains("section"); next = next.nextElementSibling) any = any || !next.hidden;
      heading.hidden = !any;
    });
    document.querySelectorAll("#tasks details").forEach(function (part) {
      part.hidden = !part.querySelector("tr[data-doc]:not([hidden])");
    });
    document.getElementById("filter-count").textContent = shown + " / " + rows.length;
  }
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
})();
"""
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")


def row_attributes(values: dict[str, Iterable[str]]) -> str:
    """The data attributes of a task row: for each filter, its values joined with "|"."""
    return "".join(f' data-{key}="{escape(VALUE_SEPARATOR.join(values.get(key, ())))}"' for key, _ in FILTERS)


def filter_form(options: dict[str, list[tuple[str, str]]]) -> str:
    """The search box and a select per filter (``options``: filter → (value, label) pairs, in
    order; a filter with fewer than two choices is left out), hidden until the script runs."""
    fields = ['<label>搜索 search <input type="search" name="q" placeholder="任务、单位… task, unit…"></label>']
    for key, label in FILTERS:
        choices = options.get(key, [])
        if len(choices) < 2:
            fields.append(f'<input type="hidden" name="{key}" value="">')
            continue
        items = "".join(f'<option value="{escape(value)}">{escape(text)}</option>' for value, text in choices)
        fields.append(
            f'<label>{escape(label)} <select name="{key}"><option value="">全部 all</option>{items}</select></label>'
        )
    fields.append('<output id="filter-count"></output>')
    return f'<form id="filter" class="filter" role="search" hidden>{"".join(fields)}</form>'


def script_tag() -> str:
    """The inline script, as the policy's hash allows it."""
    return f"<script>{SCRIPT}</script>"
