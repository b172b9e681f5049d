#!/usr/bin/env python3
"""Writes the input files of the workbook and JSON fixtures (run once; the outputs are committed,
so the tests need neither openpyxl nor LibreOffice):

    pip install openpyxl msoffcrypto-tool
    apt-get install -y libreoffice-calc-nogui   # for the LibreOffice workbook and CSV twins
    python3 Tests/Fixtures/make_workbooks.py

Then `INTAKE_UPDATE_FIXTURES=1 swift test --filter Fixture` writes the expected outputs; review them.
A `twin.csv` beside an `input.xlsx` is the same table exported as CSV by LibreOffice: the import of
both must give the same results (WorkbookTwinTests).
"""
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.utils.datetime import CALENDAR_MAC_1904

HERE = os.path.dirname(os.path.abspath(__file__))
FIXED = dt.datetime(2024, 1, 1)  # zip timestamps, so the files are the same on every run

PEOPLE_SCHEMA = {
    "name": "People",
    "fields": [
        {"label": "ID", "key": "id", "type": "number", "validators": [{"validate": "required"}, {"validate": "unique"}]},
        {"label": "Name", "key": "name", "validators": [{"validate": "required"}]},
        {"label": "Zip", "key": "zip"},
        {"label": "Joined", "key": "joined", "type": "date"},
        {"label": "Balance", "key": "balance", "type": "number"},
        {"label": "Active", "key": "active", "type": "checkbox"},
        {"label": "Email", "key": "email", "type": "email", "validators": [{"validate": "required"}]},
        {"label": "Notes", "key": "notes"},
    ],
    "settings": {"importIdentifier": "People"},
}

HEADER = ["ID", "Name", "Zip", "Joined", "Balance", "Active", "Email", "Notes"]
ROWS = [
    [1, "Ada Lovelace", "02139", dt.date(2024, 2, 9), 1234.5, True, "ada@example.com", "first line\nsecond line"],
    [2, "Bob", "10001", dt.date(2023, 12, 31), -20, False, "bob@", None],
    None,  # a blank row: skipped
    [3, "Zoë Ünïcode", "00501", dt.date(2000, 2, 29), 0.1, True, "zoe@example.org", "=not a formula"],
    [4, "Dan O'Brien", "99950", dt.date(1999, 1, 1), 1234567890123, False, "dan@example.net", "  spaced  "],
]


def save(wb, path):
    wb.save(path)
    normalize_zip(path)


def normalize_zip(path):
    """Rewrites a zip with fixed timestamps and order (deterministic bytes)."""
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            info = zipfile.ZipInfo(name, FIXED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def people_sheet(ws, top=1, left=1):
    for c, h in enumerate(HEADER):
        ws.cell(top, left + c, h)
    for r, row in enumerate(ROWS, start=top + 1):
        if row is None:
            continue
        for c, v in enumerate(row):
            if v is None:
                continue
            cell = ws.cell(r, left + c, v)
            if isinstance(v, str):
                cell.data_type = "s"
            if isinstance(v, dt.date):
                cell.number_format = "yyyy-mm-dd"


def case(name, schema=None):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    if schema is not None:
        with open(os.path.join(d, "schema.json"), "w") as f:
            json.dump(schema, f, indent=1, ensure_ascii=False)
            f.write("\n")
    return d


def libreoffice(args, cwd):
    exe = shutil.which("libreoffice") or shutil.which("soffice")
    if not exe:
        return False
    profile = tempfile.mkdtemp()
    subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless"] + args, cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return True


def csv_twin(xlsx, out_csv):
    """LibreOffice's own CSV export of the workbook (UTF-8, comma, quoted text)."""
    tmp = tempfile.mkdtemp()
    shutil.copy(xlsx, os.path.join(tmp, "t.xlsx"))
    if not libreoffice(["--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76,1', "t.xlsx"], tmp):
        sys.exit("LibreOffice is needed for the CSV twins")
    shutil.copy(os.path.join(tmp, "t.csv"), out_csv)


def main():
    # 1. openpyxl, and its CSV twin.
    d = case("xlsx-openpyxl", PEOPLE_SCHEMA)
    wb = openpyxl.Workbook()
    people_sheet(wb.active)
    wb.active.title = "People"
    save(wb, os.path.join(d, "input.xlsx"))
    csv_twin(os.path.join(d, "input.xlsx"), os.path.join(d, "twin.csv"))

    # 2. The same table as LibreOffice writes it (a round trip through LibreOffice).
    d2 = case("xlsx-libreoffice", PEOPLE_SCHEMA)
    tmp = tempfile.mkdtemp()
    shutil.copy(os.path.join(d, "input.xlsx"), os.path.join(tmp, "src.ods.xlsx"))
    libreoffice(["--convert-to", "ods", "src.ods.xlsx"], tmp)
    libreoffice(["--convert-to", "xlsx", "src.ods.ods"], tmp)
    shutil.copy(os.path.join(tmp, "src.ods.xlsx"), os.path.join(d2, "input.xlsx"))
    normalize_zip(os.path.join(d2, "input.xlsx"))
    csv_twin(os.path.join(d2, "input.xlsx"), os.path.join(d2, "twin.csv"))

    # 3. Title rows, a table that starts at C4, a merged title; a hidden sheet and a chartsheet
    #    that are not data: the only visible worksheet with data is chosen.
    d = case("xlsx-title-rows-hidden-sheets", PEOPLE_SCHEMA)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    ws["C1"] = "People export"
    ws.merge_cells("C1:F1")
    ws["C2"] = "Generated for the fixture"
    people_sheet(ws, top=4, left=3)
    hidden = wb.create_sheet("Old")
    people_sheet(hidden)
    hidden.sheet_state = "hidden"
    chart = wb.create_chartsheet("Chart")
    bar = BarChart()
    bar.add_data(Reference(ws, min_col=7, min_row=4, max_row=9), titles_from_data=True)
    chart.add_chart(bar)
    save(wb, os.path.join(d, "input.xlsx"))

    # 4. Two sheets with data; the one whose header matches the schema is chosen.
    d = case("xlsx-sheet-chosen-by-header", PEOPLE_SCHEMA)
    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = "Summary"
    summary.append(["Region", "Total"])
    summary.append(["North", 12])
    summary.append(["South", 7])
    people_sheet(wb.create_sheet("People"))
    save(wb, os.path.join(d, "input.xlsx"))

    # 5. Two sheets alike: no sheet can be chosen, review; and the same with sheetOverride.
    for name, override in (("review-sheet-not-chosen", None), ("xlsx-sheet-override", "Q2")):
        schema = json.loads(json.dumps(PEOPLE_SCHEMA))
        if override:
            schema["settings"]["uploadStep"] = {"sheetOverride": override}
        d = case(name, schema)
        wb = openpyxl.Workbook()
        wb.active.title = "Q1"
        people_sheet(wb.active)
        q2 = wb.create_sheet("Q2")
        people_sheet(q2)
        q2["A2"] = 21
        save(wb, os.path.join(d, "input.xlsx"))

    # 6. The 1904 date system, times, date-times, a duration, errors and a formula's cached value.
    d = case("xlsx-1904-times-errors", {
        "name": "Events",
        "fields": [
            {"label": "Event", "key": "event"},
            {"label": "Day", "key": "day", "type": "date"},
            {"label": "Starts", "key": "starts", "type": ["time", {"outputFormat": "HH:mm"}]},
            {"label": "At", "key": "at", "type": "datetime"},
            {"label": "Length", "key": "length"},
            {"label": "Score", "key": "score"},
        ],
        "settings": {"importIdentifier": "Events", "invalidDataBehavior": "INCLUDE_INVALID_ROWS"},
    })
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["Event", "Day", "Starts", "At", "Length", "Score"])
    ws.append(["Launch", dt.date(2021, 1, 1), dt.time(9, 30), dt.datetime(2021, 1, 1, 9, 30, 15), dt.timedelta(hours=30, minutes=5), "=1/0"])
    ws.append(["Review", dt.date(1904, 1, 2), dt.time(17, 0), dt.datetime(2024, 2, 29, 23, 59, 59), dt.timedelta(minutes=90), 42])
    for r in (2, 3):
        ws.cell(r, 2).number_format = "d mmm yyyy"
        ws.cell(r, 3).number_format = "h:mm AM/PM"
        ws.cell(r, 4).number_format = "yyyy-mm-dd hh:mm:ss"
        ws.cell(r, 5).number_format = "[h]:mm:ss"
    save(wb, os.path.join(d, "input.xlsx"))
    # openpyxl writes no cached value for the formula: add one (#DIV/0!) as Excel would.
    patch(os.path.join(d, "input.xlsx"), "xl/worksheets/sheet1.xml",
          lambda x: x.replace(b"<f>1/0</f><v />", b"<f>1/0</f><v>#DIV/0!</v>"))

    # 7. JSON data: nested objects flattened, arrays as JSON text, numbers as written.
    d = case("json-data", {
        "name": "Contacts",
        "fields": [
            {"label": "Name", "key": "name", "validators": [{"validate": "required"}]},
            {"label": "City", "key": "city", "alternateMatches": ["address.city"]},
            {"label": "Zip", "key": "zip", "alternateMatches": ["address.zip"]},
            {"label": "Tags", "key": "tags"},
            {"label": "Score", "key": "score", "type": "number"},
            {"label": "Member", "key": "member", "type": "checkbox"},
        ],
        "settings": {"importIdentifier": "Contacts", "invalidDataBehavior": "INCLUDE_INVALID_ROWS"},
    })
    with open(os.path.join(d, "input.json"), "w") as f:
        f.write("""[
  {"name": "Ada", "address": {"city": "London", "zip": "01234"}, "tags": ["math", "engines"], "score": 1.50, "member": true},
  {"name": "Bob", "score": 1e3, "member": false, "extra": null},
  {"name": null, "address": {"city": "Paris"}, "score": "n/a"},
  {}
]
""")
    d = case("failed-json-invalid", PEOPLE_SCHEMA)
    with open(os.path.join(d, "input.json"), "w") as f:
        f.write('[\n  {"ID": 1, "Name": "Ada"},\n  {"ID": 2, "Name": "Bob",}\n]\n')
    d = case("failed-json-not-objects", PEOPLE_SCHEMA)
    with open(os.path.join(d, "input.json"), "w") as f:
        f.write('[\n  {"ID": 1, "Name": "Ada"},\n  "Bob"\n]\n')
    d = case("failed-json-empty", PEOPLE_SCHEMA)
    with open(os.path.join(d, "input.json"), "w") as f:
        f.write("[]\n")

    # 8. Hostile and broken workbooks: each UNREADABLE_FILE (or UNSUPPORTED_FORMAT) with a message.
    base = minimal_parts()
    bomb = dict(base)
    bomb["xl/worksheets/sheet1.xml"] = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                                        + b" " * (20 << 20) + b"</sheetData></worksheet>")
    write_zip(os.path.join(case("failed-xlsx-zip-bomb", PEOPLE_SCHEMA), "input.xlsx"), bomb, level=9)
    entity = dict(base)
    entity["xl/worksheets/sheet1.xml"] = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                                          b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
                                          b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>')
    write_zip(os.path.join(case("failed-xlsx-entity-bomb", PEOPLE_SCHEMA), "input.xlsx"), entity)
    traversal = dict(base)
    traversal["../../evil.sh"] = b"#!/bin/sh\necho owned\n"
    write_zip(os.path.join(case("failed-xlsx-path-traversal", PEOPLE_SCHEMA), "input.xlsx"), traversal)
    wide = dict(base)
    wide["xl/worksheets/sheet1.xml"] = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                                        b'<row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c><c r="XFE1" t="inlineStr"><is><t>too far</t></is></c></row></sheetData></worksheet>')
    write_zip(os.path.join(case("failed-xlsx-too-many-columns", PEOPLE_SCHEMA), "input.xlsx"), wide)
    with open(os.path.join(HERE, "xlsx-openpyxl", "input.xlsx"), "rb") as f:
        whole = f.read()
    with open(os.path.join(case("failed-xlsx-truncated", PEOPLE_SCHEMA), "input.xlsx"), "wb") as f:
        f.write(whole[: len(whole) * 2 // 3])
    ods = {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office:document-content/>"}
    write_zip(os.path.join(case("failed-ods", PEOPLE_SCHEMA), "input.ods"), ods, stored=("mimetype",))
    try:
        import msoffcrypto
        from msoffcrypto.format.ooxml import OOXMLFile
        out = io.BytesIO()
        with open(os.path.join(HERE, "xlsx-openpyxl", "input.xlsx"), "rb") as f:
            OOXMLFile(f).encrypt("secret", out)
        with open(os.path.join(case("failed-xlsx-encrypted", PEOPLE_SCHEMA), "input.xlsx"), "wb") as f:
            f.write(out.getvalue())
    except ImportError:
        print("msoffcrypto-tool is missing: failed-xlsx-encrypted not written", file=sys.stderr)


def minimal_parts():
    return {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                           b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                                      b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>',
    }


def write_zip(path, parts, level=6, stored=()):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, FIXED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            z.writestr(info, data, compresslevel=level)


def patch(path, part, change):
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    write_zip(path, {n: (change(d) if n == part else d) for n, d in items})


if __name__ == "__main__":
    main()
