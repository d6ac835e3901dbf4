"""我的办件 on a phone (390 px), where most citizens read it: each application is a card — its number and
status on the first line, the item across the card, the day submitted and the day expected, each
labelled — with nothing scrolling sideways; from 768 px up the same markup is a table."""

import pytest

from yiwang.cases import services
from yiwang.cases.tests.conftest import FORM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "() => document.scrollingElement.scrollWidth - Math.min(innerWidth, document.documentElement.clientWidth)"
CARDS = """() => [...document.querySelectorAll('[data-testid=my-cases] tbody tr')].map(tr => {
  const r = tr.getBoundingClientRect();
  const cell = c => tr.querySelector(c).getBoundingClientRect();
  return {left: r.left, right: r.right, number: cell('.qc-number').top, state: cell('.qc-state').top,
          title: cell('.qc-title').top, text: tr.innerText,
          labels: [...tr.querySelectorAll('td')].map(td => getComputedStyle(td, '::before').content)};
})"""


def test_my_cases_are_cards_on_a_phone(signed_in, live_server, citizen, person, food_item, axe, screenshot_dir):
    cases = [services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM) for _ in range(3)]
    phone = signed_in("citizen", width=390)
    phone.goto(f"{live_server.url}/cases/mine/")
    phone.screenshot(path=str(screenshot_dir / "cases-my-cases-390.png"), full_page=True)

    assert phone.get_by_test_id("list-total").inner_text() == "共 3 件办件"
    assert phone.evaluate(OVERFLOW) <= 0, "the page scrolls sideways at 390 px"
    cards = phone.evaluate(CARDS)
    assert len(cards) == 3
    for card in cards:
        assert card["left"] >= 0 and card["right"] <= 390, card
        assert card["number"] == card["state"] < card["title"], card  # number and status share the first line
        assert '"提交时间："' in card["labels"] and '"预计办结："' in card["labels"], card  # labelled on the card
    assert {c.number for c in cases} == {card["text"].split()[0] for card in cards}
    assert axe(phone) == []

    wide = signed_in("citizen")
    wide.goto(f"{live_server.url}/cases/mine/")
    assert wide.get_by_role("columnheader", name="预计办结").is_visible()  # a table again
