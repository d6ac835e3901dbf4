"""bench/generate.py --appeal-texts: generated appeals take real, varied citizen messages of their category."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from yiwang.hotline import services
from yiwang.hotline.models import Appeal
from yiwang.hotline.tests.conftest import categories, make_appeal, operator  # noqa: F401 (fixtures)

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
import generate  # noqa: E402

# A tiny labelled file as the shared data has it: BOM, an id column, a blank line, a row without a
# label, one without a body, a label with spaces around it, one that is no group of the county's.
TINY = (
    "\ufeffid,title,body,category\n"
    "1,A市K1区村道坑洼,A市K1区某村村道坑洼严重，车辆无法通行。请尽快修补路面。联系电话13991712345,交通运输\n"
    "\n"
    "2,,A7县通村路塌陷，护栏也倒了，夜里很危险。希望早日修好。, 交通运输 \n"
    "3,班车停运,镇上到县城的班车停运一个月，老人看病不便。,交通运输\n"
    "4,餐馆食品过期,街上餐馆出售过期食品，吃了拉肚子。请检查处理。,市场监管\n"
    "5,没有类别的留言,这条留言没有类别。,\n"
    "6,没有正文,,交通运输\n"
    "7,其他,一条别的话题的留言，不属于任何大类。,其他\n"
)


def write_tiny(directory: Path) -> Path:
    path = directory / generate.APPEAL_TEXT_TRAIN
    path.write_text(TINY, encoding="utf-8")
    return path


def test_it_reads_a_labelled_file_skipping_blank_lines_and_rows_without_a_body_or_a_label(tmp_path):
    rows = generate.read_messages(write_tiny(tmp_path))

    assert [label for _, _, label in rows] == ["交通运输", "交通运输", "交通运输", "市场监管", "其他"]
    assert rows[1] == ("", "A7县通村路塌陷，护栏也倒了，夜里很危险。希望早日修好。", "交通运输")


def test_a_file_without_a_category_column_is_refused_by_name(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("title,body\n标题,正文\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="缺少列：category"):
        generate.read_messages(path)


def test_messages_go_to_the_category_of_their_group_they_mention_and_unknown_labels_are_counted(tmp_path):
    messages = [generate.prepare_message(*row) for row in generate.read_messages(write_tiny(tmp_path))]
    roads, buses, food = 1, 2, 3
    county = [
        (roads, "交通运输", "村道,坑洼,护栏"),
        (buses, "交通运输", "公交,班车"),
        (food, "市场监管", "食品,过期"),
    ]

    pools, unknown = generate.category_pools(messages, county)

    assert unknown == 1  # 其他
    assert [m.title for m in pools[roads]] == ["眉县\x00村道坑洼", ""]
    assert [m.title for m in pools[buses]] == ["班车停运"]
    assert [m.title for m in pools[food]] == ["餐馆食品过期"]
    first = pools[roads][0]
    # places become the appeal's town (marked), numbers are masked, sentences kept to recombine
    assert first.body.startswith("眉县\x00某村村道坑洼严重") and "13991712345" not in first.body
    assert first.tail and first.tail[0].startswith("请尽快修补路面")


def test_a_message_that_names_no_keyword_goes_to_the_category_its_group_mentions_most():
    messages = [
        generate.Message("", "公交车站台破了", "交通运输"),
        generate.Message("", "公交线路太少", "交通运输"),
        generate.Message("", "路上的事情没人管", "交通运输"),
    ]
    pools, _ = generate.category_pools(messages, [(1, "交通运输", "村道"), (2, "交通运输", "公交")])
    assert 1 not in pools and len(pools[2]) == 3


def test_without_the_data_it_says_so_and_keeps_the_templates_texts(tmp_path, capsys):
    args = SimpleNamespace(appeal_texts=str(tmp_path / "absent"), appeal_texts_with_sample=False)

    assert generate.appeal_texts(args, appeals=None, seed=1) is None

    err = capsys.readouterr().err
    assert f"未找到真实留言数据 {tmp_path / 'absent' / generate.APPEAL_TEXT_TRAIN}" in err
    assert "诉求沿用模板" in err


def test_the_option_defaults_to_the_shared_data_directory():
    args = generate.parse_args(["--appeal-texts"])
    assert args.appeal_texts == "" and not args.appeal_texts_with_sample
    assert generate.parse_args([]).appeal_texts is None


@pytest.fixture
def replied(transactional_db, make_appeal, operator, dept_a, dept_b, handler_a, handler_b, categories):  # noqa: F811
    """Two roads appeals (department A) and one food appeal (department B), replied and revisited."""
    for category, department, handler in (
        (categories["roads"], dept_a, handler_a),
        (categories["roads"], dept_a, handler_a),
        (categories["food"], dept_b, handler_b),
    ):
        appeal = make_appeal(title="模板标题", content="模板的诉求内容，会被重复复制。", category=category)
        services.appeal_dispatch(appeal=appeal, department=department, actor=operator)
        services.appeal_sign_off(appeal=appeal, actor=handler)
        services.appeal_reply(appeal=appeal, content="已现场处理完毕，感谢反映。", actor=handler)
        services.appeal_revisit(appeal=appeal, resolved=True, satisfaction=5, actor=operator)


def test_generated_appeals_take_varied_messages_of_their_own_category(replied, tmp_path, categories):  # noqa: F811
    write_tiny(tmp_path)
    argv = ["--cases", "0", "--appeals", "60", "--weeks", "10", "--live-share", "0", "--quiet", "--no-rebuild"]
    summary = generate.main([*argv, "--appeal-texts", str(tmp_path)])

    copies = list(Appeal.objects.filter(code__startswith="G").select_related("category", "lead_department", "town"))
    assert len(copies) == 60 and summary["appeal_texts"]["rewritten"] == 60
    assert summary["appeal_texts"]["messages"] == 5 and summary["appeal_texts"]["unknown_labels"] == 1
    roads_words, food_words = ("村道", "通村路", "班车"), ("餐馆",)
    for appeal in copies:
        assert "模板" not in appeal.content and appeal.title
        words = roads_words if appeal.category == categories["roads"] else food_words
        assert any(w in appeal.content for w in words), appeal.content
        # the department that handled the template handles the copy: the text agrees with both
        assert (
            appeal.lead_department
            == (categories["roads"] if appeal.category == categories["roads"] else categories["food"])
            .mappings.get()
            .department
        )
        assert "A市" not in appeal.content and "K1区" not in appeal.content and "13991712345" not in appeal.content
        assert appeal.pii_originals is None
    assert len({a.content for a in copies}) > 40  # 5 messages, 60 appeals: varied, not repeated
    assert any(copies[0].town.name in a.content for a in copies)
