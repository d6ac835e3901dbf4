"""Printable documents of the catalog: the guide (办事指南) as PDF with a QR code back to its page, the
blank application form, and the QR code itself.

The PDFs embed the TrueType CJK font the decision notices use (``cases.notices.notice_font``), so
they print the same on every reader; ReportLab's non-embedded STSong-Light is the fallback only.
"""

from io import BytesIO
from xml.sax.saxutils import escape

import qrcode
import qrcode.image.svg
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .elements import FORM_FIELD_TYPES

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    """The TrueType CJK font the decision notices embed (so the PDF prints the same on any reader);
    ReportLab's non-embedded STSong-Light only where no such font is installed."""
    global _registered
    from yiwang.cases.notices import NoticeFontMissing, notice_font

    try:
        return notice_font()
    except NoticeFontMissing:
        pass
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _styles():
    font = _font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14),
        "small": ParagraphStyle("small", fontName=font, fontSize=8, leading=11, textColor=colors.HexColor("#444444")),
    }


def qr_png(url: str) -> bytes:
    image = qrcode.make(url, box_size=6, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg(url: str) -> str:
    """An inline SVG of the QR code (no raster, sharp in print)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return svg[svg.index("<svg") :]


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text or "—")).replace("\n", "<br/>"), style)


def _table(rows, widths, header=False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, -1) if not header else (-1, 0), colors.HexColor("#E8EEF5")),
    ]
    table.setStyle(TableStyle(commands))
    return table


def guide_pdf(item, *, url: str, promise_due=None) -> bytes:
    """The guide of ``item`` (a ServiceItem with materials prefetched) as an A4 PDF."""
    s = _styles()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{item.name} 办事指南",
        author="眉县政务服务",
    )
    story = [_p(f"{item.name}", s["title"]), _p(f"办事指南 · 事项编码 {item.code} · 第{item.version}版", s["small"])]
    delivery = "、".join(item.delivery_labels) or "以窗口告知为准"
    facts = [
        ("事项类型", item.get_kind_display()),
        ("主管部门", item.competent_department.name),
        ("实施主体", item.implementing_department.name),
        ("行使层级", item.get_level_display()),
        ("服务对象", item.get_audience_display()),
        ("设定依据", item.legal_basis),
        ("受理条件", item.conditions),
        ("办件类型", item.get_handling_type_display()),
        ("法定办结时限", item.legal_limit_text),
        (
            "承诺办结时限",
            "即办"
            if item.is_instant
            else item.promised_limit_text
            + (
                f"（今日受理，预计不晚于{promise_due.year}年{promise_due.month}月{promise_due.day}日）"
                if promise_due
                else ""
            ),
        ),
        ("网办深度", item.get_online_depth_display()),
        ("到现场次数", f"{item.visits_required}次" + (f"（{item.visits_reason}）" if item.visits_required else "")),
        (
            "收费",
            "以窗口告知为准" if item.fee_charged is None else (item.fee_description if item.fee_charged else "不收费"),
        ),
        ("出件方式", delivery),
        ("办理地点", item.where_to_apply),
        ("办理时间", item.when_to_apply),
        ("咨询电话", item.consult_phone),
        ("监督投诉", item.complaint_phone),
    ]
    if item.reform_mode:
        facts.append(("证照分离改革", item.get_reform_mode_display()))
    facts.append(("告知承诺", "可以告知承诺替代部分证明材料" if item.pledge_allowed else "不适用"))
    facts.append(("7×24自助", "可在自助终端办理" if item.kiosk_available else "否"))
    facts.append(("跨区通办", "支持" if item.cross_region else "否"))
    story.append(Spacer(1, 4 * mm))
    story.append(_table([[_p(k, s["body"]), _p(v, s["body"])] for k, v in facts], [32 * mm, 146 * mm]))
    story.append(_p("申请材料", s["h2"]))
    rows = [[_p(h, s["body"]) for h in ("序号", "材料名称", "形式/份数", "要求", "说明")]]
    for n, m in enumerate(item.materials.all(), start=1):
        flags = ["必需" if m.required else "非必需"]
        if m.key:
            flags.append("关键要件")
        if m.deferrable:
            flags.append("可容缺后补")
        if m.pledge_replaceable:
            flags.append("可承诺替代")
        note = m.note or ""
        if m.licence_type:
            note = (note + " " if note else "") + f"可调取电子证照：{m.licence_type}"
        rows.append(
            [
                _p(n, s["body"]),
                _p(m.name, s["body"]),
                _p(
                    "以窗口告知为准"
                    if m.form == "unknown" or m.copies is None
                    else f"{m.get_form_display()}{m.copies}份",
                    s["body"],
                ),
                _p("、".join(flags), s["body"]),
                _p(note or "—", s["body"]),
            ]
        )
    story.append(_table(rows, [10 * mm, 62 * mm, 26 * mm, 34 * mm, 46 * mm], header=True))
    story.append(Spacer(1, 6 * mm))
    qr = Image(BytesIO(qr_png(url)), width=28 * mm, height=28 * mm)
    story.append(
        Table(
            [[qr, _p(f"扫码查看最新办事指南、在线申请：\n{url}", s["small"])]],
            colWidths=[32 * mm, 146 * mm],
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
        )
    )
    doc.build(story)
    return buffer.getvalue()


def form_pdf(*, name: str, code: str, form_fields: list[dict], sample: dict | None = None) -> bytes:
    """A blank (or, with ``sample``, filled-in example) application form from the item's form fields."""
    s = _styles()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{name}申请表",
    )
    title = f"{name}申请表" + ("（填写示例）" if sample else "")
    story = [_p(title, s["title"]), _p(f"事项编码 {code}", s["small"]), Spacer(1, 4 * mm)]
    rows = []
    for f in form_fields:
        label = f"{f['label']}{'＊' if f.get('required') else ''}"
        value = (sample or {}).get(f["key"], "")
        # A blank cell is the place to write; only a date or a number says its shape.
        hint = (
            "" if sample or f.get("type") in (None, "", "text", "textarea") else FORM_FIELD_TYPES.get(f.get("type"), "")
        )
        rows.append([_p(label, s["body"]), _p(value or (f"（{hint}）" if hint else ""), s["body"])])
    rows.append(
        [
            _p("申请人承诺", s["body"]),
            _p(
                "本人承诺所填信息和所交材料真实、有效，如有虚假愿承担相应法律责任。\n\n申请人（签字/盖章）：　　　　　　　年　　月　　日",
                s["body"],
            ),
        ]
    )
    table = Table(rows, colWidths=[45 * mm, 129 * mm], rowHeights=[12 * mm] * (len(rows) - 1) + [30 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#E8EEF5")),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 4 * mm))
    story.append(_p("＊为必填项。", s["small"]))
    doc.build(story)
    return buffer.getvalue()
