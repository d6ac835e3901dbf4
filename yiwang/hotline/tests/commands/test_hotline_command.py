import csv
import io
import re

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from yiwang.hotline import selectors
from yiwang.hotline.models import Appeal, RoutingModel

SAMPLE = settings.SHARED_DIR / "data" / "appeals-sample-tipdm2020.csv"
SAMPLE = SAMPLE.resolve()
needs_sample = pytest.mark.skipif(
    not SAMPLE.exists(),
    reason=f"the shared TipDM sample is not present at {SAMPLE} (read-only data outside the project)",
)
# Measured: 5-fold stratified CV, seed 42 → 0.826 (majority class 0.210). The floor leaves room for
# library-version noise while staying far above what a majority-class guess gets.
ACCURACY_FLOOR = 0.75


def run(*args) -> str:
    out = io.StringIO()
    call_command("hotline", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@needs_sample
def test_it_cross_validates_the_router_on_the_shared_sample():
    output = run("evaluate", str(SAMPLE))

    lines = output.strip().splitlines()
    match = re.fullmatch(r"accuracy: (0\.\d{4})", lines[-1])
    assert match, lines[-1]
    assert float(match.group(1)) > ACCURACY_FLOOR
    assert "precision" in output and "recall" in output
    assert "混淆矩阵" in output
    for label in ("城乡建设", "劳动和社会保障", "教育文体", "卫生计生", "交通运输", "商贸旅游", "环境保护"):
        assert label in output


@needs_sample
def test_it_trains_on_one_file_and_scores_another(tmp_path):
    with SAMPLE.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    train, test = tmp_path / "train.csv", tmp_path / "test.xlsx"
    with train.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["title", "body", "category", "extra"])
        writer.writeheader()
        for row in rows[::2]:
            writer.writerow({"title": row["title"], "body": row["body"], "category": row["category"], "extra": "x"})
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["category", "title", "body"])
    for row in rows[1::2]:
        sheet.append([row["category"], row["title"], row["body"]])
    workbook.save(test)

    output = run("evaluate", "--train", str(train), "--test", str(test))

    assert "训练集 248 条 → 测试集 247 条" in output
    assert float(output.strip().splitlines()[-1].split(": ")[1]) > 0.65


def test_it_refuses_a_file_without_the_columns(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("标题,内容\n路坏了,请修\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少列"):
        run("evaluate", str(bad))


def test_it_needs_both_train_and_test(tmp_path):
    with pytest.raises(CommandError, match="--train A --test B"):
        run("evaluate", "--train", str(tmp_path / "a.csv"))


def test_it_trains_the_router_on_the_platforms_history(replied_history, dept_a, dept_b):
    output = run("train", "--folds", "0")

    assert "承办部门模型" in output and "诉求类别模型" in output
    model = RoutingModel.objects.get(target="department", is_active=True)
    assert model.n_samples == 12 and sorted(model.labels) == sorted([dept_a.code, dept_b.code])
    suggestion = selectors.routing_suggest(title="餐馆食品过期", content="县城餐馆卖过期变质的食品，吃了肚子疼")
    assert suggestion.source == "model" and suggestion.department == dept_b
    assert 0 < suggestion.confidence <= 1

    run("train", "--folds", "0")
    assert RoutingModel.objects.filter(target="department", is_active=True).count() == 1


def test_it_says_so_when_there_is_no_history(categories):
    with pytest.raises(CommandError, match="历史数据不足"):
        run("train")


def test_it_sweeps_deadlines(handler_a, signed_off, travel):
    from django.utils import timezone

    with travel.to(travel.after_workdays(timezone.localdate(), 6)):
        output = run("sweep")
    assert "超期通报 1 件" in output and signed_off.code in output
    assert Appeal.objects.get(pk=signed_off.pk).events.filter(kind="overdue").count() == 1


def test_it_runs_the_celery_tasks(handler_a, signed_off):
    from yiwang.hotline.tasks import sweep

    # Working-day clocks are the workdays sweep's; this task checks the urgent (hours) deadlines only.
    assert sweep.delay().get()["checked"] == 0


TIPDM_TRAIN = (settings.SHARED_DIR / "data" / "appeals-tipdm2020-train.csv").resolve()
# Measured (trained on the 8,225 messages, tested on the raw 495-message sample): 0.9899 on the
# whole sample, 0.9844 on the 128 messages that have no near-copy in the training file; 5-fold
# stratified CV on the training file: 0.928 (published work on this data: 0.91 with TF-IDF + SVM).
TIPDM_SAMPLE_FLOOR = 0.97
TIPDM_UNSEEN_FLOOR = 0.95


@pytest.mark.skipif(
    not (TIPDM_TRAIN.exists() and SAMPLE.exists()),
    reason=f"the shared TipDM training file is not present at {TIPDM_TRAIN} (read-only data outside the project)",
)
def test_the_router_trained_on_the_tipdm_messages_routes_the_sample():
    output = run("tipdm", "--folds", "0")

    figures = [float(x) for x in re.findall(r"accuracy (0\.\d{4})", output)]
    assert len(figures) == 2, output
    whole, unseen = figures
    assert whole >= TIPDM_SAMPLE_FLOOR and unseen >= TIPDM_UNSEEN_FLOOR, output
    assert re.search(r"与训练集无近似重复的 1\d\d 条", output), output


def test_near_copies_are_found_by_shared_character_grams():
    from yiwang.hotline import routing

    train = ["市西湖建筑集团占道施工安全隐患人行道路灯杆圈施工围墙上下班期间人流车流安全隐患"]
    test = [
        "A市西湖建筑集团占道施工有安全隐患。人行道包括路灯杆，被圈施工围墙内。上下班期间人流车流极多，安全隐患。",
        "眉县汤峪镇农家乐收费不透明，游客反映宰客。",
    ]
    assert routing.near_copies(train, test) == [True, False]
