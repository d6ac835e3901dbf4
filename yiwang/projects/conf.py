"""Settings of ``projects`` (``YIWANG_PROJECTS`` overrides any key). Numbers from the plan keep the
plan's value as default and cite the section; the others are county defaults (县级默认值), labelled so
on every page that shows them.
"""

from yiwang.core.conf import app_settings

PLAN = "眉县2021年深化“放管服”改革优化营商环境工作实施方案"

DEFAULTS = {
    # Plan 二(三)(1): 政府投资、社会投资和小型低风险项目审批时限分别压缩至90、50、15个工作日以内.
    # Counted from the day after the first stage is applied for to the last stage's completion,
    # excluding the working days between stages that wait for the builder (the project clock pauses).
    "WHOLE_LIMIT_DAYS": {"government": 90, "social": 50, "low_risk": 15},
    # County default (the plan splits no limit by stage): each category's stages sum to its whole limit.
    "STAGE_DAYS": {
        "government": {"planning": 30, "engineering": 30, "construction": 15, "acceptance": 15},
        "social": {"planning": 15, "engineering": 15, "construction": 10, "acceptance": 10},
        "low_risk": {"planning": 3, "engineering": 5, "construction": 4, "acceptance": 3},
    },
    # Plan 四(二)1 联审机制, 四(二)6 联合竣工验收 (限时办理, no number): county defaults, a cap on the stage.
    "JOINT_STAGES": {"engineering": "联审", "acceptance": "联合验收"},
    "JOINT_DAYS": {"engineering": 10, "acceptance": 10},
    # County default: the catalog items of each stage by category (items published in the catalog).
    "STAGE_ITEMS": {
        "government": {
            "planning": ["610326-GC-0101", "610326-GC-0102", "610326-GC-0103", "610326-GC-0104", "610326-GC-0105"],
            "engineering": ["610326-GC-0201", "610326-GC-0202", "610326-GC-0203", "610326-GC-0204"],
            "construction": ["610326-GC-0301", "610326-GC-0302"],
            "acceptance": ["610326-GC-0401", "610326-GC-0402", "610326-GC-0403"],
        },
        "social": {
            "planning": ["610326-GC-0111", "610326-GC-0102", "610326-GC-0103", "610326-GC-0104", "610326-GC-0105"],
            "engineering": ["610326-GC-0201", "610326-GC-0202", "610326-GC-0203", "610326-GC-0204"],
            "construction": ["610326-GC-0301", "610326-GC-0302"],
            "acceptance": ["610326-GC-0401", "610326-GC-0402", "610326-GC-0403"],
        },
        "low_risk": {
            "planning": ["610326-GC-0111", "610326-GC-0103"],
            "engineering": ["610326-GC-0201"],
            "construction": ["610326-GC-0301"],
            "acceptance": ["610326-GC-0403"],
        },
    },
    # Plan 四(二)7: 拿地即开工 for 社会投资 simple low-risk projects; merged planning + construction permit
    # for projects with clear conditions and simple structure — here the categories eligible for each.
    "LAND_START_CATEGORIES": ["social", "low_risk"],
    "MERGED_PERMIT_CATEGORIES": ["low_risk"],
    # County default (plan 三、3 gives no frequency): 企业服务日 once a month, issues answered within 5 working days.
    "SERVICE_DAY_EVERY_MONTHS": 1,
    "ISSUE_DAYS": 5,
    # County default: remind the responsible department this many working days before an issue is due.
    "ISSUE_REMIND_DAYS": 1,
    # Plan 四(三)1, as written: 居民 5, 实行三零 的低压非居民 20, 未实行三零 的低压非居民 6, 高压单电源 22,
    # 高压双电源 32 working days. ``steps`` says which steps each clock covers.
    "ELECTRICITY": {
        "resident": {"label": "居民用户", "days": 5, "steps": "受理申请至装表接电"},
        "low_voltage_sanling": {
            "label": "低压非居民（三零服务）",
            "days": 20,
            "steps": "受理申请至装表接电，含供电企业投资的外线工程施工",
        },
        "low_voltage": {
            "label": "低压非居民（未实行三零）",
            "days": 6,
            "steps": "受理申请至装表接电，不含用户内部工程",
        },
        "high_single": {
            "label": "高压单电源",
            "days": 22,
            "steps": "受理申请、供电方案答复、竣工检验至装表接电（不含用户受电工程施工）",
        },
        "high_dual": {
            "label": "高压双电源",
            "days": 32,
            "steps": "受理申请、供电方案答复、竣工检验至装表接电（不含用户受电工程施工）",
        },
    },
    # County defaults (plan 四(四) gives no numbers for water and gas).
    "WATER": {
        "resident": {"label": "居民用水", "days": 5, "steps": "受理申请至通水"},
        "non_resident": {"label": "非居民用水", "days": 10, "steps": "受理申请至通水，不含用户内部管网施工"},
    },
    "GAS": {
        "resident": {"label": "居民用气", "days": 5, "steps": "受理申请至通气"},
        "non_resident": {"label": "非居民用气", "days": 12, "steps": "受理申请至通气，不含用户内部管网施工"},
    },
    # The approvals a connection may need, run in parallel as cases (plan 四(三)3: 规划路由、掘路施工).
    "UTILITY_APPROVAL_ITEMS": {
        "road_digging": {"label": "占用、挖掘城市道路", "item": "610326-GD-0001"},
        "green_space": {"label": "临时占用城市绿地", "item": "610326-GD-0002"},
        "route_planning": {"label": "电力（管线）规划路由许可", "item": "610326-GD-0003"},
    },
    # The utility company of each kind (org Department code, kind ENTERPRISE).
    "UTILITY_DEPARTMENTS": {"electricity": "state-grid-meixian", "water": "meixian-water", "gas": "china-gas-meixian"},
}

PLAN_SECTIONS = {
    "WHOLE_LIMIT_DAYS": "实施方案 二(三)(1)",
    "ELECTRICITY": "实施方案 四(三)1",
}

projects_settings = app_settings("YIWANG_PROJECTS", DEFAULTS)


def setting(key: str):
    return projects_settings.get(key)


def is_county_default(key: str) -> bool:
    """A number the plan does not give (shown with 县级默认值)."""
    return key not in PLAN_SECTIONS


def utility_categories(kind: str) -> dict:
    return setting({"electricity": "ELECTRICITY", "water": "WATER", "gas": "GAS"}[kind])
