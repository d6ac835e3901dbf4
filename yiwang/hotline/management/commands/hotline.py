"""``manage.py hotline sweep | train | evaluate FILE | evaluate --train A --test B | tipdm | similar``."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from yiwang.core.errors import ApplicationError
from yiwang.hotline import routing, services


class Command(BaseCommand):
    help = "接诉即办：催办/超期扫描（sweep）、训练智能分拨模型（train）、评估分拨模型（evaluate）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sweep", help="发送临期催办和超期通报（即 workdays sweep 加紧急诉求小时时限，可重复执行）")
        train = sub.add_parser("train", help="用平台历史数据（最终承办部门、类别）训练分拨模型")
        train.add_argument("--folds", type=int, default=5, help="交叉验证折数，0 表示不评估（默认 5）")
        evaluate = sub.add_parser("evaluate", help="评估分拨模型：交叉验证，或 --train A --test B")
        evaluate.add_argument("file", nargs="?", help="CSV 或 XLSX，列 title、body、category")
        evaluate.add_argument("--train", dest="train_file", help="训练集文件")
        evaluate.add_argument("--test", dest="test_file", help="测试集文件")
        evaluate.add_argument("--folds", type=int, default=routing.CV_FOLDS, help="交叉验证折数（默认 5）")
        evaluate.add_argument("--seed", type=int, default=routing.SEED, help="随机种子（默认 42）")
        tipdm = sub.add_parser(
            "tipdm", help="在共享的 TipDM 2020 数据上评估分拨模型：训练集交叉验证，及训练集训练、495 条样本测试"
        )
        tipdm.add_argument("--folds", type=int, default=routing.CV_FOLDS, help="交叉验证折数，0 表示不做（默认 5）")
        sub.add_parser(
            "similar",
            help="为尚未建立索引的在办、待回访诉求计算并保存相似诉求（派单台直接读取；相似度阈值改动后全部重建）",
        )

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"handle_{action}")(**options)
        except ApplicationError as error:
            raise CommandError(error.message) from None

    def handle_sweep(self, **options):
        report = services.appeal_sweep()
        self.stdout.write(f"检查 {report.checked} 件，催办 {report.reminders} 件，超期通报 {report.overdue} 件")
        for code in report.codes:
            self.stdout.write(f"  超期：{code}")

    def handle_similar(self, **options):
        from yiwang.hotline import similar

        with tqdm(unit="件", desc="相似诉求", file=sys.stderr, disable=None) as bar:

            def progress(done, total):
                bar.total = total
                bar.n = done
                bar.refresh()

            marked = similar.index(progress=progress)
        self.stdout.write(f"已为 {marked} 件在办、待回访诉求保存相似诉求")

    def handle_train(self, *, folds, **options):
        models = services.routing_model_train(actor=None, folds=folds or None, stdout=self.stdout)
        if not models:
            raise CommandError("历史数据不足，未训练任何模型")

    def handle_tipdm(self, *, folds, **options):
        from django.conf import settings

        data_dir = settings.SHARED_DIR / "data"
        if not (data_dir / routing.TIPDM_TRAIN).exists():
            raise CommandError(f"未找到共享数据 {data_dir / routing.TIPDM_TRAIN}（项目外只读数据，不复制进项目）")
        self.stderr.write(f"读取 {data_dir}；{folds} 折交叉验证并训练中…")
        self.stdout.write(routing.tipdm_report(data_dir, folds=folds).format())

    def handle_evaluate(self, *, file, train_file, test_file, folds, seed, **options):
        if train_file or test_file:
            if not (train_file and test_file) or file:
                raise CommandError("用法：evaluate --train A --test B（两者都要，且不再给出 FILE）")
            evaluation = routing.train_test_evaluate(
                routing.read_labelled_file(train_file), routing.read_labelled_file(test_file)
            )
        else:
            if not file:
                raise CommandError("用法：evaluate FILE.csv|xlsx，或 evaluate --train A --test B")
            texts, labels = routing.read_labelled_file(file)
            self.stderr.write(f"读取 {len(texts)} 条，{len(set(labels))} 个类别；{folds} 折交叉验证中…")
            evaluation = routing.cross_validate(texts, labels, folds=folds, seed=seed)
        self.stdout.write(evaluation.format())
