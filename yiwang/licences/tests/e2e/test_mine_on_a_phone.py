"""我的证照 on a phone (390 px): each licence and each use of it is a card — the licence's name (the use's
time) as its heading, every other column a labelled line below it — with nothing scrolling sideways; from
768 px up the same markup is a table."""

import pytest

from yiwang.licences.models import Licence
from yiwang.licences.services import licence_record_use

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "() => document.scrollingElement.scrollWidth - Math.min(innerWidth, document.documentElement.clientWidth)"
CARDS = """id => [...document.querySelectorAll(`[data-testid=${id}] tbody tr`)].map(tr => ({
  right: tr.getBoundingClientRect().right,
  tops: [...tr.querySelectorAll('td')].map(td => td.getBoundingClientRect().top),
  labels: [...tr.querySelectorAll('td')].slice(1).map(td => getComputedStyle(td, '::before').content),
}))"""


def test_my_licences_and_their_uses_are_cards_on_a_phone(
    signed_in, live_server, person_licence, citizen, handler_b, axe, screenshot_dir
):
    Licence.objects.filter(pk=person_licence.pk).update(holder_user=citizen)
    licence_record_use(licence=person_licence, purpose="食品经营许可延续核验", actor=handler_b)
    phone = signed_in("citizen", width=390)
    phone.goto(f"{live_server.url}/licences/mine/")
    phone.screenshot(path=str(screenshot_dir / "licences-mine-390.png"), full_page=True)

    assert phone.evaluate(OVERFLOW) <= 0, "the page scrolls sideways at 390 px"
    for table, labels in (
        ("my-licences", ['"编号："', '"发证机关："', '"发证日期："', '"有效期至："', '"状态："', "none"]),
        ("my-uses", ['"证照："', '"调用部门："', '"用途："']),
    ):
        [card] = phone.evaluate(CARDS, table)
        assert card["right"] <= 390, card
        assert card["tops"] == sorted(card["tops"]) and len(set(card["tops"])) == len(card["tops"]), card  # stacked
        assert card["labels"] == labels, card
    assert axe(phone) == []

    wide = signed_in("citizen")
    wide.goto(f"{live_server.url}/licences/mine/")
    assert wide.get_by_role("columnheader", name="发证机关").is_visible()  # a table again
