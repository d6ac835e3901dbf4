"""Printable notices (受理通知书, 补正告知书, 不予受理通知书, 容缺受理通知书, 决定书, 告知承诺书) as PDF,
in the name of the issuing authority with the place of its seal.

The text is frozen in ``Notice.content`` when the notice is issued; the PDF is rendered from it on
download, with a QR code to the public status page. The font comes from the system (fonts-wqy-microhei
or another TrueType CJK font under /usr/share/fonts); ReportLab cannot embed the PostScript-outline
Noto CJK collections, so those are skipped. Without a usable font the rendering fails with a clear
``NoticeFontMissing`` naming the package to install.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_NAME = "YiwangCJK"
FONT_DIRS = (Path("/usr/share/fonts"),)
# Preferred files first; any other TrueType font whose name suggests CJK coverage is tried after.
PREFERRED_FONTS = (
    "truetype/wqy/wqy-microhei.ttc",
    "truetype/wqy/wqy-zenhei.ttc",
    "truetype/arphic/uming.ttc",
    "truetype/droid/DroidSansFallbackFull.ttf",
)
CJK_HINTS = ("wqy", "cjk", "droid", "uming", "ukai", "hei", "song", "noto")


class NoticeFontMissing(RuntimeError):
    """No TrueType CJK font under /usr/share/fonts: notices cannot be rendered."""


def _candidates() -> list[Path]:
    found: list[Path] = []
    for base in FONT_DIRS:
        found += [base / rel for rel in PREFERRED_FONTS if (base / rel).exists()]
        if base.exists():
            for path in sorted(base.rglob("*")):
                cjk = any(h in path.name.lower() for h in CJK_HINTS)
                if path.suffix.lower() in (".ttf", ".ttc") and cjk and path not in found:
                    found.append(path)
    return found


def _supports_chinese(font: TTFont) -> bool:
    face = font.face
    widths = getattr(face, "charToGlyph", None) or {}
    return all(ord(ch) in widths for ch in "受理通知书")


@cache
def notice_font() -> str:
    """Register and return the CJK font name; ``NoticeFontMissing`` if none is usable."""
    tried = []
    for path in _candidates():
        try:
            font = TTFont(FONT_NAME, str(path), subfontIndex=0)
        except Exception as exc:  # PostScript outlines, broken files: try the next one
            tried.append(f"{path.name}（{exc.__class__.__name__}）")
            continue
        if not _supports_chinese(font):
            tried.append(f"{path.name}（无中文字形）")
            continue
        pdfmetrics.registerFont(font)
        return FONT_NAME
    detail = "；已尝试：" + "、".join(tried) if tried else ""
    raise NoticeFontMissing(
        "无法生成文书 PDF：/usr/share/fonts 下没有可用的 TrueType 中文字体。"
        "请安装 fonts-wqy-microhei（apt-get install fonts-wqy-microhei）" + detail
    )


def qr_png(url: str) -> bytes:
    image = qrcode.make(url, box_size=6, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def _styles(font: str) -> dict:
    return {
        "org": ParagraphStyle("org", fontName=font, fontSize=12, leading=18, alignment=TA_CENTER),
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=2),
        "number": ParagraphStyle("number", fontName=font, fontSize=10, leading=14, alignment=TA_CENTER),
        "body": ParagraphStyle("body", fontName=font, fontSize=11, leading=19, firstLineIndent=22),
        "plain": ParagraphStyle("plain", fontName=font, fontSize=10.5, leading=16),
        "sign": ParagraphStyle("sign", fontName=font, fontSize=11, leading=19, alignment=TA_RIGHT),
        "seal": ParagraphStyle(
            "seal", fontName=font, fontSize=9, leading=13, alignment=TA_CENTER, textColor=colors.HexColor("#B22222")
        ),
        "small": ParagraphStyle("small", fontName=font, fontSize=8.5, leading=12, textColor=colors.HexColor("#333333")),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _seal_block(content: dict, s: dict) -> list:
    """The issuing authority, the date and the seal's place (a dashed box where the seal is stamped);
    notices frozen before the seal was recorded print the issuer only."""
    issuer, date = content.get("issuer", ""), content["date"]
    if not content.get("seal"):
        return [_p(issuer, s["sign"]), _p(date, s["sign"])]
    seal = Table(
        [[_p(f"{content['seal']}\n（盖章处）", s["seal"])]],
        colWidths=[52 * mm],
        rowHeights=[24 * mm],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor("#B22222"), None, (2, 2)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        ),
        hAlign="RIGHT",
    )
    return [seal, Spacer(1, 2 * mm), _p(issuer, s["sign"]), _p(date, s["sign"])]


def notice_pdf(content: dict, *, status_url: str) -> bytes:
    """Render one notice's frozen ``content`` (see ``services._notice_content``) as an A4 PDF."""
    font = notice_font()
    s = _styles(font)
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=18 * mm,
        bottomMargin=16 * mm,
        title=f"{content['title']} {content['number']}",
        author=content.get("issuer", ""),
    )
    story = [
        _p(content.get("issuer", ""), s["org"]),
        _p(content["title"], s["title"]),
        _p(content["number"], s["number"]),
        Spacer(1, 6 * mm),
        _p(f"{content['addressee']}：", s["plain"]),
        Spacer(1, 2 * mm),
    ]
    for paragraph in content.get("paragraphs", []):
        story.append(_p(paragraph, s["body"]))
    rows = content.get("table") or []
    if rows:
        story.append(Spacer(1, 3 * mm))
        table = Table([[_p(cell, s["plain"]) for cell in row] for row in rows], colWidths=content.get("widths"))
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#666666")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    facts = content.get("facts") or []
    if facts:
        story.append(Spacer(1, 3 * mm))
        for label, value in facts:
            story.append(_p(f"{label}：{value}", s["plain"]))
    signature_lines = content.get("signature_lines") or []
    if signature_lines:  # what the applicant signs (告知承诺书)
        story.append(Spacer(1, 8 * mm))
        for line in signature_lines:
            story += [_p(line, s["plain"]), Spacer(1, 5 * mm)]
    story += [Spacer(1, 10 * mm), *_seal_block(content, s), Spacer(1, 8 * mm)]
    qr = Image(BytesIO(qr_png(status_url)), width=26 * mm, height=26 * mm)
    hint = f"扫码查询办理进度：办件编号 {content['case_number']}，查询码见回执。\n{status_url}"
    story.append(
        Table(
            [[qr, _p(hint, s["small"])]],
            colWidths=[30 * mm, 136 * mm],
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
        )
    )
    doc.build(story)
    return buffer.getvalue()
