"""Regenerate the example inbox: python examples/make_examples.py

Every project, unit and number here is invented.  The workbooks are written
with tests/formgen.py, the same generator the layout tests use.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from deptgen import HUNAN_ROWS, BaseFigures, write_base_only, write_department_workbook, write_scoring_only  # noqa: E402
from formgen import FundRow, Funds, Project, Row, write_form  # noqa: E402

OUT = "产出指标"
EFFECT = "效益指标"
SATISFACTION = "满意度指标"
SATISFACTION_L2 = "服务对象满意度指标"


# --------------------------------------------------------------------------
# 城管局
# --------------------------------------------------------------------------

ROAD_MAINTENANCE = Project(
    name="城区道路养护项目",
    department="某市城市管理局",
    unit="某市市政设施维护中心",
    year=2023,
    funds=Funds(860, 905.5, 871.3, sub_rows=[
        FundRow("fiscal", 860, 860, 830.1),
        FundRow("carryover", 0, 45.5, 41.2),
        FundRow("other", 0, 0, 0),
    ]),
    exec_self_score=10,
    goal_expected="完成主次干道126公里日常养护，及时修复坑槽病害，保持道路完好率95%以上。",
    goal_actual="完成128.4公里道路养护，坑槽修补16420平方米，道路完好率96.2%。",
    rows=[
        Row(OUT, "数量指标", "主次干道养护里程", "≥126公里", "128.4公里", 8, 8),
        Row(OUT, "数量指标", "坑槽修补面积", "≥18000平方米", "16,420平方米", 8, 8, "雨季延长，部分路段顺延至次年"),
        Row(OUT, "数量指标", "人行道板更换面积", "≥6500平方米", "7,900平方米", 6, 6),
        Row(OUT, "质量指标", "道路完好率", "≥95%", "96.2%", 8, 8),
        Row(OUT, "质量指标", "养护工程验收合格率", "=100%", "100%", 6, 6),
        Row(OUT, "时效指标", "汛前排水设施检修完成时间", "5月31日前", "按时完成", 6, 6),
        Row(OUT, "成本指标", "单位面积养护成本", "≤38元/平方米", "41.5元/平方米", 8, 8, "沥青等材料价格上涨"),
        Row(EFFECT, "社会效益指标", "道路通行效率", "明显提升", "基本达成", 10, 10, "部分路段施工影响通行"),
        Row(EFFECT, "社会效益指标", "因道路病害引发的交通事故", "≤0起", "0起", 6, 6),
        Row(EFFECT, "生态效益指标", "道路扬尘控制", "有效控制", "达成年度指标", 6, 6),
        Row(EFFECT, "可持续影响指标", "数字化养护管理平台运行", "持续运行", "正常运行，达到预期", 8),
        Row(SATISFACTION, SATISFACTION_L2, "市民对道路养护满意度", "≥90%", "88.6%", 10, 10, "早晚高峰施工扰民"),
    ],
)

STREET_CLEANING = Project(
    name="市容环境卫生保洁项目",
    department="某市城市管理局",
    unit="某市环境卫生管理处",
    year=2023,
    funds=Funds(1200, 1260, 1248.6),
    exec_self_score=10,
    rows=[
        Row(OUT, "数量指标", "道路机械化清扫面积", "≥820万平方米", "835万平方米", 15, 15),
        Row(OUT, "数量指标", "生活垃圾清运量", "≥9.6万吨", "10.2万吨", 10, 10),
        Row(OUT, "质量指标", "清扫保洁质量达标率", "≥95%", 0.97, 10, 10),
        Row(OUT, "时效指标", "垃圾日产日清率", "=100%", "100%", 10, 10),
        Row(OUT, "成本指标", "吨垃圾清运成本", "≤135元", "129元", 5, 5),
        Row(EFFECT, "社会效益指标", "城市容貌整洁度", "明显提升", "达成年度指标", 15, 15),
        Row(EFFECT, "生态效益指标", "垃圾渗滤液达标排放率", "≥100%", "100%", 15, 15),
        Row(SATISFACTION, SATISFACTION_L2, "市民满意度", "≥90%", "93.5%", 10, 10),
    ],
)

PARK_GREENING = Project(
    name="公园绿地管护项目",
    department="某市城市管理局",
    unit="某市园林绿化服务中心",
    year=2023,
    funds=Funds(430, 430, 382.7),
    exec_self_score=10,
    rows=[
        Row(OUT, "数量指标", "管护绿地面积", "≥286公顷", "286公顷", 15, 15),
        Row(OUT, "数量指标", "补植乔灌木数量", "≥12000株", "9,800株", 10, 10, "受苗木供应影响"),
        Row(OUT, "质量指标", "绿化苗木成活率", "≥95%", "96%", 10, 10),
        Row(OUT, "时效指标", "病虫害防治及时率", "≥95%", "92%", 10, 10, "春季虫害集中爆发"),
        Row(OUT, "成本指标", "每公顷管护成本", "≤1.5万元", "14,200元", 5, 5),
        Row(EFFECT, "社会效益指标", "公园游园环境", "持续改善", "基本达成", 15, 14, "部分公园设施老化"),
        Row(EFFECT, "生态效益指标", "建成区绿化覆盖率", "≥41%", "41.3%", 15, 15),
        Row(SATISFACTION, SATISFACTION_L2, "游园群众满意度", "≥90%", "91%", 10, 10),
    ],
)

STREET_LIGHTING = Project(
    name="城区路灯亮化维护项目",
    department="某市城市管理局",
    unit="某市路灯管理所",
    year=2023,
    funds=Funds(260, 275, 283.1),
    exec_self_score=10,
    rows=[
        Row(OUT, "数量指标", "维护路灯数量", "≥23500盏", "23,860盏", 15, 15),
        Row(OUT, "质量指标", "路灯亮灯率", "≥98%", "98.7%", 10, 10),
        Row(OUT, "时效指标", "故障修复及时率", "≥95%", "90.2%", 10, 10),
        Row(OUT, "时效指标", "节日亮化完成时间", "国庆节前", "按时完成", 5, 5),
        Row(OUT, "成本指标", "单灯年维护成本", "≤120元", "118元", 10, 10),
        Row(EFFECT, "社会效益指标", "夜间出行安全", "有效保障", "达成年度指标", 15, 15),
        Row(EFFECT, "生态效益指标", "LED节能灯替换率", "≥60%", "65%", 15),
        Row(SATISFACTION, SATISFACTION_L2, "市民满意度", "≥90%", "92%", 10, 10),
    ],
)


# --------------------------------------------------------------------------
# 教育局
# --------------------------------------------------------------------------

SCHOOL_REPAIR = Project(
    name="中小学校舍维修改造项目",
    department="某县教育局",
    unit="某县教育基建服务中心",
    year=2023,
    funds=Funds(1500, 1680, 1537.2),
    exec_self_score=9.5,
    rows=[
        Row(OUT, "数量指标", "维修改造学校数量", "≥18所", "18所", 8, 8),
        Row(OUT, "数量指标", "维修改造校舍面积", "≥42000平方米", "39600平方米", 8, 8, "2所学校因规划调整延期"),
        Row(OUT, "数量指标", "改造学生厕所", "≥36座", "36座", 6, 6),
        Row(OUT, "质量指标", "工程验收合格率", "=100%", "100%", 8, 8),
        Row(OUT, "质量指标", "D级危房消除率", "=100%", "100%", 6, 6),
        Row(OUT, "时效指标", "暑期施工完成时间", "8月31日前", "基本完成", 8, 8, "1所学校延至9月中旬"),
        Row(OUT, "成本指标", "单位面积改造成本", "≤1150元/平方米", "1128元/平方米", 6, 6),
        Row(EFFECT, "社会效益指标", "校园安全隐患", "有效消除", "达成年度指标", 10, 10),
        Row(EFFECT, "社会效益指标", "办学条件", "明显改善", "显著改善", 10, 9),
        Row(EFFECT, "可持续影响指标", "校舍使用年限延长", "≥15年", "15年", 10),
        Row(SATISFACTION, SATISFACTION_L2, "师生及家长满意度", "≥90%", "95.2%", 10, 10),
    ],
)

SCHOOL_MEALS = Project(
    name="学生营养改善计划补助项目",
    department="某县教育局",
    unit="某县学生资助管理中心",
    year=2023,
    funds=Funds(2160, 2215.4, 2215.4),
    exec_self_score=10,
    rows=[
        Row(OUT, "数量指标", "受助学生人数", "≥26800人", "27,312人", 10, 10),
        Row(OUT, "数量指标", "供餐学校数量", "≥112所", "112所", 10, 10),
        Row(OUT, "质量指标", "食品安全事故", "≤0起", "0起", 10, 10),
        Row(OUT, "时效指标", "补助资金拨付及时率", "≥95%", "98%", 10, 10),
        Row(OUT, "成本指标", "生均每天补助标准", "=5元", "5元", 10, 10),
        Row(EFFECT, "社会效益指标", "学生营养健康状况", "有效改善", "达成年度指标", 10, 10),
        Row(EFFECT, "社会效益指标", "学生体质健康合格率", "≥92%", "90.5%", 10, 10, "农村学校体育设施不足"),
        Row(EFFECT, "可持续影响指标", "营养餐长效运行机制", "健全", "是", 10),
        Row(SATISFACTION, SATISFACTION_L2, "学生及家长满意度", "≥90%", "96.8%", 10, 10),
    ],
)


# --------------------------------------------------------------------------
# 卫健委, 文旅局, 水利局
# --------------------------------------------------------------------------

COMMUNITY_HEALTH = Project(
    name="社区卫生服务补助项目",
    department="某区卫生健康委员会",
    unit="某区社区卫生服务管理中心",
    year=2022,
    funds=Funds(0, 0, 0, total_row="zero", sub_rows=[
        FundRow("fiscal", 380, 395, 371.3),
        FundRow("carryover", 0, 24.6, 24.6),
        FundRow("other", 20, 20, 12.5),
    ]),
    exec_self_score=10,
    rows=[
        Row(OUT, "数量指标", "家庭医生签约人数", "≥52000人", "54,180人", 8, 8),
        Row(OUT, "数量指标", "健康档案建档人数", "≥180000人", "171,500人", 8, 8, "流动人口建档难度大"),
        Row(OUT, "质量指标", "65岁以上老年人健康管理率", "≥65百分比", "0.672", 8, 8),
        Row(OUT, "质量指标", "高血压患者规范管理率", "≥62%", "60.5%", 8, 8),
        Row(OUT, "时效指标", "补助资金拨付时间", "9月30日前", "按时完成", 8, 8),
        Row(OUT, "成本指标", "社区门诊次均费用", "≤120元", "126元", 10, 10, "药品价格调整"),
        Row(EFFECT, "社会效益指标", "居民健康素养水平", "≥28%", "29.3%", 10, 10),
        Row(EFFECT, "社会效益指标", "基层首诊率", "≥55%", "51.2%", 10, 10, "城区大医院分流患者"),
        Row(EFFECT, "可持续影响指标", "基层卫生服务能力", "持续提升", "一定效果", 10),
        Row(SATISFACTION, SATISFACTION_L2, "居民满意度", "≥85%", "—", 10, 10, "满意度调查尚未开展"),
    ],
)

LIBRARY = Project(
    name="图书馆免费开放项目",
    department="某市文化和旅游局",
    unit="某市图书馆",
    year=2019,
    funds=Funds(320, 335, 301.4),
    exec_self_score=9.4,
    goal_expected="全年免费开放不少于300天，接待读者85万人次，举办公益讲座展览120场。",
    goal_actual="全年开放306天，接待读者91.3万人次，举办讲座展览156场。",
    rows=[
        Row(OUT, "数量指标", "年接待读者人次", "≥85万人次", "91.3万人次", 10, 10),
        Row(OUT, "数量指标", "新增馆藏图书", "≥3.5万册", "3.8万册", 10, 10),
        Row(OUT, "数量指标", "举办公益讲座展览", "≥120场", "156场", 10, 10),
        Row(OUT, "质量指标", "图书外借完好率", "≥98%", "99.1%", 10, 10),
        Row(OUT, "时效指标", "每周免费开放时长", "≥63小时", "63小时", 10, 10),
        Row(EFFECT, "社会效益指标", "全民阅读氛围", "明显提升", "效果明显", 15, 15),
        Row(EFFECT, "可持续影响指标", "免费开放保障机制", "长效运行", "部分完成", 15, 14, "数字资源平台尚未建成"),
        Row(SATISFACTION, SATISFACTION_L2, "读者满意度", "≥90%", "94%", 10, 10),
    ],
)

RURAL_WATER = Project(
    name="农村饮水安全工程项目",
    department="某县水利局",
    unit="某县农村供水管理站",
    year=2023,
    funds=Funds(2400, 2650, 2385),
    exec_self_score=10,
    rows=[
        Row(OUT, "数量指标", "新建集中供水工程", "≥6处", "6处", 8, 8),
        Row(OUT, "数量指标", "改造供水管网长度", "≥85公里", "78.6公里", 8, 8),
        Row(OUT, "数量指标", "受益人口", "≥4.2万人", "4.36万人", 6, 6),
        Row(OUT, "质量指标", "水质检测合格率", "≥95%", "96.4%", 8, 8),
        Row(OUT, "质量指标", "工程竣工验收合格率", "=100%", "100%", 6, 6),
        Row(OUT, "时效指标", "工程完工时间", "2023年11月底前", "按时完成", 6, 6),
        Row(OUT, "成本指标", "工程建设投资控制", "≤2650万元", "23,850,000元", 8, 8),
        Row(EFFECT, "社会效益指标", "农村自来水普及率", "≥92%", "93.5%", 10, 10),
        Row(EFFECT, "可持续影响指标", "工程运行管护机制", "建立健全", "基本建立", 10, 9),
        Row(EFFECT, "生态效益指标", "水源地保护", "有效保护", "达成年度指标", 10),
        Row(SATISFACTION, SATISFACTION_L2, "受益群众满意度", "≥90%", "97%", 10, 10),
    ],
)


# --------------------------------------------------------------------------
# 部门整体支出 (F2 + F3)
# --------------------------------------------------------------------------

# A market regulation bureau: staff over quota, 三公经费 up on last year, a late budget top-up.
MARKET_BUREAU = BaseFigures(
    unit="某区市场监督管理局", year=2023, quota=86, staff=88,
    sangong=(21.4, 22.0, 21.7), project=(1320.0, 1480.0, 1402.6), public=(210.0, 215.0, 219.3),
    procurement=(160.0, 185.0, 171.2), carried=42.0, initial=5120.0, added=690.0, left=118.5,
    basic=3806.3, total=5208.9, key=1186.0, assets=2360.0, assets_in_use=2118.0,
)
MARKET_ROWS = [(l1, l2, name, w, {"绩效指标明确性": 5, "社会效益": 10, "社会公众或服务对象满意度": 9.5}.get(name, own))
               for l1, l2, name, w, own in HUNAN_ROWS]

# A statistics bureau that sent its two sheets as two files (paired by 填报单位).
STATISTICS_BUREAU = BaseFigures(
    unit="某区统计局", year=2023, quota=24, staff=23,
    sangong=(3.1, 2.8, 2.46), project=(96.0, 118.0, 109.7), public=(30.5, 31.0, 29.8),
    procurement=(12.0, 15.0, 14.1), carried=3.6, initial=612.0, added=0.0, left=9.4,
    basic=497.2, total=606.9, key=101.3, assets=188.0, assets_in_use=181.5,
)


def main() -> None:
    write_form(HERE / "城管局" / "城区道路养护项目.xlsx", ROAD_MAINTENANCE)
    write_form(HERE / "城管局" / "城市管理局_2023年度项目支出绩效自评表.xlsx",
               [STREET_CLEANING, PARK_GREENING, STREET_LIGHTING],
               cover_sheet=True, notes_sheet=True, label_variant=1)
    write_form(HERE / "教育局" / "中小学校舍维修改造项目.xlsx", SCHOOL_REPAIR, "sichuan-2023")
    write_form(HERE / "教育局" / "学生营养改善计划补助项目.xls", SCHOOL_MEALS)
    write_form(HERE / "卫健委" / "社区卫生服务补助项目_安徽样式.xlsx", COMMUNITY_HEALTH, "anhui-2022")
    write_form(HERE / "文旅局" / "图书馆免费开放项目_2019.xlsx", LIBRARY, "beijing-2016")
    write_form(HERE / "水利局" / "农村饮水安全工程项目.xlsx", RURAL_WATER, label_variant=2,
               spaced_labels=True, extra_rows_above=2, note="注：金额单位为万元，实际完成值以年度统计数据为准。")


    department = HERE / "市场监管局"
    department.mkdir(exist_ok=True)
    write_department_workbook(department / "市场监督管理局_2023年度部门整体支出绩效评价表.xlsx", MARKET_BUREAU,
                              rows=MARKET_ROWS)
    statistics = HERE / "统计局"
    statistics.mkdir(exist_ok=True)
    write_base_only(statistics / "统计局_基础数据表.xlsx", STATISTICS_BUREAU)
    write_scoring_only(statistics / "统计局_指标评分表.xlsx", STATISTICS_BUREAU.unit, order=2)


if __name__ == "__main__":
    main()
