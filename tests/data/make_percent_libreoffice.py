"""Make percent_libreoffice.xls: numbers typed as percentages, saved as .xls by LibreOffice.

    cd tests && python data/make_percent_libreoffice.py   # needs soffice on PATH

Why a committed file: xlwt (what formgen writes .xls with) is one BIFF writer;
offices in the field save .xls with Excel, WPS or LibreOffice, which declare
their own number formats (LibreOffice: 0.0% as format 165), write a style XF
for the built-in "Percent" style, and store a formula's result beside it.  CI
has no LibreOffice, so the converted file is kept, small, beside this script.
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from formgen import Formula, Funds, Project, Row, write_form  # noqa: E402

PROJECT = Project(
    name="社区卫生服务中心运行补助项目", department="某区卫生健康局", unit="某区东湖社区卫生服务中心",
    year=2023, funds=Funds(100, 100, 100), self_total="",
    rows=[
        Row("产出指标", "数量指标", "家庭医生签约服务完成率", "≥95%", Formula("=0.5+0.55", 1.05), 20),  # 105.0%
        Row("产出指标", "质量指标", "健康档案规范化率", 0.95, "90%", 20, None, "部分档案未及时更新"),  # target 95%
        Row("产出指标", "时效指标", "补助资金拨付时间", "12月31日前", "按时完成", 10, 10),
        Row("效益指标", "社会效益指标", "居民健康素养水平", "有效提升", "达成年度指标", 30, 30),
        Row("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", 0.93, 10),  # 93%
    ],
)
NUMBER_FORMATS = {1.05: "0.0%", 0.95: "0%", 0.93: "0%"}


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        source = write_form(Path(work) / "percent_libreoffice.xlsx", PROJECT, number_formats=NUMBER_FORMATS)
        subprocess.run([shutil.which("soffice") or "soffice", "--headless", "--convert-to", "xls",
                        "--outdir", work, str(source)], check=True, capture_output=True)
        shutil.copy(Path(work) / "percent_libreoffice.xls", HERE / "percent_libreoffice.xls")


if __name__ == "__main__":
    main()
