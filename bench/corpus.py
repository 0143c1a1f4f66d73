"""A realistic inbox of filled self-evaluation workbooks for the benchmark.

Written with ``tests/formgen.py`` (project forms F1, every layout) and
``tests/deptgen.py`` (department forms F2+F3), both imported by path.  The mix
follows what a city finance bureau receives in spring:

- one project per workbook mostly; a few workbooks with 2–3 projects behind a
  cover sheet, and a few with a 填报说明 sheet;
- the four layouts (national 2020, Anhui 2022, Beijing 2016, Sichuan 2023),
  label synonyms, spaced labels, blank rows between blocks, shifted tables;
- 8 to 60 indicators per project, with the values units type: "≥120000件",
  "1,300次", "95%", 0.97, "12月31日前", "按时完成", "基本达成", "—";
- about 10 % old .xls files, and a small share of department workbooks.

Everything is drawn from a seeded random generator: the same ``--n`` and
``--seed`` give the same files.

The words a unit writes itself (project names, indicator names, goals,
qualitative results, reasons) are drawn from short lists, so they recur from
file to file far more than in a real spring's inbox.  With
``distinct_texts=True`` (``bench.py --distinct-texts``) they are made almost
all different, as in real forms, which is what memos keyed by text meet in
practice; the rest of each file is drawn exactly as without it.
"""
from __future__ import annotations

import importlib.util
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"


def _load(name: str):
    """Import tests/<name>.py by path (tests/ is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, TESTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


formgen = _load("formgen")
deptgen = _load("deptgen")

LAYOUT_WEIGHTS = {"national-2020": 0.45, "anhui-2022": 0.2, "beijing-2016": 0.15, "sichuan-2023": 0.2}

BUREAUS = {
    "城管局": ("某市城市管理局", ["市政设施维护中心", "环境卫生管理处", "园林绿化服务中心", "路灯管理所"]),
    "教育局": ("某市教育局", ["第一中学", "实验小学", "教育技术装备中心", "教师发展中心"]),
    "卫健委": ("某市卫生健康委员会", ["疾病预防控制中心", "妇幼保健院", "社区卫生服务中心", "卫生监督所"]),
    "文旅局": ("某市文化旅游广电局", ["图书馆", "文化馆", "博物馆", "旅游服务中心"]),
    "水利局": ("某市水利局", ["水利工程管理处", "水文站", "农村供水站", "河道管理所"]),
    "农业农村局": ("某市农业农村局", ["农业技术推广中心", "动物疫病预防控制中心", "农村经营管理站"]),
    "民政局": ("某市民政局", ["社会福利院", "救助管理站", "殡葬管理所"]),
    "交通局": ("某市交通运输局", ["公路事务中心", "运输管理所", "港航事务中心"]),
}
PROJECT_TOPICS = [
    "道路养护", "环境卫生保洁", "绿地管护", "路灯维护", "校舍维修改造", "营养改善计划补助",
    "基本公共卫生服务", "重大传染病防控", "图书馆免费开放", "非遗保护传承", "农村饮水安全工程",
    "河道综合治理", "高标准农田建设", "动物防疫补助", "困难群众救助", "养老服务补贴",
    "农村公路建设", "公交运营补贴", "信息化系统运维", "政务大厅运行维护", "热线工作经费",
    "消防设施维护", "地质灾害防治", "森林防火", "社区卫生服务补助", "职业技能培训补贴",
]
L2 = {
    "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
    "效益指标": ["社会效益指标", "经济效益指标", "生态效益指标", "可持续影响指标"],
    "满意度指标": ["服务对象满意度指标"],
}
LEVEL1_POINTS = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
SUBJECTS = ["养护道路", "清运垃圾", "受助学生", "培训人次", "检测样本", "维修设施", "巡查河段", "建设项目",
            "服务对象", "接种人数", "办件数量", "覆盖乡镇", "更新设备", "发放补贴", "开展活动", "检查企业"]
UNITS = ["件", "人次", "公里", "平方米", "所", "个", "台", "次", "户", "场", "万元", "吨"]
QUALITATIVE_TARGETS = ["明显提升", "有效改善", "持续改善", "有效保障", "长效运行", "建立健全", "有效控制"]
QUALITATIVE_ACTUALS = ["达成年度指标", "基本达成", "部分达成", "效果明显", "显著改善", "一定效果", "正常运行，达到预期"]
PLACES = ["东城", "西城", "南湖", "北岸", "新区", "高新区", "老城", "滨江", "城东", "城西", "河西", "开发区"]
REASONS = ["受疫情影响部分工作延期", "材料价格上涨", "项目立项时间较晚", "雨季延长施工受阻", "资金拨付滞后",
           "部分乡镇数据尚未汇总", "招标流程延长"]


@dataclass(frozen=True)
class Spec:
    """One workbook to write: what, where and in which layout."""

    path: Path
    kind: str  # "project" | "department"
    seed: int
    distinct_texts: bool = False  # the unit's own words made almost all different (see the module docstring)


def _quantity(rng: random.Random, quality: float) -> tuple[object, object, bool]:
    """(target, actual, under-achieved?) of one indicator, in the many ways units type them.

    ``quality`` (0.5–0.95) is how well the project went: about the share of actuals that reach the target.
    """
    kind = rng.choices(["count", "percent", "full", "cost", "time", "quality", "number"],
                       [30, 22, 8, 10, 8, 17, 5])[0]
    ratio = rng.uniform(1.0, 1.12) if rng.random() < quality else rng.uniform(0.4, 1.0)
    if kind == "count":
        target = rng.choice([12, 36, 120, 860, 1300, 26800, 120000])
        unit = rng.choice(UNITS)
        got = round(target * ratio)
        shown = f"{got:,}{unit}" if rng.random() < 0.3 else f"{got}{unit}"
        return f"≥{target}{unit}", shown, got < target
    if kind == "percent":
        target = rng.choice([85, 90, 92, 95, 98])
        got = round(min(100.0, target * (0.7 + 0.3 * ratio if ratio < 1 else ratio)), 1)
        return f"≥{target}%", f"{got}%", got < target
    if kind == "full":
        return "=100%", "100%", False
    if kind == "cost":
        limit = rng.choice([38, 120, 135, 1150, 2650])
        got = round(limit / ratio, 1)
        return f"≤{limit}元", f"{got}元", got > limit
    if kind == "time":
        return (f"{rng.randint(3, 12)}月{rng.choice([15, 30])}日前",
                rng.choice(["按时完成", "按时完成", "基本完成"]), False)
    if kind == "quality":
        actual = rng.choice(QUALITATIVE_ACTUALS)
        return rng.choice(QUALITATIVE_TARGETS), actual, actual in ("基本达成", "部分达成", "一定效果")
    target = rng.choice([0.9, 0.95])  # a number cell, not text
    got = round(min(1.0, target * ratio), 3)
    return f"≥{round(target * 100)}%", got, got < target


def _weights(points: int, count: int) -> list[object]:
    base, extra = divmod(points, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


class _OwnWords:
    """The words of one unit, almost all different from any other form's (``distinct_texts``).

    Drawn from a generator of their own, so the rest of the file is drawn as without them.
    """

    def __init__(self, seed: int):
        self.rng = random.Random(seed ^ 0x5EED)

    def place(self) -> str:
        return f"{self.rng.choice(PLACES)}{self.rng.randint(1, 99)}号片区"

    def project_name(self, name: str) -> str:
        return f"{self.place()}{name}（第{self.rng.randint(1, 999)}批）"

    def indicator_name(self, name: str) -> str:
        return f"{self.place()}{name}" if self.rng.random() < 0.7 else name  # some names are standard

    def sentence(self, text: str) -> str:
        return f"{text}（{self.place()}，{self.rng.randint(2, 980)}{self.rng.choice(UNITS)}）" if text else text

    def goal(self, text: str) -> str:
        subjects = self.rng.sample(SUBJECTS, 2)
        return (f"{self.place()}完成{subjects[0]}{self.rng.randint(10, 9000)}{self.rng.choice(UNITS)}、"
                f"{subjects[1]}{self.rng.randint(10, 9000)}{self.rng.choice(UNITS)}，{text}")


def random_project(rng: random.Random, department: str, unit: str, year: int, size: int,
                   own_words: _OwnWords | None = None) -> "formgen.Project":
    counts = {"满意度指标": max(1, round(size * 0.1))}
    counts["效益指标"] = max(1, round(size * 0.3))
    counts["产出指标"] = max(1, size - counts["满意度指标"] - counts["效益指标"])
    quality = rng.choice([0.5, 0.7, 0.85, 0.95])
    rows = []
    for level1, count in counts.items():
        for index, weight in enumerate(_weights(LEVEL1_POINTS[level1], count)):
            level2_names = L2[level1]
            level2 = level2_names[min(index * len(level2_names) // count, len(level2_names) - 1)]
            if level1 == "满意度指标":
                target, actual = f"≥{rng.choice([85, 90])}%", f"{round(rng.uniform(82, 99), 1)}%"
                under = False
                name = rng.choice(["服务对象满意度", "群众满意度", "受益对象满意度"]) + (f"{index + 1}" if index else "")
            else:
                target, actual, under = _quantity(rng, quality)
                name = f"{rng.choice(SUBJECTS)}{index + 1}"
            draw = rng.random()
            self_score = None if draw < 0.08 else (max(0, weight - 1) if draw < 0.25 else weight)
            reason = rng.choice(REASONS) if under and rng.random() < 0.7 else ""
            if own_words is not None:
                name, reason = own_words.indicator_name(name), own_words.sentence(reason)
                if isinstance(actual, str) and not actual[:1].isdigit():  # a qualitative result, in words
                    actual = own_words.sentence(actual)
            rows.append(formgen.Row(level1, level2, name, target, actual, weight, self_score, reason))
    planned = round(rng.uniform(20, 3000), 1)
    adjusted = round(planned * rng.uniform(1.0, 1.15), 1)
    executed = round(adjusted * rng.uniform(0.75, 1.0), 2)
    funds = formgen.Funds(planned, adjusted, executed)
    if rng.random() < 0.1:  # the Anhui habit: 0 on the total row, money in the sub-rows
        funds = formgen.Funds(0, 0, 0, total_row="zero", sub_rows=[
            formgen.FundRow("fiscal", planned, adjusted, executed),
            formgen.FundRow("carryover", 0, 0, 0), formgen.FundRow("other", 0, 0, 0)])
    project = formgen.Project(
        name=f"{unit}{rng.choice(PROJECT_TOPICS)}项目", department=department, unit=f"某市{unit}",
        year=year, funds=funds, rows=rows, exec_self_score=rng.choice([10, 10, 9, None]),
        goal_expected="按计划完成年度工作任务，" + "确保资金使用规范、项目按期实施。" * rng.randint(1, 3),
        goal_actual="已按计划完成年度工作任务。" + "部分指标因客观原因未完全达成。" * rng.randint(0, 2),
    )
    if own_words is not None:
        project.name = own_words.project_name(project.name)
        project.goal_expected = own_words.goal(project.goal_expected)
        project.goal_actual = own_words.goal(project.goal_actual)
    return project


def write_spec(spec: Spec) -> Path:
    rng = random.Random(spec.seed)
    spec.path.parent.mkdir(parents=True, exist_ok=True)
    bureau = spec.path.parent.name
    department, units = BUREAUS.get(bureau, next(iter(BUREAUS.values())))
    if spec.kind == "department":
        figures = deptgen.BaseFigures(unit=department, year=rng.choice([2019, 2022, 2023]))
        return deptgen.write_department_workbook(spec.path, figures, order=rng.choice([1, 2]),
                                                 scoring_first=rng.random() < 0.3)
    year = rng.choice([2019, 2021, 2022, 2023])
    layout = rng.choices(list(LAYOUT_WEIGHTS), list(LAYOUT_WEIGHTS.values()))[0]
    many = rng.random() < 0.06
    own_words = _OwnWords(spec.seed) if spec.distinct_texts else None
    projects = [random_project(rng, department, rng.choice(units), year, rng.randint(8, 60), own_words)
                for _ in range(rng.randint(2, 3) if many else 1)]
    names = set()
    for index, project in enumerate(projects):  # distinct sheet names in one workbook
        if project.name in names:
            project.name = f"{project.name}{index + 1}"
        names.add(project.name)
    return formgen.write_form(
        spec.path, projects, layout,
        cover_sheet=many,
        notes_sheet=rng.random() < 0.08,
        extra_rows_above=rng.choice([0, 0, 0, 1, 2]),
        col_offset=rng.choice([0, 0, 0, 0, 1]),
        gap_rows=rng.choice([0, 0, 0, 1]),
        label_variant=rng.choice([0, 0, 0, 1, 2]),
        spaced_labels=rng.random() < 0.15,
    )


def plan(inbox: Path, n: int, seed: int = 2024, xls_share: float = 0.1,
         department_share: float = 0.02, distinct_texts: bool = False) -> list[Spec]:
    rng = random.Random(seed)
    bureaus = list(BUREAUS)
    specs = []
    for index in range(n):
        bureau = bureaus[index % len(bureaus)]
        if rng.random() < department_share:
            specs.append(Spec(inbox / bureau / f"{index:05d}_部门整体支出绩效评价表.xlsx", "department",
                              rng.randrange(2**32), distinct_texts))
            continue
        suffix = ".xls" if rng.random() < xls_share else ".xlsx"
        specs.append(Spec(inbox / bureau / f"{index:05d}_项目支出绩效自评表{suffix}", "project",
                          rng.randrange(2**32), distinct_texts))
    return specs


def make_inbox(inbox: Path, n: int, seed: int = 2024, workers: int = 1, **options) -> list[Path]:
    """Write ``n`` workbooks under ``inbox`` (by bureau folder); return their paths.  ``options``
    go to :func:`plan` (shares of .xls and department workbooks, ``distinct_texts``)."""
    specs = plan(inbox, n, seed, **options)
    if workers <= 1:
        return [write_spec(spec) for spec in specs]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(write_spec, specs, chunksize=16))
