"""The licence as a PDF: its content, the issuing department, the signature's key and a QR code
that opens the public verification page. Font and QR image come from the cases module's notice
renderer (a TrueType CJK font from the system; ``NoticeFontMissing`` names the package if none)."""

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yiwang.cases.notices import notice_font, qr_png

from .models import HolderKind


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text or "—")).replace("\n", "<br/>"), style)


def _frame(canvas, doc) -> None:
    """A certificate's double border around the page."""
    width, height = doc.pagesize
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor("#8B1A1A"))
    canvas.setLineWidth(2.2)
    canvas.rect(9 * mm, 8 * mm, width - 18 * mm, height - 16 * mm)
    canvas.setLineWidth(0.6)
    canvas.rect(11.5 * mm, 10.5 * mm, width - 23 * mm, height - 21 * mm)
    canvas.restoreState()


def licence_rows(licence) -> list[tuple[str, str]]:
    """The printed rows: number, holder, the type's fields in the type's order, dates, issuer."""
    from yiwang.core.pii import mask_id_number

    holder_id = (
        licence.holder_uscc
        if licence.holder_kind == HolderKind.ENTERPRISE
        else mask_id_number(licence.holder_id_number or "")
    )
    rows = [
        ("证照编号", licence.number),
        ("持证主体", licence.holder_name),
        ("统一社会信用代码" if licence.holder_kind == HolderKind.ENTERPRISE else "身份证号码", holder_id),
    ]
    labels = licence.licence_type.field_labels
    values = dict(licence.fields or {})
    # The type's order (名称, 经营范围, 住所 …), then anything else the licence carries.
    order = [spec["key"] for spec in licence.licence_type.fields_schema or [] if spec.get("key") in values]
    for key in order + [key for key in values if key not in order]:
        rows.append((labels.get(key, key), values[key]))
    rows += [
        ("发证日期", f"{licence.issued_on:%Y年%m月%d日}"),
        ("有效期至", f"{licence.valid_until:%Y年%m月%d日}" if licence.valid_until else "长期"),
        ("发证机关", licence.department.name),
    ]
    return rows


def licence_pdf(licence, *, verify_url: str) -> bytes:
    """An A4 landscape licence. The holder's ID number is printed masked (the verification page
    never shows it either); the full content is what the signature covers."""

    font = notice_font()
    title = ParagraphStyle("title", fontName=font, fontSize=24, leading=32, alignment=TA_CENTER)
    # CJK wrapping breaks anywhere, so the URL and the signature's hex never run past the margin.
    small = ParagraphStyle(
        "small", fontName=font, fontSize=8.5, leading=12, textColor=colors.HexColor("#333333"), wordWrap="CJK"
    )
    issuer = ParagraphStyle("issuer", fontName=font, fontSize=12, leading=20, alignment=TA_RIGHT)
    body = ParagraphStyle("body", fontName=font, fontSize=11.5, leading=18)
    label = ParagraphStyle("label", fontName=font, fontSize=11.5, leading=18, textColor=colors.HexColor("#555555"))
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=16 * mm,
        bottomMargin=14 * mm,
        title=f"{licence.licence_type.name} {licence.number}",
        author=licence.department.name,
    )
    rows = licence_rows(licence)
    table = Table([[_p(k, label), _p(v, body)] for k, v in rows], colWidths=[50 * mm, 142 * mm])
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#BBBBBB")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    qr = Image(BytesIO(qr_png(verify_url)), width=34 * mm, height=34 * mm)
    side = Table(
        [[qr], [_p("扫码核验真伪", small)]],
        colWidths=[40 * mm],
    )
    layout = Table([[table, side]], colWidths=[195 * mm, 45 * mm])
    layout.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        _p(licence.licence_type.name, title),
        Spacer(1, 8 * mm),
        layout,
        Spacer(1, 6 * mm),
        _p(f"发证机关：{licence.department.name}（电子签章）", issuer),
        _p(f"{licence.issued_on:%Y年%m月%d日}", issuer),
        Spacer(1, 6 * mm),
        _p(
            f"本证照为电子证照，由{licence.department.name}以 SM2 数字签名签发（密钥 {licence.key.key_id}），"
            f"与纸质证照具有同等效力。核验地址：{verify_url}",
            small,
        ),
        _p(f"签名值：{licence.signature}", small),
    ]
    doc.build(story, onFirstPage=_frame, onLaterPages=_frame)
    return buffer.getvalue()
