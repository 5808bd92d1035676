"""Streamlit's own widget texts in the reader's language where the API allows (issue 18,
"Throughout"): every selectbox, multiselect and text input of these pages and of the sidebar
has a placeholder of the catalogue, never Streamlit's English default ("Choose an option"),
in French, Dutch and English (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from finance.domain import i18n
from tests.dashboard import open_dashboard

#: the pages whose widgets this branch owns (the cost report's drill-down is another's)
PAGES = ["expenses", "imports", "portfolio", "audit"]
ENGLISH_DEFAULTS = ("Choose an option", "Choose options", "Select")
pytestmark = pytest.mark.xdist_group("dashboard")


@pytest.mark.parametrize("code", ["fr", "nl", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_choice_has_a_placeholder_in_the_language(
    demo_dashboard: Path, page: str, code: str
) -> None:
    at = open_dashboard(page)
    at.sidebar.radio[0].set_value(code).run()
    widgets = [*at.multiselect, *at.selectbox, *at.text_input]
    assert widgets, f"{page} has no choice to check"
    for widget in widgets:
        placeholder = widget.proto.placeholder
        assert placeholder, f"{page}: {widget.label} has Streamlit's default placeholder"
        assert not placeholder.startswith(ENGLISH_DEFAULTS), (page, widget.label, placeholder)
    if code != "en":
        english = {i18n.text(k, "en") for k in ("widgets.choose", "widgets.choose_many")}
        assert not {w.proto.placeholder for w in widgets} & english
