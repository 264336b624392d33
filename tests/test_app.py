"""The app starts on an empty embedded workbook, loads the demo and shows it."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from connectors.config import open_workbook
from connectors.parsing import parse_snapshot


def test_the_app_loads_the_demo_into_an_empty_workbook_and_shows_no_private_column(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    monkeypatch.setenv("WORKBOOK_URL", url)
    app = AppTest.from_file("../app.py", default_timeout=60).run()
    assert not app.exception
    assert app.title[0].value == "志愿服务与社区治理工作台"
    people = parse_snapshot(open_workbook(url).snapshot())["people"]
    assert len(people) >= 300
    shown = " ".join(str(frame.value.to_csv()) for frame in app.dataframe)
    assert people.loc[0, "name"] in shown
    assert not any(phone in shown for phone in people["phone"] if phone)
    assert not any(email in shown for email in people["email"] if email)
