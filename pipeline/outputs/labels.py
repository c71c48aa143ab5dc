"""Column labels for the workbook: the tables' own names (``en``, the default) or Chinese labels
(``zh``, ``guanche run --labels zh``) for analysts who hand the workbook on. CSV and Parquet always
keep the column names of :mod:`pipeline.outputs.schema`."""

from __future__ import annotations

import enum


class LabelLanguage(enum.StrEnum):
    """The languages of the workbook's column labels (``guanche run --labels``)."""

    en = "en"  # the tables' column names
    zh = "zh"  # Chinese labels (ZH_LABELS)


LABEL_LANGUAGES = tuple(language.value for language in LabelLanguage)

ZH_LABELS = {
    "action": "行动",
    "aliases": "别称",
    "anchor": "起算事件",
    "best_child_doc_id": "最佳下级文件",
    "best_child_task_id": "最佳下级任务",
    "best_evidence": "最长相同段落",
    "boilerplate": "套话条款",
    "child_doc_id": "下级文件",
    "child_task_id": "下级任务",
    "child_tasks": "下级任务数",
    "citation_id": "引用编号",
    "cited_title": "被引文件名称",
    "collective": "泛指单位",
    "comparator": "比较符",
    "covered": "已落实",
    "covering_task_ids": "落实任务",
    "depth": "层次",
    "directives": "上级部署数",
    "doc_id": "文件编号",
    "doc_ids": "所在文件",
    "doc_number": "发文字号",
    "documents": "文件数",
    "due_date": "完成时限",
    "encoding": "编码",
    "end": "结束位置",
    "evidence": "相同段落",
    "found": "已读入",
    "change": "变化",
    "classes": "变化类别",
    "group": "组",
    "moved": "移动",
    "operation": "操作",
    "strengthened": "加强",
    "softened": "减弱",
    "targets_changed": "目标变化",
    "units_reassigned": "单位调整",
    "old_doc_id": "原版文件编号",
    "old_task_ids": "原版任务编号",
    "old_numbers": "原版序号",
    "old_section": "原版所属部分",
    "old_passage": "原版段落",
    "new_doc_id": "新版文件编号",
    "new_task_ids": "新版任务编号",
    "new_numbers": "新版序号",
    "new_section": "新版所属部分",
    "new_passage": "新版段落",
    "topic": "主题",
    "issued_later": "晚于下级发布",
    "full_name": "全称",
    "issued_on": "成文日期",
    "issuer": "发文机关",
    "jurisdiction": "辖区",
    "kind": "类别",
    "level": "层级",
    "linked_tasks": "已关联任务数",
    "local_additions": "自行增加任务数",
    "mention": "原文写法",
    "modal": "情态词",
    "n_chars": "字数",
    "n_tasks": "任务数",
    "number": "序号",
    "object": "对象",
    "obligation_id": "义务编号",
    "order": "顺序",
    "parent_doc_id": "上级文件",
    "parent_id": "上级章节",
    "parent_section_id": "上级章节",
    "parent_task_id": "上级部署",
    "parent_title": "上级文件名称",
    "parents": "上级文件",
    "path": "序号路径",
    "published_on": "发布日期",
    "rank": "排名",
    "region": "地区",
    "relation": "关系",
    "resolved": "已识别",
    "resolved_doc_id": "对应文件",
    "reuse": "文字沿用比例",
    "role": "角色",
    "score": "得分",
    "script": "简繁",
    "section_id": "章节编号",
    "sha256": "SHA-256",
    "share": "落实比例",
    "shared_chars": "相同字数",
    "similarity": "相似度",
    "source": "来源",
    "source_doc_id": "来源文件",
    "source_item_id": "来源条目",
    "source_path": "文件路径",
    "start": "起始位置",
    "strength": "约束强度",
    "target_id": "指标编号",
    "task_id": "任务编号",
    "tasks": "任务数",
    "tasks_led": "牵头任务数",
    "tasks_supported": "配合任务数",
    "text": "正文",
    "title": "标题",
    "type": "类型",
    "unit": "单位",
    "unit_id": "单位编号",
    "unit_of_measure": "计量单位",
    "value": "数值",
    "year": "年份",
}


def column_labels(columns, *, language: str = "en") -> list[str]:
    """The header of a sheet with ``columns``: the names themselves for ``en``; for ``zh`` the
    Chinese label of each (a column without one keeps its name). Raises ValueError for another
    language."""
    if language not in LABEL_LANGUAGES:
        raise ValueError(f"unknown label language {language!r}: use one of {', '.join(LABEL_LANGUAGES)}")
    names = [str(column) for column in columns]
    return names if language == "en" else [ZH_LABELS.get(name, name) for name in names]
