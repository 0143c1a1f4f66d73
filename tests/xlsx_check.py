"""What Excel refuses or repairs in an .xlsx package ("We found a problem with some content …"),
checked strictly without Excel: the tests run it over the workbooks the writers produce.

    from xlsx_check import excel_problems
    assert excel_problems(path) == []

It reads the package as a zip: content types, relationships, docProps, the workbook (sheet names,
defined names: print areas and titles), styles, shared strings and every worksheet (element order,
dimension, rows and cells in order, row heights, column widths, merged ranges, cell types and
values, page breaks), and the charts' references.  Each problem is (part, kind, detail).
"""
from __future__ import annotations

import collections
import posixpath
import re
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PNS = "http://schemas.openxmlformats.org/package/2006/relationships"
CTNS = "http://schemas.openxmlformats.org/package/2006/content-types"
M = "{%s}" % NS

WORKSHEET_ORDER = [
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
    "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
    "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
    "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
    "legacyDrawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst",
]
BUILTIN_NUMFMTS = set(range(0, 50))
MAX_ROW, MAX_COL = 1048576, 16384


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]+)$")


def parse_ref(ref: str):
    m = REF.match(ref)
    if not m:
        return None
    c, r = col_number(m.group(1)), int(m.group(2))
    if not (1 <= c <= MAX_COL and 1 <= r <= MAX_ROW):
        return None
    return r, c


def parse_range(text: str):
    parts = text.split(":")
    if len(parts) == 1:
        a = parse_ref(parts[0])
        return None if a is None else (a[0], a[1], a[0], a[1])
    if len(parts) != 2:
        return None
    a, b = parse_ref(parts[0]), parse_ref(parts[1])
    if a is None or b is None:
        return None
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))


NUMERIC = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
BAD_SHEET_CHARS = set('[]:*?/\\')


class Checker:
    def __init__(self):
        self.violations = []  # (file, part, kind, detail)
        self.checks = 0
        self.files = 0
        self.sheets = 0

    def bad(self, file, part, kind, detail):
        self.violations.append((str(file), part, kind, detail))

    def ok(self, cond, file, part, kind, detail=""):
        self.checks += 1
        if not cond:
            self.bad(file, part, kind, detail)
        return cond

    # ------------------------------------------------------------------ package
    def check_file(self, path: Path):
        self.files += 1
        try:
            z = zipfile.ZipFile(path)
        except zipfile.BadZipFile as e:
            self.bad(path, "", "not-a-zip", str(e))
            return
        names = set(z.namelist())
        self.ok(len(names) == len(z.namelist()), path, "", "duplicate-zip-member")
        xml = {}
        for n in names:
            if n.endswith(".xml") or n.endswith(".rels"):
                data = z.read(n)
                try:
                    xml[n] = ET.fromstring(data)
                    self.checks += 1
                except ET.ParseError as e:
                    self.bad(path, n, "xml-not-well-formed", str(e))
        if not self.ok("[Content_Types].xml" in xml, path, "", "missing-content-types"):
            return
        ct = xml["[Content_Types].xml"]
        defaults = {e.get("Extension").lower(): e.get("ContentType") for e in ct.findall("{%s}Default" % CTNS)}
        overrides = {e.get("PartName"): e.get("ContentType") for e in ct.findall("{%s}Override" % CTNS)}
        for p in overrides:
            self.ok(p.lstrip("/") in names, path, "[Content_Types].xml", "override-for-missing-part", p)
        for n in names:
            if n.endswith("/"):
                continue
            ext = n.rsplit(".", 1)[-1].lower()
            self.ok("/" + n in overrides or ext in defaults, path, "[Content_Types].xml", "part-without-content-type", n)
        # relationships
        for n in [n for n in names if n.endswith(".rels")]:
            base = posixpath.dirname(posixpath.dirname(n))
            ids = set()
            for rel in xml.get(n, ET.Element("x")).findall("{%s}Relationship" % PNS):
                rid = rel.get("Id")
                self.ok(rid not in ids, path, n, "duplicate-relationship-id", rid)
                ids.add(rid)
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target")
                full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
                self.ok(full in names, path, n, "relationship-to-missing-part", f"{rid} -> {target}")
        # docProps
        for dp in ("docProps/core.xml", "docProps/app.xml"):
            self.ok(dp in names, path, dp, "docprops-missing")
        root_rels = xml.get("_rels/.rels")
        if self.ok(root_rels is not None, path, "_rels/.rels", "missing-root-rels"):
            targets = {r.get("Type").rsplit("/", 1)[-1]: r.get("Target").lstrip("/") for r in root_rels}
            self.ok("officeDocument" in targets, path, "_rels/.rels", "no-officeDocument")
            for kind, dp in (("core-properties", "docProps/core.xml"), ("extended-properties", "docProps/app.xml")):
                if dp in names:
                    self.ok(kind in targets, path, "_rels/.rels", "docprops-not-related", dp)
        if "docProps/app.xml" in xml:
            self.check_app(path, xml["docProps/app.xml"], xml)
        wb_name = "xl/workbook.xml"
        if not self.ok(wb_name in xml, path, "", "missing-workbook"):
            return
        self.check_workbook(path, z, xml, names)
        self.check_charts(path, xml)

    def check_charts(self, path, xml):
        wb = xml.get("xl/workbook.xml")
        if wb is None:
            return
        sheets = {s.get("name") for s in wb.iter(M + "sheet")}
        for n, root in xml.items():
            if not n.startswith("xl/charts/"):
                continue
            for f in root.iter("{http://schemas.openxmlformats.org/drawingml/2006/chart}f"):
                m = re.match(r"^(?:'((?:[^']|'')+)'|([^'!]+))!(.+)$", f.text or "")
                if not self.ok(m is not None, path, n, "chart-formula-malformed", f.text):
                    continue
                sheet = m.group(1).replace("''", "'") if m.group(1) else m.group(2)
                self.ok(sheet in sheets, path, n, "chart-formula-unknown-sheet", f.text)
                self.ok(parse_range(m.group(3)) is not None, path, n, "chart-formula-bad-range", f.text)

    def check_app(self, path, app, xml):
        ep = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
        vt = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
        titles = app.find(ep + "TitlesOfParts")
        if titles is not None:
            vec = titles.find(vt + "vector")
            if vec is not None:
                self.ok(int(vec.get("size", -1)) == len(list(vec)), path, "docProps/app.xml",
                        "app-vector-size-mismatch", f"{vec.get('size')} vs {len(list(vec))}")
                wb = xml.get("xl/workbook.xml")
                if wb is not None:
                    sheets = [s.get("name") for s in wb.iter(M + "sheet")]
                    lp = [e.text for e in vec]
                    self.ok(all(s in lp for s in sheets), path, "docProps/app.xml", "app-titles-missing-sheet",
                            f"{sheets} vs {lp}")

    # ----------------------------------------------------------------- workbook
    def check_workbook(self, path, z, xml, names):
        wb = xml["xl/workbook.xml"]
        rels = xml.get("xl/_rels/workbook.xml.rels")
        relmap = {}
        if self.ok(rels is not None, path, "xl/_rels/workbook.xml.rels", "missing-workbook-rels"):
            for r in rels:
                t = r.get("Target")
                relmap[r.get("Id")] = (r.get("Type").rsplit("/", 1)[-1],
                                       t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t)))
        sheets = list(wb.iter(M + "sheet"))
        self.ok(len(sheets) >= 1, path, "xl/workbook.xml", "no-sheets")
        seen = set()
        sheet_ids = set()
        sheet_info = []
        visible = 0
        for s in sheets:
            name = s.get("name") or ""
            self.ok(1 <= len(name) <= 31, path, "xl/workbook.xml", "sheet-name-length", f"{name!r} ({len(name)})")
            self.ok(not (set(name) & BAD_SHEET_CHARS), path, "xl/workbook.xml", "sheet-name-bad-char", name)
            self.ok(not name.startswith("'") and not name.endswith("'"), path, "xl/workbook.xml", "sheet-name-quote", name)
            self.ok(name.lower() not in seen, path, "xl/workbook.xml", "sheet-name-duplicate", name)
            self.ok(name.lower() != "history", path, "xl/workbook.xml", "sheet-name-reserved", name)
            seen.add(name.lower())
            sid = s.get("sheetId")
            self.ok(sid not in sheet_ids, path, "xl/workbook.xml", "sheetId-duplicate", sid)
            sheet_ids.add(sid)
            rid = s.get("{%s}id" % RNS)
            self.ok(rid in relmap, path, "xl/workbook.xml", "sheet-rid-missing", f"{name} {rid}")
            if s.get("state") in (None, "visible"):
                visible += 1
            sheet_info.append((name, relmap.get(rid, (None, None))[1]))
        self.ok(visible >= 1, path, "xl/workbook.xml", "no-visible-sheet")
        selected = [i for i, (_, p) in enumerate(sheet_info) if p in xml and any(
            v.get("tabSelected") in ("1", "true") for v in xml[p].iter(M + "sheetView"))]
        active = int(next(wb.iter(M + "workbookView"), ET.Element("x")).get("activeTab", 0))
        self.ok(not selected or selected == [active], path, "xl/workbook.xml", "tabSelected-not-the-active-sheet",
                f"selected {selected} active {active}")
        # workbookView activeTab
        for v in wb.iter(M + "workbookView"):
            at = int(v.get("activeTab", 0))
            self.ok(at < len(sheets), path, "xl/workbook.xml", "activeTab-out-of-range", at)
            ft = int(v.get("firstSheet", 0))
            self.ok(ft < len(sheets), path, "xl/workbook.xml", "firstSheet-out-of-range", ft)
        # workbook child order
        order = ["fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                 "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews",
                 "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr",
                 "webPublishObjects", "extLst"]
        self.check_order(path, "xl/workbook.xml", wb, order)
        # styles
        styles = None
        style_part = next((t for k, t in relmap.values() if k == "styles"), None)
        n_xf = n_dxf = None
        if style_part and style_part in xml:
            styles = xml[style_part]
            n_xf, n_dxf = self.check_styles(path, style_part, styles)
        # shared strings
        n_sst = 0
        sst_part = next((t for k, t in relmap.values() if k == "sharedStrings"), None)
        if sst_part and sst_part in xml:
            sst = xml[sst_part]
            items = sst.findall(M + "si")
            n_sst = len(items)
            if sst.get("uniqueCount") is not None:
                self.ok(int(sst.get("uniqueCount")) == n_sst, path, sst_part, "sst-uniqueCount-mismatch",
                        f"{sst.get('uniqueCount')} vs {n_sst}")
            for si in items:
                text = "".join(t.text or "" for t in si.iter(M + "t"))
                self.ok(len(text) <= 32767, path, sst_part, "string-over-32767", len(text))
        # sheets
        dims = {}
        for idx, (name, part) in enumerate(sheet_info):
            if part is None or part not in xml:
                self.bad(path, str(part), "sheet-part-missing", name)
                continue
            kind = relmap and next((k for k, t in relmap.values() if t == part), None)
            if kind != "worksheet":
                continue
            self.sheets += 1
            dims[idx] = self.check_sheet(path, part, xml[part], n_sst, n_xf, n_dxf)
        # defined names
        dn_seen = set()
        for dn in wb.iter(M + "definedName"):
            name = dn.get("name")
            lsid = dn.get("localSheetId")
            key = (name.lower(), lsid)
            self.ok(key not in dn_seen, path, "xl/workbook.xml", "definedName-duplicate", f"{name} {lsid}")
            dn_seen.add(key)
            if lsid is not None:
                self.ok(lsid.isdigit() and int(lsid) < len(sheets), path, "xl/workbook.xml",
                        "definedName-localSheetId-out-of-range", f"{name} {lsid}")
            self.check_defined_name(path, name, lsid, dn.text or "", sheet_info, dims)

    def check_defined_name(self, path, name, lsid, text, sheet_info, dims):
        part = "xl/workbook.xml"
        names = [s for s, _ in sheet_info]
        if name.startswith("_xlnm."):
            self.ok(lsid is not None, path, part, "builtin-name-without-localSheetId", name)
        refs = []
        for piece in self.split_top(text):
            m = re.match(r"^(?:'((?:[^']|'')+)'|([^'!]+))!(.+)$", piece)
            if not m:
                self.bad(path, part, "definedName-malformed", f"{name}: {text}")
                return
            sheet = (m.group(1) or "").replace("''", "'") if m.group(1) else m.group(2)
            if m.group(2) and re.search(r"[^\w.]", m.group(2)):
                self.bad(path, part, "definedName-sheet-needs-quotes", f"{name}: {text}")
            refs.append((sheet, m.group(3)))
        for sheet, ref in refs:
            if not self.ok(sheet in names, path, part, "definedName-unknown-sheet", f"{name}: {sheet}"):
                continue
            idx = names.index(sheet)
            if lsid is not None and name.startswith("_xlnm."):
                self.ok(int(lsid) == idx, path, part, "definedName-localSheetId-wrong", f"{name}: {lsid} vs {sheet}={idx}")
            if name == "_xlnm.Print_Titles":
                m = re.match(r"^\$?(\d+):\$?(\d+)$", ref) or re.match(r"^\$?([A-Z]{1,3}):\$?([A-Z]{1,3})$", ref)
                if not self.ok(m is not None, path, part, "print-titles-malformed", ref):
                    continue
                if ref.replace("$", "")[0].isdigit():
                    a, b = int(m.group(1)), int(m.group(2))
                    self.ok(1 <= a <= b <= MAX_ROW, path, part, "print-titles-bad-rows", ref)
                    d = dims.get(idx)
                    if d:
                        self.ok(b <= d[2], path, part, "print-titles-beyond-sheet", f"{sheet}!{ref} dim {d}")
                continue
            rng = parse_range(ref)
            if not self.ok(rng is not None, path, part, "definedName-ref-malformed", f"{name}: {ref}"):
                continue
            d = dims.get(idx)
            if d and name == "_xlnm.Print_Area":
                self.ok(rng[0] >= 1 and rng[2] <= d[2] and rng[3] <= max(d[3], 1) and rng[1] >= 1, path, part,
                        "print-area-beyond-used-range", f"{sheet}!{ref} dim {d}")

    @staticmethod
    def split_top(text):
        out, cur, q = [], "", False
        for ch in text:
            if ch == "'":
                q = not q
            if ch == "," and not q:
                out.append(cur)
                cur = ""
            else:
                cur += ch
        out.append(cur)
        return out

    def check_order(self, path, part, elem, order):
        pos = -1
        for child in elem:
            tag = child.tag.replace(M, "")
            if tag not in order:
                self.bad(path, part, "unknown-element", tag)
                continue
            i = order.index(tag)
            self.ok(i > pos or (i == pos and tag in ("conditionalFormatting",)), path, part, "element-order",
                    f"{tag} after {order[pos] if pos >= 0 else '-'}")
            pos = max(pos, i)

    def check_styles(self, path, part, styles):
        numfmts = {int(n.get("numFmtId")) for n in styles.iter(M + "numFmt")}
        nf = styles.find(M + "numFmts")
        if nf is not None and nf.get("count") is not None:
            self.ok(int(nf.get("count")) == len(list(nf)), path, part, "numFmts-count-mismatch")
        counts = {}
        for group, child in (("fonts", "font"), ("fills", "fill"), ("borders", "border"),
                             ("cellStyleXfs", "xf"), ("cellXfs", "xf"), ("cellStyles", "cellStyle"), ("dxfs", "dxf")):
            g = styles.find(M + group)
            n = 0 if g is None else len(g.findall(M + child))
            counts[group] = n
            if g is not None and g.get("count") is not None:
                self.ok(int(g.get("count")) == n, path, part, f"{group}-count-mismatch", f"{g.get('count')} vs {n}")
        self.ok(counts["fonts"] >= 1 and counts["fills"] >= 2 and counts["borders"] >= 1 and counts["cellXfs"] >= 1,
                path, part, "styles-minimum-missing", counts)
        for group in ("cellXfs", "cellStyleXfs"):
            g = styles.find(M + group)
            if g is None:
                continue
            for i, xf in enumerate(g.findall(M + "xf")):
                n = int(xf.get("numFmtId", 0))
                self.ok(n in BUILTIN_NUMFMTS or n in numfmts, path, part, "numFmt-undefined", f"{group}[{i}] numFmtId={n}")
                self.ok(int(xf.get("fontId", 0)) < counts["fonts"], path, part, "fontId-out-of-range", f"{group}[{i}]")
                self.ok(int(xf.get("fillId", 0)) < counts["fills"], path, part, "fillId-out-of-range", f"{group}[{i}]")
                self.ok(int(xf.get("borderId", 0)) < counts["borders"], path, part, "borderId-out-of-range", f"{group}[{i}]")
                if group == "cellXfs" and xf.get("xfId") is not None:
                    self.ok(int(xf.get("xfId")) < max(counts["cellStyleXfs"], 1), path, part, "xfId-out-of-range", f"{i}")
        return counts["cellXfs"], counts["dxfs"]

    # -------------------------------------------------------------------- sheet
    def check_sheet(self, path, part, ws, n_sst, n_xf, n_dxf):
        self.check_order(path, part, ws, WORKSHEET_ORDER)
        dim = ws.find(M + "dimension")
        drng = None
        if self.ok(dim is not None, path, part, "dimension-missing"):
            drng = parse_range(dim.get("ref", ""))
            self.ok(drng is not None, path, part, "dimension-malformed", dim.get("ref"))
        # cols
        cols = ws.find(M + "cols")
        if cols is not None:
            self.ok(len(list(cols)) > 0, path, part, "cols-empty")
            last = 0
            for c in cols.findall(M + "col"):
                lo, hi = int(c.get("min")), int(c.get("max"))
                self.ok(1 <= lo <= hi <= MAX_COL, path, part, "col-range-invalid", f"{lo}-{hi}")
                self.ok(lo > last, path, part, "cols-overlap-or-unsorted", f"{lo}-{hi} after {last}")
                last = max(last, hi)
                if c.get("width") is not None:
                    self.ok(0 <= float(c.get("width")) <= 255, path, part, "col-width-over-255", c.get("width"))
                if c.get("style") is not None and n_xf is not None:
                    self.ok(int(c.get("style")) < n_xf, path, part, "col-style-out-of-range", c.get("style"))
        sfp = ws.find(M + "sheetFormatPr")
        if sfp is not None and sfp.get("defaultRowHeight") is not None:
            self.ok(0 <= float(sfp.get("defaultRowHeight")) <= 409, path, part, "defaultRowHeight-over-409")
        # rows & cells
        sd = ws.find(M + "sheetData")
        max_r = max_c = 0
        min_r = min_c = None
        last_r = 0
        if self.ok(sd is not None, path, part, "sheetData-missing"):
            for row in sd.findall(M + "row"):
                r = row.get("r")
                if r is not None:
                    r = int(r)
                    self.ok(r > last_r, path, part, "rows-out-of-order-or-duplicate", f"row {r} after {last_r}")
                    self.ok(1 <= r <= MAX_ROW, path, part, "row-number-invalid", r)
                else:
                    r = last_r + 1
                last_r = r
                if row.get("ht") is not None:
                    ht = float(row.get("ht"))
                    self.ok(0 <= ht <= 409, path, part, "row-height-over-409", f"row {r} ht={ht}")
                    self.ok(row.get("customHeight") in ("1", "true"), path, part, "ht-without-customHeight", f"row {r}")
                if row.get("s") is not None and n_xf is not None:
                    self.ok(int(row.get("s")) < n_xf, path, part, "row-style-out-of-range", f"row {r}")
                    self.ok(row.get("customFormat") in ("1", "true"), path, part, "row-s-without-customFormat", f"row {r}")
                if row.get("spans"):
                    for sp in row.get("spans").split():
                        a, _, b = sp.partition(":")
                        self.ok(a.isdigit() and b.isdigit() and 1 <= int(a) <= int(b) <= MAX_COL, path, part,
                                "row-spans-invalid", f"row {r} spans={sp}")
                last_c = 0
                has_cell = False
                for c in row.findall(M + "c"):
                    ref = c.get("r")
                    if ref is not None:
                        p = parse_ref(ref)
                        if not self.ok(p is not None, path, part, "cell-ref-malformed", ref):
                            continue
                        cr, cc = p
                        self.ok(cr == r, path, part, "cell-in-wrong-row", f"{ref} in row {r}")
                    else:
                        cc = last_c + 1
                    self.ok(cc > last_c, path, part, "cells-out-of-order-or-duplicate", f"{ref} after col {last_c}")
                    last_c = cc
                    has_cell = True
                    max_c = max(max_c, cc)
                    min_c = cc if min_c is None else min(min_c, cc)
                    self.check_cell(path, part, c, ref or f"R{r}C{cc}", n_sst, n_xf)
                if has_cell:
                    max_r = max(max_r, r)
                    min_r = r if min_r is None else min(min_r, r)
        # merges
        mc = ws.find(M + "mergeCells")
        merges = []
        if mc is not None:
            items = mc.findall(M + "mergeCell")
            if mc.get("count") is not None:
                self.ok(int(mc.get("count")) == len(items), path, part, "mergeCells-count-mismatch",
                        f"{mc.get('count')} vs {len(items)}")
            self.ok(len(items) > 0, path, part, "mergeCells-empty")
            for m in items:
                rng = parse_range(m.get("ref", ""))
                if not self.ok(rng is not None and ":" in m.get("ref", ""), path, part, "merge-malformed", m.get("ref")):
                    continue
                self.ok(not (rng[0] == rng[2] and rng[1] == rng[3]), path, part, "merge-single-cell", m.get("ref"))
                merges.append((rng, m.get("ref")))
                max_r, max_c = max(max_r, rng[2]), max(max_c, rng[3])
            self.check_overlaps(path, part, merges)
        if drng is not None and max_r:
            self.ok(max_r <= drng[2] and max_c <= drng[3] and (min_r or 1) >= drng[0] and (min_c or 1) >= drng[1],
                    path, part, "content-beyond-dimension",
                    f"dim {dim.get('ref')} vs rows {min_r}-{max_r} cols {min_c}-{max_c}")
        # conditional formatting dxfId
        for rule in ws.iter(M + "cfRule"):
            if rule.get("dxfId") is not None:
                self.ok(n_dxf is not None and int(rule.get("dxfId")) < n_dxf, path, part, "dxfId-out-of-range",
                        rule.get("dxfId"))
        for cf in ws.iter(M + "conditionalFormatting"):
            for sq in (cf.get("sqref") or "").split():
                self.ok(parse_range(sq) is not None, path, part, "cf-sqref-malformed", sq)
        for dv in ws.iter(M + "dataValidation"):
            for sq in (dv.get("sqref") or "").split():
                self.ok(parse_range(sq) is not None, path, part, "dv-sqref-malformed", sq)
        af = ws.find(M + "autoFilter")
        if af is not None:
            self.ok(parse_range(af.get("ref", "")) is not None, path, part, "autoFilter-malformed", af.get("ref"))
        # selection / pane
        for sel in ws.iter(M + "selection"):
            if sel.get("activeCell"):
                self.ok(parse_ref(sel.get("activeCell")) is not None, path, part, "activeCell-malformed")
            for sq in (sel.get("sqref") or "").split():
                self.ok(parse_range(sq) is not None, path, part, "selection-sqref-malformed", sq)
        pane = ws.find(f"{M}sheetViews/{M}sheetView/{M}pane")
        if pane is not None and pane.get("topLeftCell"):
            self.ok(parse_ref(pane.get("topLeftCell")) is not None, path, part, "pane-topLeftCell-malformed")
        # page setup
        ps = ws.find(M + "pageSetup")
        if ps is not None:
            for a, lo, hi in (("scale", 10, 400), ("fitToWidth", 0, 32767), ("fitToHeight", 0, 32767)):
                if ps.get(a) is not None:
                    self.ok(lo <= int(ps.get(a)) <= hi, path, part, f"pageSetup-{a}-out-of-range", ps.get(a))
            if ps.get("{%s}id" % RNS):
                self.bad(path, part, "pageSetup-rid", ps.get("{%s}id" % RNS))
        pm = ws.find(M + "pageMargins")
        if pm is not None:
            for a in ("left", "right", "top", "bottom", "header", "footer"):
                self.ok(pm.get(a) is not None, path, part, "pageMargins-attribute-missing", a)
        used = (max_r, max_c)
        for tag, limit, dim_i in (("rowBreaks", MAX_ROW, 0), ("colBreaks", MAX_COL, 1)):
            b = ws.find(M + tag)
            if b is None:
                continue
            brks = b.findall(M + "brk")
            self.ok(int(b.get("count", 0)) == len(brks), path, part, f"{tag}-count-mismatch",
                    f"count={b.get('count')} vs {len(brks)}")
            manual = sum(1 for k in brks if k.get("man") in ("1", "true"))
            self.ok(int(b.get("manualBreakCount", 0)) == manual, path, part, f"{tag}-manualBreakCount-mismatch",
                    f"manualBreakCount={b.get('manualBreakCount')} vs {manual}")
            self.ok(len(brks) <= 1024, path, part, f"{tag}-over-1024", len(brks))
            ids = [int(k.get("id", 0)) for k in brks]
            self.ok(ids == sorted(set(ids)), path, part, f"{tag}-unsorted-or-duplicate", ids)
            for i in ids:
                self.ok(1 <= i < used[dim_i], path, part, f"{tag}-id-beyond-used-range", f"id={i} used={used}")
            for k in brks:
                if k.get("max") is not None:
                    self.ok(int(k.get("max")) <= (MAX_COL - 1 if tag == "rowBreaks" else MAX_ROW - 1), path, part,
                            f"{tag}-max-invalid", k.get("max"))
        hf = ws.find(M + "headerFooter")
        if hf is not None:
            for e in hf:
                self.ok(len(e.text or "") <= 255, path, part, "headerFooter-over-255", e.tag)
        return drng

    def check_overlaps(self, path, part, merges):
        owner = {}
        for rng, ref in merges:
            self.checks += 1
            for r in range(rng[0], rng[2] + 1):
                for c in range(rng[1], rng[3] + 1):
                    if (r, c) in owner:
                        self.bad(path, part, "merge-overlap", f"{ref} overlaps {owner[(r, c)]}")
                        break
                    owner[(r, c)] = ref
                else:
                    continue
                break

    def check_cell(self, path, part, c, ref, n_sst, n_xf):
        s = c.get("s")
        if s is not None and n_xf is not None:
            self.ok(s.isdigit() and int(s) < n_xf, path, part, "style-index-out-of-range", f"{ref} s={s} (cellXfs {n_xf})")
        t = c.get("t", "n")
        self.ok(t in ("b", "d", "e", "inlineStr", "n", "s", "str"), path, part, "cell-type-invalid", f"{ref} t={t}")
        v = c.find(M + "v")
        f = c.find(M + "f")
        if t == "n" and v is not None:
            self.ok(NUMERIC.match((v.text or "").strip()) is not None, path, part, "numeric-cell-not-number",
                    f"{ref} v={v.text!r}")
            if v.text and NUMERIC.match(v.text.strip()):
                x = float(v.text)
                self.ok(x == x and abs(x) != float("inf"), path, part, "numeric-cell-not-finite", ref)
        elif t == "s":
            if self.ok(v is not None and (v.text or "").isdigit(), path, part, "shared-string-cell-without-index", ref):
                self.ok(int(v.text) < n_sst, path, part, "shared-string-index-out-of-range", f"{ref} {v.text} >= {n_sst}")
        elif t == "inlineStr":
            is_ = c.find(M + "is")
            self.ok(is_ is not None, path, part, "inlineStr-without-is", ref)
            self.ok(v is None, path, part, "inlineStr-with-v", ref)
            if is_ is not None:
                text = "".join(x.text or "" for x in is_.iter(M + "t"))
                self.ok(len(text) <= 32767, path, part, "inline-string-over-32767", f"{ref} {len(text)}")
                for x in is_.iter(M + "t"):
                    if x.text and (x.text != x.text.strip()):
                        self.ok(x.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve", path, part,
                                "leading-trailing-space-without-preserve", ref)
        elif t == "b" and v is not None:
            self.ok(v.text in ("0", "1"), path, part, "bool-cell-invalid", ref)
        elif t == "str":
            self.ok(f is not None or v is not None, path, part, "str-cell-empty", ref)
            if v is not None:
                self.ok(len(v.text or "") <= 32767, path, part, "str-over-32767", ref)
        if f is not None and f.text:
            self.ok(len(f.text) <= 8192, path, part, "formula-over-8192", ref)
        # cell children order: f, v, is
        tags = [x.tag.replace(M, "") for x in c]
        order = ["f", "v", "is", "extLst"]
        self.ok([x for x in order if x in tags] == tags, path, part, "cell-child-order", f"{ref} {tags}")


def excel_problems(path) -> list[tuple[str, str, str]]:
    """The problems Excel would refuse or repair in the .xlsx at ``path``: (part, kind, detail)."""
    checker = Checker()
    checker.check_file(Path(path))
    return [(part, kind, str(detail)) for _, part, kind, detail in checker.violations]


def main(args):
    """``python tests/xlsx_check.py FILE_OR_FOLDER…``: the problems of every .xlsx, and the counts."""
    checker = Checker()
    for arg in args:
        path = Path(arg)
        for file in sorted(path.rglob("*.xlsx")) if path.is_dir() else [path]:
            checker.check_file(file)
    kinds = collections.Counter(kind for _, _, kind, _ in checker.violations)
    for file, part, kind, detail in checker.violations[:200]:
        print(f"{file} {part} {kind}: {detail}")
    print(f"files={checker.files} sheets={checker.sheets} checks={checker.checks} "
          f"violations={len(checker.violations)} {dict(kinds)}")
    return checker


if __name__ == "__main__":
    main(sys.argv[1:])
