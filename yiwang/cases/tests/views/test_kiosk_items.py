"""The kiosk's 自助申请 counts every item the terminal offers and reads one page: it once showed the
first 60 items as the whole list, with no count and no way to the rest."""

import pytest

from yiwang.catalog.models import ServiceItem
from yiwang.core.tests.reads import read_page
from yiwang.core.tests.rows import item_copies

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_checked_once")]
URL = "/cases/kiosk/items/"


def _shown(html: str, i: int) -> bool:
    return f"/cases/kiosk/apply/610326-ZZ-{i:04d}/" in html


def test_it_counts_every_item_the_terminal_offers_and_reads_only_the_page(client, food_item):
    ServiceItem.objects.filter(pk=food_item.pk).update(kiosk_available=True, audience="person")
    food_item.refresh_from_db()
    item_copies(food_item, 0, 20)
    item_copies(food_item, 1000, 5, kiosk_available=False)  # not offered at the terminal
    item_copies(food_item, 2000, 5, audience="enterprise")  # for enterprises, not a person at a kiosk
    few, _ = read_page(client, URL)
    item_copies(food_item, 20, 70)  # 91 items: more than the 60 the page once showed
    many, first = read_page(client, URL)
    _, second = read_page(client, URL, page=2)
    _, last = read_page(client, URL, page=4)

    assert many == few
    assert 'data-testid="list-total">共 91 项' in first and "第 1 / 4 页" in first
    # by name: the item first, then its copies in number order, 30 a page
    assert f"/cases/kiosk/apply/{food_item.code}/" in first and _shown(first, 0) and _shown(first, 28)
    assert not _shown(first, 29) and 'href="?page=2"' in first
    assert _shown(second, 29) and _shown(second, 58) and not _shown(second, 59)
    assert _shown(last, 89) and not _shown(last, 88) and 'href="?page=3"' in last
    html = first + second + last
    assert not any(_shown(html, i) for i in (*range(1000, 1005), *range(2000, 2005)))
