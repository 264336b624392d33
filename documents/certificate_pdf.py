"""The certificate as a PDF a college can print, sign and stamp.

Laid out after the recommended form of 《关于规范志愿服务记录证明工作的指导意见》(民发〔2015〕149号):
the volunteer's identity, the service, the issuing organisation (person in charge, handling officer,
contact), other notes, and the place for the organisation's seal; with a QR code to the Verify page.

Chinese text is set in Noto Sans CJK with its Simplified-Chinese glyph forms: the bundled font
defaults to the Traditional forms, so text goes through the HarfBuzz shaping engine with the
language zh-Hans, whose `locl` feature picks the Simplified ones. Lines break by the Chinese rules
(documents/cjk_lines.py): no line starts with "，" or "。".
"""
from __future__ import annotations

import io
from importlib.resources import files

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from documents.cjk_lines import break_lines
from workflows.certificate import Certificate

FONT_PACKAGE = "cvttf_NotoSansCJK_Regular"
FONT_FILE = "NotoSansCJKtc-Regular.otf"
LANGUAGE = "zh-Hans"  # Simplified-Chinese glyph forms
GUIDELINE = "中央文明办、民政部、教育部、共青团中央《关于规范志愿服务记录证明工作的指导意见》（民发〔2015〕149号）"
MARGIN = 18
LINE = 5.2
CELL_PADDING = 1.2
SEAL_RADIUS = 21  # a college's round seal is 40–42 mm across
BOTTOM_BLOCK = 2 * SEAL_RADIUS + 6  # the QR code, the issuer's lines and the seal, kept together at the page's foot


def font_path() -> str:
    return str(files(FONT_PACKAGE) / FONT_FILE)


def new_document() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_font("cjk", fname=font_path())
    pdf.add_font("cjk", style="B", fname=font_path())  # table headings ask for bold; one weight serves
    pdf.set_text_shaping(use_shaping_engine=True, language=LANGUAGE)
    return pdf


def certificate_pdf(certificate: Certificate, verify_link: str | None = None) -> bytes:
    """`verify_link`: the Verify page's address for this number (a QR code); without it the page
    is named in words."""
    pdf = new_document()
    pdf.set_title(f"志愿服务时长证明 {certificate.number}")
    pdf.add_page()
    _heading(pdf, certificate)
    _section(pdf, "一、志愿者身份信息")
    _grid(pdf, [[("姓名", certificate.name, 1), ("证件类型", certificate.id_type, 1), ("证件号码", certificate.person_id, 1)],
                [("志愿者编号", certificate.volunteer_no or "（未登记）", 5)]])
    _section(pdf, "二、志愿服务信息")
    _paragraph(pdf, _statement(certificate))
    _entries_table(pdf, certificate)
    _section(pdf, "三、出具单位信息")
    _grid(pdf, [[("出具单位", certificate.organization, 3), ("出具日期", f"{certificate.issued_on:%Y年%m月%d日}", 1)],
                [("负责人", certificate.person_in_charge, 1), ("经办人", certificate.handling_officer, 1),
                 ("联系电话", certificate.contact, 1)]])
    _section(pdf, "四、其他说明")
    _paragraph(pdf, f"本证明依据{GUIDELINE}出具，所列服务时长以本单位志愿服务记录为准，经出具单位盖章后有效，"
                    f"涂改无效。", size=10)
    _foot(pdf, certificate, verify_link)
    return bytes(pdf.output())


def _heading(pdf: FPDF, certificate: Certificate) -> None:
    pdf.set_font("cjk", size=22)
    pdf.cell(0, 13, "志愿服务时长证明", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=10)
    pdf.cell(pdf.epw / 2, 7, f"证明编号：{certificate.number}")
    pdf.cell(pdf.epw / 2, 7, f"出具日期：{certificate.issued_on:%Y年%m月%d日}", align="R",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(2)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _statement(certificate: Certificate) -> str:
    period = (f"{certificate.period_start:%Y年%m月%d日}至{certificate.period_end:%Y年%m月%d日}"
              if certificate.period_start else f"截至{certificate.period_end:%Y年%m月%d日}")
    return (f"兹证明{certificate.name}（{certificate.id_type}号：{certificate.person_id}）于{period}"
            f"参加{certificate.organization}组织的志愿服务活动，经审核认定，累计志愿服务时长"
            f" {certificate.hours:g} 小时。服务记录如下：")


def _paragraph(pdf: FPDF, text: str, size: float = 11) -> None:
    pdf.set_font("cjk", size=size)
    for line in break_lines(text, pdf.epw, pdf.get_string_width):
        pdf.cell(0, size * 0.58, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def _wrapped(pdf: FPDF, text: str, width: float) -> str:
    """A cell's text with its line breaks made by the Chinese rules (the table then breaks no further)."""
    return "\n".join(break_lines(text, width - 2 * CELL_PADDING - 0.5, pdf.get_string_width))



def _grid(pdf: FPDF, rows: list[list[tuple[str, str, int]]]) -> None:
    """Rows of (label, value, columns the value spans) on a grid of three label–value pairs."""
    pdf.set_font("cjk", size=10.5)
    label, value = 21, (pdf.epw - 3 * 21) / 3
    widths = (label, value) * 3
    with pdf.table(col_widths=widths, first_row_as_headings=False, line_height=LINE, padding=CELL_PADDING,
                   text_align=("CENTER", "LEFT") * 3) as table:
        for cells in rows:
            row, at = table.row(), 0
            for name, text, span in cells:
                row.cell(name)
                row.cell(_wrapped(pdf, text or "—", sum(widths[at + 1:at + 1 + span])), colspan=span)
                at += 1 + span


def _entries_table(pdf: FPDF, certificate: Certificate) -> None:
    pdf.set_font("cjk", size=10)
    widths = (12, 28, pdf.epw - 12 - 28 - 26, 26)
    with pdf.table(col_widths=widths, text_align=("CENTER", "CENTER", "LEFT", "RIGHT"), line_height=LINE,
                   padding=CELL_PADDING) as table:
        header = table.row()
        for text in ("序号", "日期", "服务内容", "时长（小时）"):
            header.cell(text)
        for number, (day, content, hours) in enumerate(certificate.entries, start=1):
            row = table.row()
            row.cell(str(number))
            row.cell(f"{day:%Y-%m-%d}")
            row.cell(_wrapped(pdf, content or "—", widths[2]))
            row.cell(f"{hours:g}")
        total = table.row()
        total.cell("合计", colspan=3, align="CENTER")
        total.cell(f"{certificate.hours:g}")


def _foot(pdf: FPDF, certificate: Certificate, verify_link: str | None) -> None:
    """At the foot of the last page: the QR code to verify; the issuer's line, the date and the place
    for the seal (a dashed circle the seal is pressed over)."""
    if pdf.get_y() + BOTTOM_BLOCK + 2 > pdf.h - MARGIN:
        pdf.add_page()
    pdf.set_auto_page_break(False)  # the block is placed by hand within the page
    top = pdf.h - MARGIN - BOTTOM_BLOCK
    left = pdf.l_margin
    pdf.set_font("cjk", size=8.5)
    if verify_link:
        image = io.BytesIO()
        segno.make(verify_link, error="m").save(image, kind="png", scale=8, border=1)
        pdf.image(image, x=left, y=top + 2, w=30, h=30)
        pdf.set_xy(left, top + 33)
        pdf.multi_cell(62, 4, "扫码核验本证明，或访问：\n" + _wrapped(pdf, verify_link, 62),
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.set_xy(left, top + 14)
        pdf.multi_cell(62, 4.5, _wrapped(pdf, f"核验：在本平台“证明核验”页面（/verify）输入证明编号 {certificate.number}，"
                                              "可查得姓名、服务时长与出具日期。", 62))
    seal_x, seal_y = pdf.w - MARGIN - SEAL_RADIUS - 4, top + SEAL_RADIUS + 3
    pdf.set_draw_color(170, 170, 170)
    pdf.set_dash_pattern(dash=1.5, gap=1.5)
    pdf.circle(seal_x, seal_y, SEAL_RADIUS)
    pdf.set_dash_pattern()
    pdf.set_draw_color(0, 0, 0)
    pdf.set_text_color(150, 150, 150)
    pdf.set_font("cjk", size=9)
    pdf.set_xy(seal_x - SEAL_RADIUS, seal_y + SEAL_RADIUS - 10)
    pdf.cell(2 * SEAL_RADIUS, 5, "（盖章处）", align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("cjk", size=11.5)
    text_right = seal_x + 6  # the issuer's name runs under the seal, as a stamp is pressed over it
    text_left = left + 66
    pdf.set_xy(text_left, seal_y - 4)
    pdf.cell(text_right - text_left, 7, f"出具单位（盖章）：{certificate.organization}", align="R",
             new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_x(text_left)
    pdf.cell(text_right - text_left, 7, f"{certificate.issued_on:%Y年%m月%d日}", align="R")
