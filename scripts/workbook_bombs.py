#!/usr/bin/env python3
"""Writes the hostile workbooks the tests refuse (crates/lingji-workbook/tests/fixtures).

Each is a few kilobytes to a megabyte on disk and would make a naive reader allocate gigabytes
or abort. Run it again only to change a fixture: python3 scripts/workbook_bombs.py
"""
import os
import struct
import zipfile

OUT = os.path.join(os.path.dirname(__file__), "..", "crates", "lingji-workbook", "tests", "fixtures")
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def parts(sheet_xml, shared=None, sheet_name="项目"):
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
             '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
             + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if shared is not None else '')
             + '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>')
    workbook = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {RNS}><sheets>'
                f'<sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wb_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
               + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared is not None else '')
               + '</Relationships>')
    out = [("[Content_Types].xml", types), ("_rels/.rels", rels), ("xl/workbook.xml", workbook),
           ("xl/_rels/workbook.xml.rels", wb_rels), ("xl/worksheets/sheet1.xml", sheet_xml)]
    if shared is not None:
        out.append(("xl/sharedStrings.xml", shared))
    return out


def sheet(cells, dimension=None):
    dim = f'<dimension ref="{dimension}"/>' if dimension else ''
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>{dim}<sheetData>{cells}</sheetData></worksheet>'


def write(name, entries):
    path = os.path.join(OUT, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for entry, data in entries:
            z.writestr(entry, data)
    return path


def understate(path, entry, size):
    """Rewrites the uncompressed size an entry declares (local header and central directory), as
    a hostile tool would, so only counting what really inflates can catch it."""
    raw = bytearray(open(path, "rb").read())
    name = entry.encode()
    i = 0
    while True:
        i = raw.find(name, i)
        if i < 0:
            break
        if raw[i - 30:i - 26] == b"PK\x03\x04":
            struct.pack_into("<I", raw, i - 30 + 22, size)
        elif raw[i - 46:i - 42] == b"PK\x01\x02":
            struct.pack_into("<I", raw, i - 46 + 24, size)
        i += len(name)
    open(path, "wb").write(raw)


def main():
    os.makedirs(OUT, exist_ok=True)
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>序号</t></is></c></row>'
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    # A cell at the last column and row, declared in the dimension and not.
    write("far-cell.xlsx", parts(sheet(header + far, "A1:XFD1048576")))
    write("far-cell-undeclared.xlsx", parts(sheet(header + far)))
    # Shared strings inflating to about half a gigabyte, honest about it, and the same lying about its size.
    strings = 30_000_000
    bomb = ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<sst {NS} count="{strings}" uniqueCount="{strings}">' + "<si><t>a</t></si>" * strings + "</sst>")
    bomb_sheet = sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', "A1")
    write("shared-strings-bomb.xlsx", parts(bomb_sheet, bomb))
    understate(write("shared-strings-bomb-lying.xlsx", parts(bomb_sheet, bomb)), "xl/sharedStrings.xml", 4096)
    # One string declaring a trillion: a reader reserving that many aborts.
    few = f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="1" uniqueCount="1000000000000"><si><t>a</t></si></sst>'
    write("unique-count.xlsx", parts(bomb_sheet, few))
    # Thousands of empty parts.
    entries = parts(sheet(header, "A1"))
    entries += [(f"xl/media/empty{i}.bin", "") for i in range(2_000)]
    write("many-parts.xlsx", entries)
    # A zip that is no workbook.
    write("not-a-workbook.xlsx", [("readme.txt", "这不是工作簿")])


if __name__ == "__main__":
    main()
