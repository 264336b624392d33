"""Leaderboard (public): rank, name, branch, points, hours. Nothing else about anyone."""
import streamlit as st

from ui.i18n import t
from ui.session import current_leaderboard, data, guard
from workflows.settings import number_setting

guard("leaderboard")
st.title(t("page.leaderboard"))
tables = data().tables
st.caption(t("leaderboard.intro", per_hour=f"{number_setting(tables, 'points.per_hour'):g}",
             per_attendance=f"{number_setting(tables, 'points.per_attendance'):g}",
             per_survey=f"{number_setting(tables, 'points.per_survey'):g}",
             per_request=f"{number_setting(tables, 'points.per_request_resolved'):g}"))
board = current_leaderboard()
branches = [""] + sorted(b for b in board["branch"].unique() if b)
branch = st.selectbox(t("leaderboard.branch"), branches, format_func=lambda b: b or t("leaderboard.all"),
                      placeholder=t("widget.choose"))
if branch:
    board = board[board["branch"] == branch]
# rank, name, points and hours fit a 390 px phone; the long branch name comes last (scroll to see it)
columns = {"rank": t("field.rank"), "name": t("field.name"), "points": t("field.points"), "hours": t("col.hours"),
           "branch": t("field.member_branch")}
st.dataframe(board.head(100)[list(columns)].rename(columns=columns), hide_index=True, width="stretch",
             column_config={columns["rank"]: st.column_config.NumberColumn(width=44),
                            columns["name"]: st.column_config.TextColumn(width=84),
                            columns["points"]: st.column_config.NumberColumn(width=64),
                            columns["hours"]: st.column_config.NumberColumn(width=56)})
