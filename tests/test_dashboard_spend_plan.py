"""The Funders page's spend-plan panel (issue 20, point 3): closed at first (nothing solved), opened
it reads the demo's shipped options file and shows the suggested moves, the obligations'
projected states before and after and what binds each, in the reader's language (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboards.ui.spend_plan import PANEL_KEY, SHIPPED
from finance.domain.i18n import text
from tests.dashboard import open_dashboard

pytestmark = pytest.mark.xdist_group("dashboard")


def opened(code: str) -> AppTest:
    at = open_dashboard()
    at.session_state["lang"] = code
    at.session_state[PANEL_KEY] = True
    at.switch_page("views/funders.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(value: str) -> str:
    return value.replace("\u202f", " ").replace("\xa0", " ")


def test_the_panel_is_closed_at_first_and_names_itself(demo_dashboard: Path) -> None:
    at = open_dashboard("funders")
    titles = [e.label for e in at.expander]
    assert text("plan.panel.title", "fr") in titles
    assert not at.dataframe or all("Wallonie" not in str(d.value) for d in at.dataframe)


@pytest.mark.parametrize("code", ["en", "fr", "nl"])
def test_the_panel_shows_the_demo_plan_before_and_after(demo_dashboard: Path, code: str) -> None:
    at = opened(code)
    shipped = text("plan.panel.shipped", code, name="spend-options.yaml")
    assert shipped in [c.value for c in at.caption]
    frames = [d.value for d in at.dataframe]
    moves = next(f for f in frames if text("plan.col.to", code) in f.columns)
    wallonia, flanders = text("where.BE-WAL", code), text("where.BE-VLG", code)
    assert set(moves[text("plan.col.to", code)].tolist()) == {wallonia, flanders}
    lines = " ".join(moves[text("plan.col.line", code)].tolist())
    assert "8.03" in lines and "8.07" in lines
    states = next(f for f in frames if text("plan.col.state_after", code) in f.columns)
    wallimage = states.iloc[1].tolist()
    assert wallimage[0] == "Wallimage"
    assert plain(wallimage[4]).startswith(plain(text("plan.state.short", code, amount=1))[:5])
    met = plain(text("plan.state.met", code, amount=0)).split("(")[0]
    after = dict(zip(states.iloc[:, 0], states[text("plan.col.state_after", code)], strict=True))
    assert plain(after.pop("Screen Flanders")).startswith(
        plain(text("plan.state.short", code, amount=1))[:5]
    )
    assert all(plain(s).startswith(met) for s in after.values())
    # Screen Flanders stays short even with the plan: said as a warning, no "all met"
    assert not at.success
    assert any("Screen Flanders" in w.value for w in at.warning)
    said = plain(" ".join(m.value for m in at.markdown))
    assert plain(text("plan.why", code)) in said
    assert "Wallimage" in said


def test_a_bad_options_file_is_said_in_the_readers_language(
    demo_dashboard: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The options file the panel reads names a territory that does not exist: the panel says
    which field and why, in French, and shows no plan."""
    bad = tmp_path / "spend-options.yaml"
    bad.write_text("lines:\n  - code: '8.03'\n    territories: [BE-XX]\n", encoding="utf-8")
    monkeypatch.setitem(SHIPPED, "dernier-tram", bad)
    at = opened("fr")
    errors = [plain(e.value) for e in at.error]
    assert errors, [m.value for m in at.markdown]
    assert plain(text("plan.options.invalid", "fr", name="spend-options.yaml")) in errors[0]
    assert "lines[1].territories" in errors[0] and "BE-XX" in errors[0]
    assert not at.dataframe or all(
        text("plan.col.to", "fr") not in d.value.columns for d in at.dataframe
    )
