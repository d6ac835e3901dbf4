"""The appeals' texts from real citizen messages (``--appeal-texts``)."""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from .graph import Table

# --- real appeal texts (--appeal-texts) ---------------------------------------------------------
#
# Copies of the demo's ~2,500 appeals repeat the same texts, and a router trained on a million of them
# proves nothing. With --appeal-texts every copied appeal takes a real citizen message instead: the
# shared TipDM 2020 messages (../shared/data, read at run time, never copied into the project), whose
# topic labels are category groups of the county (城乡建设, 劳动和社会保障 …). A message goes to the
# category of its group whose keywords it mentions most (the categories' own keywords, as the rules
# suggestion reads them); one that mentions none goes to the category its group's messages mention
# most. A copy keeps its template's category, department and workflow and takes a message of that
# category, so the text, the category and the department that replied agree. The text is varied so
# that it does not simply repeat: the message's places (A市, K1区 …) become the appeal's own town, it
# opens with the appeal's town and village and a date before it was received, and half the time a
# sentence of another message of the same category follows. Templates of a category no message
# reaches (农业农村, 市场监管 and 政务服务 are no TipDM topic) keep their own texts.

APPEAL_TEXT_TRAIN = "appeals-tipdm2020-train.csv"
APPEAL_TEXT_SAMPLE = "appeals-sample-tipdm2020.csv"
APPEAL_TITLE_MAX = 120
APPEAL_BODY_MAX = 2000
PLACE = "\x00"  # where the appeal's town goes
_CITY = re.compile(r"[A-Z]\d{0,2}市")
_DISTRICT = re.compile(r"[A-Z]\d{0,2}[区县]")
_SENTENCE = re.compile(r"[^。！？!?；;\n\u3000]+[。！？!?；;]?")  # an ideographic space parts paragraphs
_KEYWORD_SPLIT = re.compile(r"[,，、\s]+")
OPENINGS = (
    "",
    "{place}群众反映：",
    "我是{place}的居民，",
    "{date}，{place}村民来电反映：",
    "{place}市民来信：",
    "{date}以来，",
    "反映{place}的问题：",
    "{place}，",
)
CLOSINGS = ("", "请相关部门尽快处理。", "望尽快答复。", "希望早日解决。", "恳请领导重视。")


@dataclass(frozen=True)
class Message:
    """One real message ready to be placed: numbers masked, its places marked with ``PLACE``."""

    title: str
    body: str
    label: str
    tail: tuple[str, ...] = ()  # its sentences after the first (to follow another message)


def read_messages(path: Path) -> list[tuple[str, str, str]]:
    """(title, body, label) of a labelled CSV (UTF-8 with or without BOM; columns ``body`` and
    ``category``, ``title`` optional); blank lines and rows without a body or a label are skipped."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"body", "category"} - {(name or "").strip() for name in reader.fieldnames or ()}
        if missing:
            raise SystemExit(f"{path} 缺少列：{'、'.join(sorted(missing))}（需要 body、category，title 可选）")
        rows = []
        for row in reader:
            row = {(k or "").strip(): (v or "") for k, v in row.items() if isinstance(v, str)}
            body, label = row.get("body", "").strip(), row.get("category", "").strip()
            if body and label:
                rows.append((row.get("title", "").strip(), body, label))
    return rows


def prepare_message(title: str, body: str, label: str) -> Message:
    from yiwang.core.pii import mask_text

    def placed(text: str) -> str:
        text = text.replace("_x000D_", "").replace("西地省", "陕西省")  # a spreadsheet's escaped line end
        return _DISTRICT.sub(PLACE, _CITY.sub("眉县", text))

    body = mask_text(placed(body))[:APPEAL_BODY_MAX]
    sentences = [s for s in _SENTENCE.findall(body) if 8 <= len(s) <= 200]
    return Message(mask_text(placed(title)), body, label, tuple(sentences[1:]))


def category_pools(messages: list[Message], categories: list[tuple[int, str, str]]) -> tuple[dict, int]:
    """Messages by category id (``categories``: id, group, keywords in the categories' order) and how
    many messages have a label that is no group of the county's categories."""
    groups: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)
    for pk, group, keywords in categories:
        groups[group.strip()].append((pk, [w for w in _KEYWORD_SPLIT.split(keywords or "") if w]))
    chosen, mentioned = [], defaultdict(Counter)
    for message in messages:
        best, best_hits = None, 0
        text = message.title + message.body
        for pk, words in groups.get(message.label, ()):
            hits = sum(1 for word in words if word in text)
            if hits > best_hits:
                best, best_hits = pk, hits
        if best is not None:
            mentioned[message.label][best] += 1
        chosen.append(best)
    pools, unknown = defaultdict(list), 0
    for message, pk in zip(messages, chosen, strict=True):
        if pk is None:
            if message.label not in groups:
                unknown += 1
                continue
            counts = mentioned[message.label]
            pk = counts.most_common(1)[0][0] if counts else groups[message.label][0][0]
        pools[pk].append(message)
    return dict(pools), unknown


class AppealTexts:
    """Rewrites a copied appeal row in place: a real message of its category, placed in its town."""

    def __init__(self, pools: dict, columns: list[str], names: dict[int, str], towns: list[str], rng, source: dict):
        self.pools, self.names, self.towns, self.rng, self.source = pools, names, towns, rng, source
        index = columns.index
        self.title, self.content, self.originals = index("title"), index("content"), index("pii_originals")
        self.category, self.town, self.village = index("category_id"), index("town_id"), index("village_id")
        self.received = index("received_at")
        self.rewritten = self.kept = 0

    def __call__(self, row: list) -> None:
        pool = self.pools.get(row[self.category])
        if not pool:
            self.kept += 1
            return
        rng = self.rng
        message = pool[rng.randrange(len(pool))]
        town = self.names.get(row[self.town]) or self.towns[rng.randrange(len(self.towns))]
        opening = OPENINGS[rng.randrange(len(OPENINGS))]
        if opening:
            day = row[self.received] - dt.timedelta(days=rng.randint(1, 30))
            place = town + self.names.get(row[self.village], "")
            opening = opening.format(place=place, date=f"{day.month}月{day.day}日")
        parts = [opening, message.body]
        if rng.random() < 0.5:
            other = pool[rng.randrange(len(pool))]
            if other.tail:
                parts.append(other.tail[rng.randrange(len(other.tail))])
        parts.append(CLOSINGS[rng.randrange(len(CLOSINGS))])
        title = message.title or message.body[: rng.randint(10, 20)]
        row[self.title] = title.replace(PLACE, town)[:APPEAL_TITLE_MAX]
        row[self.content] = "".join(parts).replace(PLACE, town)
        row[self.originals] = None  # the template's numbers as typed belong to its own text
        self.rewritten += 1

    def summary(self) -> dict:
        return {**self.source, "rewritten": self.rewritten, "kept": self.kept}


def appeal_texts(args, appeals: Table, seed: int) -> AppealTexts | None:
    """The rewriter of the appeals' texts from the messages in ``--appeal-texts`` (default
    ../shared/data); None, said on stderr, when the data is not there (the copies keep their texts)."""
    from django.conf import settings

    from yiwang.hotline.models import Category
    from yiwang.org.models import Region

    directory = Path(args.appeal_texts) if args.appeal_texts else Path(settings.SHARED_DIR) / "data"
    files = [APPEAL_TEXT_TRAIN, *([APPEAL_TEXT_SAMPLE] if args.appeal_texts_with_sample else [])]
    present = [name for name in files if (directory / name).is_file()]
    for name in files:
        if name not in present:
            print(
                f"未找到真实留言数据 {directory / name}（只在运行时从共享目录读取，不复制进项目）",
                file=sys.stderr,
            )
    if not present:
        print("诉求沿用模板（manage.py demo）的文本：副本的文本会重复", file=sys.stderr)
        return None
    messages = [prepare_message(*row) for name in present for row in read_messages(directory / name)]
    categories = list(Category.objects.order_by("sort_order", "code").values_list("id", "group", "keywords"))
    pools, unknown = category_pools(messages, categories)
    names = dict(Region.objects.values_list("id", "name"))
    town_index = appeals.columns.index("town_id")
    towns = sorted({names[row[town_index]] for row in appeals.rows if row[town_index] in names}) or ["首善街道"]
    source = {
        "directory": str(directory),
        "files": present,
        "messages": len(messages),
        "unknown_labels": unknown,
        "categories": len(pools),
    }
    return AppealTexts(pools, appeals.columns, names, towns, random.Random(seed), source)
