"""Writers: render scored forms, batch summaries and report drafts.  They compute no scores."""
from ._atomic import atomic_output
from ._templates import blank_templates, template_path
from .base_data_sheet import add_base_data_sheet, add_base_data_sheets
from .report_draft import write_report_drafts
from .scored_form import write_scored_workbook
from .summary_json import summary_dict, write_summary_json
from .summary_spool import SUMMARY_FILES, SummarySpool, write_summary_csv
from .summary_xlsx import write_summary_xlsx

__all__ = [
    "SUMMARY_FILES",
    "SummarySpool",
    "add_base_data_sheet",
    "add_base_data_sheets",
    "atomic_output",
    "blank_templates",
    "summary_dict",
    "template_path",
    "write_report_drafts",
    "write_scored_workbook",
    "write_summary_csv",
    "write_summary_json",
    "write_summary_xlsx",
]
