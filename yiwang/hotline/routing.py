"""Smart routing: a text classifier that suggests a department (or category) for an appeal.

Features: TF-IDF over character 1–3-grams of the text (robust to the spelling variety of
citizens' Chinese and to words jieba does not know), plus TF-IDF over jieba words (with a county
dictionary: 猕猴桃, 农家乐, 冷库…) at a lower weight. Classifier: a linear SVM with balanced class
weights, calibrated (sigmoid, ``ROUTING_CALIBRATION_FOLDS`` = 2 folds) so that its confidence is a
probability the dispatcher can read; low-confidence suggestions are flagged
(``ROUTING_CONFIDENCE_THRESHOLD``). The vocabularies keep their most frequent terms
(``ROUTING_CHAR_FEATURES`` = 200,000 character n-grams, ``ROUTING_WORD_FEATURES`` = 50,000 words) and
the SVM's weights are stored in single precision (county defaults, measured below).

Measured on the public TipDM 2020 sample (495 messages, 7 topics), 5-fold stratified CV with
seed 42: accuracy ≈ 0.82 (the majority class is 21 %). jieba words alone score lower (≈ 0.70) than
character n-grams (≈ 0.82) on that sample; together they are as good as characters alone, and the
words carry the county's own vocabulary on the platform's history.

On the shared TipDM 2020 training file (8,225 messages, segmented, function words stripped;
``manage.py hotline tipdm``): 5-fold stratified CV ≈ 0.928 (published work: 0.91 with TF-IDF + SVM);
trained on it and tested on the raw 495-message sample: 0.990, and 0.984 on the 128 sample messages
that have no near-copy in the training file (367 of the 495 are the same letters as training
messages, so the whole-sample figure overstates unseen accuracy). Training takes about 50 s of CPU.

The title is repeated once in the document: titles are short and dense with the topic.

On the platform's history (``bench/routing.py`` on appeals generated with real TipDM texts,
``bench/generate.py --appeal-texts``), at 100 k appeals: 24,732 sampled documents, 29 departments;
training both routers with the 5-fold estimate took 602 s of CPU (peak RSS 2.6 GB), the category
router scored 0.94 on the held-out raw 495-message sample (0.40 when trained on the demo's texts);
the stored models are 74 and 86 MB and load in about 10 s at worker start. At 1 M appeals the sample
is 46,547 rows (34,101 distinct texts) read in 6 s by index.

Those figures are of the earlier settings (every n-gram seen twice, 3 calibration folds, double
precision). Side by side on the same stratified 9,040 documents of a 303,646-appeal database
(29 departments, 400 per department; CPU seconds, the machine at load average 11–15): the department
router's fit 75.0 s → 45.6 s of CPU (0.61×), its stored model 38.6 → 15.5 MB (0.40×), the features
353,036 → 224,622 with 4 % fewer non-zeros (the calibration folds are most of the saving); the
category router's accuracy on the raw TipDM sample 0.891 → 0.887 (0.922 → 0.922 on the 128 messages
with no near-copy). On the whole sample of that database (33,343 distinct texts; the million's has
34,101): both routers' fit 323 s of CPU (641 s wall at load average 7.6–16), peak RSS 2.1 GB, models
16.6 and 18.1 MB, warm start with jieba 5.9 s, TipDM sample 0.958 (0.969 on the 128 unseen).
"""

from __future__ import annotations

import csv
import io
import logging
import threading
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from yiwang.core.errors import ApplicationError

logger = logging.getLogger(__name__)

SEED = 42
CV_FOLDS = 5
WORD_WEIGHT = 0.2
# A class needs this many examples to be learned (3-fold calibration inside 5-fold CV).
MIN_CLASS_SAMPLES = 5

# The county's words jieba's general dictionary splits or misses.
DOMAIN_WORDS = [
    "猕猴桃",
    "猕猴桃园",
    "果园",
    "冷库",
    "气调库",
    "农家乐",
    "民宿",
    "太白山",
    "汤峪",
    "红河谷",
    "滨河新区",
    "经开区",
    "眉县",
    "首善街道",
    "横渠镇",
    "槐芽镇",
    "汤峪镇",
    "常兴镇",
    "金渠镇",
    "营头镇",
    "齐镇",
    "渭河",
    "石头河",
    "水渠",
    "灌溉",
    "机井",
    "村道",
    "通村路",
    "农民工",
    "欠薪",
    "工资拖欠",
    "医保",
    "社保",
    "养老保险",
    "低保",
    "卫生室",
    "幼儿园",
    "营业执照",
    "不动产",
    "网约车",
    "12345",
]


# --- text ----------------------------------------------------------------------------------------

_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba():
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                for word in DOMAIN_WORDS:
                    jieba.add_word(word, freq=2000)
                jieba.initialize()
                _jieba_ready = True
    return jieba


@lru_cache(maxsize=50_000)
def segment(text: str) -> tuple[str, ...]:
    """jieba words of two characters or more (single characters are covered by the n-grams)."""
    jieba = _jieba()
    return tuple(w for w in jieba.lcut(text) if len(w.strip()) >= 2 and not w.strip().isdigit())


def word_analyzer(document: str) -> list[str]:
    return list(segment(document))


def appeal_document(title: str, body: str) -> str:
    title = (title or "").strip()
    body = (body or "").strip()
    return f"{title}。{title}。{body}" if title else body


# --- the classifier ------------------------------------------------------------------------------


def _setting(key: str):
    from yiwang.hotline.conf import conf

    return conf(key)


def build_features():
    """Character 1–3-gram TF-IDF plus jieba words at a lower weight; each vocabulary keeps its most
    frequent terms (``ROUTING_CHAR_FEATURES``, ``ROUTING_WORD_FEATURES``, 县级默认值): the rare
    n-grams past that cap are a third of the fit's time and most of the stored model, and teach
    almost nothing (bench/routing.py)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=(1, 3),
                    sublinear_tf=True,
                    min_df=2,
                    max_features=_setting("ROUTING_CHAR_FEATURES"),
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer=word_analyzer, sublinear_tf=True, min_df=2, max_features=_setting("ROUTING_WORD_FEATURES")
                ),
            ),
        ],
        transformer_weights={"chars": 1.0, "words": WORD_WEIGHT},
    )


def build_classifier():
    """A linear SVM with balanced class weights, calibrated (sigmoid, ``ROUTING_CALIBRATION_FOLDS``
    folds, 县级默认值) into probabilities."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=1.0, class_weight="balanced", random_state=SEED)
    return CalibratedClassifierCV(svm, method="sigmoid", cv=_setting("ROUTING_CALIBRATION_FOLDS"), ensemble=False)


def build_pipeline():
    from sklearn.pipeline import Pipeline

    return Pipeline([("features", build_features()), ("classifier", build_classifier())])


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    ranked: list[tuple[str, float]] = field(default_factory=list)


def learnable(texts: list[str], labels: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Drop classes with fewer than ``MIN_CLASS_SAMPLES`` examples; returns texts, labels, dropped."""
    counts = Counter(labels)
    dropped = sorted(label for label, n in counts.items() if n < MIN_CLASS_SAMPLES)
    keep = [i for i, label in enumerate(labels) if counts[label] >= MIN_CLASS_SAMPLES]
    return [texts[i] for i in keep], [labels[i] for i in keep], dropped


def _compact(classifier):
    """The SVM's weights kept in single precision: half the stored model and its load time; the
    scores differ by about 1e-7 of their scale, far below any difference between two classes."""
    import numpy as np

    for pair in getattr(classifier, "calibrated_classifiers_", ()):
        estimator = pair.estimator
        estimator.coef_ = np.asarray(estimator.coef_, dtype=np.float32)
    return classifier


class TextRouter:
    """A fitted pipeline with predict-with-confidence; serialisable with joblib."""

    def __init__(self, pipeline=None):
        self.pipeline = pipeline

    @classmethod
    def fit(cls, texts: list[str], labels: list[str]) -> TextRouter:
        texts, labels, dropped = learnable(texts, labels)
        if len(set(labels)) < 2:
            raise ApplicationError(
                "routing.too_few_classes",
                "训练数据至少需要两个类别，且每类不少于 5 条",
                details={"classes": len(set(labels)), "dropped": dropped},
            )
        pipeline = build_pipeline()
        pipeline.fit(texts, labels)
        _compact(pipeline.named_steps["classifier"])
        return cls(pipeline)

    @classmethod
    def fit_on_features(cls, features, matrix, labels: list[str]) -> TextRouter:
        """A router from features already fitted (``build_features``) and the documents' rows of
        their matrix: several routers trained on the same documents vectorise them once."""
        from sklearn.pipeline import Pipeline

        if len(set(labels)) < 2:
            raise ApplicationError(
                "routing.too_few_classes",
                "训练数据至少需要两个类别，且每类不少于 5 条",
                details={"classes": len(set(labels))},
            )
        return cls(Pipeline([("features", features), ("classifier", _compact(build_classifier().fit(matrix, labels)))]))

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.pipeline.classes_]

    def predict(self, texts: list[str], top: int = 3) -> list[Prediction]:
        batch = getattr(_batch, "documents", None)
        if batch is not None and all(text in batch for text in texts):
            key = (id(self), top)
            if key not in _batch.predictions:
                documents = list(batch)
                _batch.predictions[key] = dict(zip(documents, self._predict(documents, top), strict=True))
            return [_batch.predictions[key][text] for text in texts]
        return self._predict(texts, top)

    def _predict(self, texts: list[str], top: int) -> list[Prediction]:
        probabilities = self.pipeline.predict_proba(texts)
        classes = self.labels
        result = []
        for row in probabilities:
            order = row.argsort()[::-1][:top]
            ranked = [(classes[i], float(row[i])) for i in order]
            result.append(Prediction(ranked[0][0], ranked[0][1], ranked))
        return result

    def dumps(self) -> bytes:
        import joblib

        buffer = io.BytesIO()
        joblib.dump(self.pipeline, buffer, compress=3)
        return buffer.getvalue()

    @classmethod
    def loads(cls, blob: bytes) -> TextRouter:
        import joblib

        return cls(joblib.load(io.BytesIO(bytes(blob))))


# Documents whose predictions a batch computes at once (``batched_predictions``), per thread.
_batch = threading.local()


@contextmanager
def batched_predictions(documents: list[str]):
    """Within the block, a router asked for one of ``documents`` predicts all of them in one call
    (one vectorisation and one matrix product) and answers that and every later call on them from
    the result: code that suggests appeal by appeal (``selectors.routing_suggest``) costs one
    prediction per router for the whole batch. Same answers as one by one (rows are independent)."""
    previous = getattr(_batch, "documents", None), getattr(_batch, "predictions", None)
    _batch.documents, _batch.predictions = set(documents), {}
    try:
        yield
    finally:
        _batch.documents, _batch.predictions = previous


# --- evaluation ----------------------------------------------------------------------------------


@dataclass
class Evaluation:
    labels: list[str]
    y_true: list[str]
    y_pred: list[str]
    dropped: list[str] = field(default_factory=list)
    method: str = ""

    @property
    def accuracy(self) -> float:
        if not self.y_true:
            return 0.0
        return sum(t == p for t, p in zip(self.y_true, self.y_pred, strict=True)) / len(self.y_true)

    @property
    def majority_rate(self) -> float:
        if not self.y_true:
            return 0.0
        return Counter(self.y_true).most_common(1)[0][1] / len(self.y_true)

    def per_class(self) -> list[dict]:
        rows = []
        for label in self.labels:
            tp = sum(1 for t, p in zip(self.y_true, self.y_pred, strict=True) if t == label and p == label)
            predicted = sum(1 for p in self.y_pred if p == label)
            support = sum(1 for t in self.y_true if t == label)
            precision = tp / predicted if predicted else 0.0
            recall = tp / support if support else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            rows.append({"label": label, "precision": precision, "recall": recall, "f1": f1, "support": support})
        return rows

    def confusion(self) -> list[list[int]]:
        index = {label: i for i, label in enumerate(self.labels)}
        matrix = [[0] * len(self.labels) for _ in self.labels]
        for t, p in zip(self.y_true, self.y_pred, strict=True):
            if t in index and p in index:
                matrix[index[t]][index[p]] += 1
        return matrix

    def as_dict(self) -> dict:
        return {
            "method": self.method,
            "accuracy": round(self.accuracy, 4),
            "majority_rate": round(self.majority_rate, 4),
            "n": len(self.y_true),
            "per_class": [
                {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()} for r in self.per_class()
            ],
            "dropped": self.dropped,
        }

    def format(self) -> str:
        """Per-class precision/recall, the confusion matrix and, last, ``accuracy: 0.xxxx``."""
        lines = [f"评估方法：{self.method}　样本数：{len(self.y_true)}　多数类占比：{self.majority_rate:.4f}"]
        if self.dropped:
            lines.append(f"样本不足未参与评估的类别：{'、'.join(self.dropped)}")
        width = max([_width(label) for label in self.labels] + [4])
        lines.append("")
        lines.append(f"{_pad('类别', width)}  precision  recall  f1      support")
        for row in self.per_class():
            lines.append(
                f"{_pad(row['label'], width)}  {row['precision']:.4f}     {row['recall']:.4f}  {row['f1']:.4f}  {row['support']:>7}"
            )
        lines.append("")
        lines.append("混淆矩阵（行：真实类别，列：预测类别）")
        short = [f"C{i + 1}" for i in range(len(self.labels))]
        lines.append(" " * (width + 2) + " ".join(f"{s:>5}" for s in short))
        for i, row in enumerate(self.confusion()):
            lines.append(f"{_pad(self.labels[i], width)}  " + " ".join(f"{n:>5}" for n in row))
        lines.append("  ".join(f"{s}={label}" for s, label in zip(short, self.labels, strict=True)))
        lines.append(f"accuracy: {self.accuracy:.4f}")
        return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def cross_validate(texts: list[str], labels: list[str], *, folds: int = CV_FOLDS, seed: int = SEED) -> Evaluation:
    """Stratified k-fold cross-validation (shuffled with a fixed seed) of ``build_pipeline``."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts, labels, dropped = learnable(texts, labels)
    smallest = min(Counter(labels).values()) if labels else 0
    if len(set(labels)) < 2 or smallest < 2:
        raise ApplicationError(
            "routing.too_few_classes", "评估数据至少需要两个类别，且每类不少于 5 条", details={"dropped": dropped}
        )
    folds = max(2, min(folds, smallest))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    predicted = cross_val_predict(build_pipeline(), texts, labels, cv=splitter)
    return Evaluation(
        labels=sorted(set(labels)),
        y_true=list(labels),
        y_pred=[str(p) for p in predicted],
        dropped=dropped,
        method=f"{folds} 折分层交叉验证（随机种子 {seed}）",
    )


# Rows the training's own accuracy estimate reads at most (stratified): an estimate, bounded in time.
QUICK_CV_ROWS = 10_000


def quick_cross_validate(matrix, labels: list[str], *, folds: int = CV_FOLDS, seed: int = SEED) -> Evaluation:
    """The accuracy a nightly training stores, in bounded time: stratified k-fold over at most
    ``QUICK_CV_ROWS`` rows of the matrix the router was trained on (vocabulary and IDF fitted on
    all the documents), the uncalibrated SVM's best class in each fold (calibration is monotone
    per class and rarely changes the choice). ``cross_validate`` is the full measure."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold, train_test_split
    from sklearn.svm import LinearSVC

    y = np.asarray(labels)
    if len(y) > QUICK_CV_ROWS:
        keep, _ = train_test_split(np.arange(len(y)), train_size=QUICK_CV_ROWS, stratify=y, random_state=seed)
        keep = np.sort(keep)
        matrix, y = matrix[keep], y[keep]
    smallest = min(Counter(y.tolist()).values())
    folds = max(2, min(folds, smallest))
    predicted = np.empty(len(y), dtype=object)
    for train, test in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(matrix, y):
        svm = LinearSVC(C=1.0, class_weight="balanced", random_state=seed).fit(matrix[train], y[train])
        predicted[test] = svm.predict(matrix[test])
    return Evaluation(
        labels=sorted(set(y.tolist())),
        y_true=[str(v) for v in y],
        y_pred=[str(v) for v in predicted],
        method=f"{folds} 折分层交叉验证（随机种子 {seed}，至多 {QUICK_CV_ROWS} 条，特征在全部训练文本上拟合）",
    )


def train_test_evaluate(train: tuple[list[str], list[str]], test: tuple[list[str], list[str]]) -> Evaluation:
    """Fit on ``train`` only and score ``test``; test classes unknown to the model count as errors."""
    router = TextRouter.fit(*train)
    texts, labels = test
    predicted = [p.label for p in router.predict(texts)] if texts else []
    return Evaluation(
        labels=sorted(set(labels) | set(router.labels)),
        y_true=list(labels),
        y_pred=predicted,
        method=f"训练集 {len(train[0])} 条 → 测试集 {len(texts)} 条",
    )


# --- labelled files ------------------------------------------------------------------------------

REQUIRED_COLUMNS = ("title", "body", "category")


def read_labelled_file(path: str | Path) -> tuple[list[str], list[str]]:
    """Documents and labels from a CSV (UTF-8, with or without BOM) or XLSX with the columns
    ``title``, ``body``, ``category`` (others ignored). Rows without a category are skipped."""
    path = Path(path)
    if not path.exists():
        raise ApplicationError("routing.file_missing", f"文件不存在：{path}", details={"path": str(path)})
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            rows = list(reader)
    elif suffix in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    else:
        raise ApplicationError(
            "routing.bad_file_type", f"只支持 .csv 或 .xlsx 文件：{path.name}", details={"path": str(path)}
        )
    if not rows:
        raise ApplicationError("routing.empty_file", f"文件为空：{path.name}", details={"path": str(path)})
    header = [str(h).strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ApplicationError(
            "routing.missing_columns",
            f"文件 {path.name} 缺少列：{'、'.join(missing)}（需要 title、body、category）",
            details={"missing": missing},
        )
    t, b, c = (header.index(name) for name in REQUIRED_COLUMNS)
    texts, labels = [], []
    for row in rows[1:]:
        row = list(row) + [""] * (len(header) - len(row))
        label = str(row[c]).strip()
        if not label:
            continue
        texts.append(appeal_document(str(row[t]), str(row[b])))
        labels.append(label)
    return texts, labels


# --- the TipDM 2020 data (read from ../shared/data when present, never copied) -------------------

TIPDM_TRAIN = "appeals-tipdm2020-train.csv"
TIPDM_SAMPLE = "appeals-sample-tipdm2020.csv"
# A test message whose character 4-grams are more than half contained in one training message is
# the same letter (the training file is the segmented copy of many of the sample's messages).
NEAR_COPY_SHARE = 0.5


def _grams(text: str, n: int = 4) -> set[str]:
    text = "".join(ch for ch in text if ch.isalnum())
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def near_copies(train_texts: list[str], test_texts: list[str]) -> list[bool]:
    """For each test text, whether one training text is (nearly) the same message: more than
    ``NEAR_COPY_SHARE`` of that training text's character 4-grams occur in the test text."""
    train_grams = [_grams(t) for t in train_texts]
    index: dict[str, list[int]] = {}
    for i, grams in enumerate(train_grams):
        for gram in grams:
            index.setdefault(gram, []).append(i)
    result = []
    for text in test_texts:
        hits: Counter = Counter()
        for gram in _grams(text):
            hits.update(index.get(gram, ())[:200])
        best = hits.most_common(1)
        result.append(bool(best) and best[0][1] / max(1, len(train_grams[best[0][0]])) > NEAR_COPY_SHARE)
    return result


@dataclass
class TipdmReport:
    cross_validation: Evaluation | None
    on_sample: Evaluation
    on_unseen: Evaluation
    train_size: int
    fit_seconds: float

    def format(self) -> str:
        lines = []
        if self.cross_validation is not None:
            cv = self.cross_validation
            lines.append(f"训练集 {self.train_size} 条，{cv.method}：accuracy {cv.accuracy:.4f}")
        s, u = self.on_sample, self.on_unseen
        lines.append(f"在训练集上训练（{self.fit_seconds:.1f} 秒）→ {len(s.y_true)} 条样本：accuracy {s.accuracy:.4f}")
        lines.append(
            f"其中与训练集无近似重复的 {len(u.y_true)} 条（另 {len(s.y_true) - len(u.y_true)} 条样本是训练集中"
            f"同一留言的原文）：accuracy {u.accuracy:.4f}"
        )
        return "\n".join(lines)


def tipdm_report(data_dir: str | Path, *, folds: int = CV_FOLDS, seed: int = SEED) -> TipdmReport:
    """Cross-validated accuracy on the 8,225 training messages and accuracy when trained on them and
    tested on the raw 495-message sample (all of it, and the messages with no near-copy in training)."""
    import time

    data_dir = Path(data_dir)
    train = read_labelled_file(data_dir / TIPDM_TRAIN)
    sample_texts, sample_labels = read_labelled_file(data_dir / TIPDM_SAMPLE)
    cv = cross_validate(*train, folds=folds, seed=seed) if folds else None
    started = time.perf_counter()
    router = TextRouter.fit(*train)
    fit_seconds = time.perf_counter() - started
    predicted = [p.label for p in router.predict(sample_texts)]
    copies = near_copies(train[0], sample_texts)
    labels = sorted(set(sample_labels) | set(router.labels))

    def evaluation(keep: list[bool], method: str) -> Evaluation:
        return Evaluation(
            labels=labels,
            y_true=[t for t, k in zip(sample_labels, keep, strict=True) if k],
            y_pred=[p for p, k in zip(predicted, keep, strict=True) if k],
            method=method,
        )

    return TipdmReport(
        cross_validation=cv,
        on_sample=evaluation([True] * len(sample_texts), f"训练集 {len(train[0])} 条 → 样本 {len(sample_texts)} 条"),
        on_unseen=evaluation([not c for c in copies], "样本中与训练集无近似重复的留言"),
        train_size=len(train[0]),
        fit_seconds=fit_seconds,
    )
