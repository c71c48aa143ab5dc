"""Example inputs shipped with guanche as package data, found wherever it is installed.

``county/`` holds the county plan (阿拉善左旗2024年法治政府建设工作计划) and its manifest.toml: the
files of the repository's data/raw/. In the source tree they are links to those files, so there
is one copy of each; the wheel carries them as files. Reach them through
:func:`pipeline.api.example_plan`.
"""
