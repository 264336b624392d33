"""The certificate as a PDF, with Chinese text in an embedded CJK font (Noto Sans CJK)."""
from __future__ import annotations

from importlib.resources import files

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from workflows.certificate import Certificate

FONT_PACKAGE = "cvttf_NotoSansCJK_Regular"
FONT_FILE = "NotoSansCJKtc-Regular.otf"


def font_path() -> str:
    return str(files(FONT_PACKAGE) / FONT_FILE)


def certificate_pdf(certificate: Certificate) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("cjk", fname=font_path())
    pdf.add_font("cjk", style="B", fname=font_path())  # table headings ask for bold; one weight serves
    pdf.add_page()
    pdf.set_font("cjk", size=24)
    pdf.cell(0, 18, "志愿服务时长证明", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=10)
    pdf.cell(0, 6, f"证明编号：{certificate.number}", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("cjk", size=13)
    period = (f"{certificate.period_start:%Y年%m月%d日}至{certificate.period_end:%Y年%m月%d日}"
              if certificate.period_start else f"截至{certificate.period_end:%Y年%m月%d日}")
    pdf.multi_cell(0, 9, f"兹证明{certificate.name}（学号/工号：{certificate.person_id}）{period}"
                         f"参加志愿服务，经审核认定，累计志愿服务时长 {certificate.hours:g} 小时。服务记录如下：")
    pdf.ln(3)
    _entries_table(pdf, certificate)
    pdf.ln(8)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, f"出具单位：{certificate.organization}", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, 8, f"出具日期：{certificate.issued_on:%Y年%m月%d日}", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font("cjk", size=9)
    pdf.multi_cell(0, 5, "本证明依据《志愿服务记录办法》（民发〔2015〕149号）出具。可在本平台“证明核验”页面输入证明编号，"
                         "核验姓名、服务时长与出具日期。")
    return bytes(pdf.output())


def _entries_table(pdf: FPDF, certificate: Certificate) -> None:
    pdf.set_font("cjk", size=10)
    with pdf.table(col_widths=(30, 120, 25), text_align=("CENTER", "LEFT", "RIGHT"), line_height=7) as table:
        header = table.row()
        for text in ("日期", "服务内容", "时长（小时）"):
            header.cell(text)
        for day, content, hours in certificate.entries:
            row = table.row()
            row.cell(f"{day:%Y-%m-%d}")
            row.cell(content or "—")
            row.cell(f"{hours:g}")
        total = table.row()
        total.cell("合计")
        total.cell("")
        total.cell(f"{certificate.hours:g}")
