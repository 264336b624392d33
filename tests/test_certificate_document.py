"""The certificate is a document a college can print and stamp (民发〔2015〕149号): read back from the
PDF, it names the volunteer, their ID and volunteer number, the service and its hours, the issuer
with its person in charge, handling officer and contact, its number and date, and the seal's place;
it cites the guideline correctly; its lines break by the Chinese rules; its glyphs are Simplified."""
from __future__ import annotations

import datetime as dt
import io

import pypdfium2 as pdfium
from hypothesis import given, strategies as st
from pypdf import PdfReader

from documents.certificate_pdf import certificate_pdf, new_document
from documents.cjk_lines import NOT_AT_LINE_START, break_lines, breaks_well
from tests.builders import activity, people, signup, tables
from workflows.certificate import certificate_for
from workflows.signup import derive

NOW = dt.datetime(2025, 12, 1, 12, 0)
LONG = "为社区老人讲解智能手机的使用，帮助他们学会视频通话、扫码乘车与网上挂号，并整理了常见问题清单，供下次活动使用。"
SETTINGS = [{"key": "organization_name", "value": "某某大学某学院"}, {"key": "organization_head", "value": "王建国"},
            {"key": "organization_officer", "value": "李晓梅"}, {"key": "organization_contact", "value": "010-88880000"}]


def checkin(n, person_id, activity_id="A1", at="2025-11-20 09:10"):
    return {"checkin_id": f"C{n}", "activity_id": activity_id, "person_id": person_id, "at": at, "method": "code"}


def entry(n, person_id, description, hours="2.5", date="2025-11-25"):
    return {"entry_id": f"H{n}", "person_id": person_id, "date": date, "hours": hours, "status": "approved",
            "source": "self_report", "description": description}


def a_certificate(settings=SETTINGS, descriptions=("整理社区图书角",)):
    t = tables(people=people("2023012345"), activities=[activity(hours="3", title="社区义诊")],
               signups=[signup(1, "2023012345")], checkins=[checkin(1, "2023012345")],
               hours=[entry(n, "2023012345", text) for n, text in enumerate(descriptions, start=2)], settings=settings)
    return certificate_for(t, derive(t), "2023012345", NOW)


def text_of(pdf: bytes) -> str:
    # pypdf reads fpdf2's two-byte CID codes with a NUL before each character: drop the NULs
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\x00", "")


def test_the_certificate_carries_every_field_the_guideline_asks_for():
    certificate = a_certificate()
    text = text_of(certificate_pdf(certificate, f"https://v.example.edu.cn/verify?no={certificate.number}"))
    for expected in ("志愿服务时长证明", "姓名", "P2023012345", "证件类型", "学生证", "证件号码", "2023012345", "志愿者编号",
                     "服务内容", "社区义诊", "整理社区图书角", "5.5", "出具单位", "某某大学某学院", "负责人", "王建国",
                     "经办人", "李晓梅", "联系电话", "010-88880000", "证明编号", certificate.number, "2025年12月01日",
                     "盖章", "扫码核验"):
        assert expected in text, expected


def test_the_certificate_cites_the_guideline_and_not_the_record_measures_with_its_number():
    text = text_of(certificate_pdf(a_certificate())).replace("\n", "")
    assert "《关于规范志愿服务记录证明工作的指导意见》（民发〔2015〕149号）" in text
    assert "志愿服务记录办法》（民发" not in text


def test_unset_issuer_details_print_as_blanks_to_fill_and_without_an_address_the_verify_page_is_named():
    text = text_of(certificate_pdf(a_certificate(settings=[])))
    assert "（负责人）" in text and "（经办人）" in text and "（联系电话）" in text and "示例学院" in text
    assert "证明核验" in text and "/verify" in text and "扫码核验" not in text


def test_a_volunteer_number_in_the_people_sheet_is_printed():
    t = tables(people=people("2023012345", volunteer_no="ZYZ-110-0001"), settings=SETTINGS)
    certificate = certificate_for(t, derive(t), "2023012345", NOW)
    assert certificate.volunteer_no == "ZYZ-110-0001"
    assert "ZYZ-110-0001" in text_of(certificate_pdf(certificate))


def test_no_line_of_the_certificate_starts_with_a_closing_mark_and_one_page_holds_a_term_of_service():
    pdf = certificate_pdf(a_certificate(descriptions=[LONG] * 8))
    lines = [line.strip() for line in text_of(pdf).splitlines() if line.strip()]
    assert [line for line in lines if line[0] in NOT_AT_LINE_START] == []
    assert len(PdfReader(io.BytesIO(certificate_pdf(a_certificate(descriptions=["服务"] * 9)))).pages) == 1


@given(st.text(alphabet="志愿服务时长证明，。、；：（）《》“”ab12 /", max_size=120), st.integers(1, 30))
def test_lines_never_start_with_a_closing_mark_nor_end_with_an_opening_one(text, width):
    measure = lambda s: sum(1 if ord(c) < 128 else 2 for c in s)  # noqa: E731 - a monospace measure
    lines = break_lines(text, width, measure)
    assert breaks_well([line for line in lines if line])
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_the_glyphs_are_the_simplified_chinese_forms_not_the_fonts_traditional_default():
    def rendered(shaped: bool) -> bytes:
        pdf = new_document()
        if not shaped:
            pdf.set_text_shaping(False)
        pdf.add_page()
        pdf.set_font("cjk", size=60)
        pdf.cell(0, 30, "骨直")
        page = pdfium.PdfDocument(bytes(pdf.output()))[0]
        return page.render(scale=1).to_pil().tobytes()
    assert rendered(shaped=True) != rendered(shaped=False)
