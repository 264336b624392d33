"""The closed loop in the app: a request from submitted to closed (and reopened), a wish claimed,
a survey answered by several people with its results and improvement actions."""
from __future__ import annotations



from connectors.parsing import parse_snapshot
from workflows.clock import local_now
from tests.pages import open_page, workbook  # noqa: F401 - a fixture
from demo.codes import DEMO_CODES
from workflows.requests import timeline
from workflows.surveys import respondents

VOLUNTEER, COORDINATOR, _ = (p for p, *_ in DEMO_CODES)


def tables(book):
    return parse_snapshot(book.snapshot())


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_a_request_walks_from_submitted_to_closed_and_reopened_in_the_app(workbook):
    mine = open_page("pages/requests.py", VOLUNTEER)
    assert not mine.exception
    mine.text_input(key="new-title").input("宿舍门锁坏了")
    mine.selectbox(key="new-category").set_value("维修")
    button(mine, "提交").click().run()
    assert mine.success[0].value.startswith("已提交")
    request_id = tables(workbook)["requests"].query("title == '宿舍门锁坏了'").iloc[0]["request_id"]

    board = open_page("pages/request_board.py", COORDINATOR)
    pick = next(s for s in board.selectbox if s.label == "处理诉求")
    pick.set_value(request_id).run()
    button(board, "受理").click().run()
    assert board.success[0].value == "已受理。"
    next(s for s in board.selectbox if s.label == "处理诉求").set_value(request_id).run()
    board.selectbox(key=f"assignee-{request_id}").set_value(COORDINATOR).run()
    button(board, "派单").click().run()
    next(s for s in board.selectbox if s.label == "处理诉求").set_value(request_id).run()
    board.text_area(key=f"resolution-{request_id}").input("已更换门锁")
    button(board, "办结").click().run()
    assert tables(workbook)["requests"].set_index("request_id").loc[request_id, "status"] == "resolved"

    mine = open_page("pages/requests.py", VOLUNTEER)
    mine.session_state[f"rating-{request_id}"] = 1  # two stars (st.feedback counts from 0)
    mine.button(key=f"rate-{request_id}").click().run()
    assert mine.success[0].value == "已重新打开，协调员会再次派单处理。"

    board = open_page("pages/request_board.py", COORDINATOR)
    next(s for s in board.selectbox if s.label == "处理诉求").set_value(request_id).run()
    board.selectbox(key=f"assignee-{request_id}").set_value(COORDINATOR).run()
    button(board, "派单").click().run()
    wall = open_page("pages/wish_wall.py", COORDINATOR)
    wall.text_input(key=f"done-{request_id}").input("换了新锁芯")
    wall.button(key=f"mark-{request_id}").click().run()
    mine = open_page("pages/requests.py", VOLUNTEER)
    mine.session_state[f"rating-{request_id}"] = 4
    mine.button(key=f"rate-{request_id}").click().run()
    assert mine.success[0].value == "感谢评价，此事已结案。"

    steps = timeline(tables(workbook), request_id)
    assert list(steps["to_status"]) == ["submitted", "accepted", "assigned", "resolved", "reopened", "assigned",
                                        "resolved", "closed"]
    assert steps["at"].notna().all() and (steps["actor"] != "").all()
    assert not open_page("pages/requests.py", VOLUNTEER).exception


def test_a_wish_is_claimed_on_the_wish_wall(workbook):
    wishes = tables(workbook)["requests"].query("kind == 'wish' and status in ['submitted', 'accepted', 'reopened']")
    wish = wishes[wishes["requester_id"] != VOLUNTEER].iloc[0]
    wall = open_page("pages/wish_wall.py", VOLUNTEER)
    wall.button(key=f"claim-{wish['request_id']}").click().run()
    assert wall.success[0].value.startswith("认领成功")
    after = tables(workbook)["requests"].set_index("request_id").loc[wish["request_id"]]
    assert (after["status"], after["assignee_id"]) == ("assigned", VOLUNTEER)


def test_a_survey_answered_by_several_people_shows_its_results_and_actions(workbook):
    from workflows.surveys import survey_row

    survey = survey_row({"title": "宿舍学习环境调研", "kind": "needs"}, local_now("Asia/Shanghai"))
    workbook.append("surveys", [survey])
    workbook.append("questions", [
        {"survey_id": survey["survey_id"], "question_id": "1", "text": "满意度", "type": "rating", "required": "true"},
        {"survey_id": survey["survey_id"], "question_id": "2", "text": "最需要", "type": "choice",
         "options": "自习室|打印|维修", "required": "false"}])
    people = tables(workbook)["people"]["person_id"].tolist()
    for person, rating in ((VOLUNTEER, 4), (COORDINATOR, 5), (people[10], 2)):
        page = open_page("pages/surveys.py", person)
        next(s for s in page.selectbox if s.label == "选择问卷").set_value(survey["survey_id"]).run()
        page.radio(key=f"q-{survey['survey_id']}-1").set_value(rating)
        page.radio(key=f"q-{survey['survey_id']}-2").set_value("自习室")
        button(page, "提交问卷").click().run()
        assert page.success[0].value.startswith("感谢填写"), [e.value for e in page.error]
    assert respondents(tables(workbook), survey["survey_id"]) == 3
    admin = open_page("pages/survey_admin.py", COORDINATOR)
    admin.selectbox(key="results-pick").set_value(survey["survey_id"]).run()
    assert not admin.exception
    assert any(m.value == "3" for m in admin.metric)
    assert any("平均 3.67 分" in c.value for c in admin.caption)


def test_the_board_stays_on_the_request_acted_on_through_accept_assign_and_resolve(workbook):
    mine = open_page("pages/requests.py", VOLUNTEER)
    mine.text_input(key="new-title").input("楼道灯不亮")
    mine.selectbox(key="new-category").set_value("维修")
    button(mine, "提交").click().run()
    request_id = tables(workbook)["requests"].query("title == '楼道灯不亮'").iloc[0]["request_id"]

    board = open_page("pages/request_board.py", COORDINATOR)
    picked = lambda: next(s for s in board.selectbox if s.label == "处理诉求").value  # noqa: E731
    next(s for s in board.selectbox if s.label == "处理诉求").set_value(request_id).run()
    button(board, "受理").click().run()
    assert picked() == request_id
    board.selectbox(key=f"assignee-{request_id}").set_value(COORDINATOR).run()
    button(board, "派单").click().run()
    assert picked() == request_id
    board.text_area(key=f"resolution-{request_id}").input("已更换灯泡")
    button(board, "办结").click().run()
    assert picked() == request_id  # resolved is not in the status filter, yet the request stays on screen
    assert board.success[0].value == "已办结。"
    assert tables(workbook)["requests"].set_index("request_id").loc[request_id, "status"] == "resolved"


def test_a_sent_request_empties_the_form_and_the_same_values_sent_again_file_no_twin(workbook):
    mine = open_page("pages/requests.py", VOLUNTEER)
    for _ in range(2):  # the second: a click already on its way when the first succeeded
        mine.text_input(key="new-title").input("洗衣机漏水")
        mine.selectbox(key="new-category").set_value("维修")
        button(mine, "提交").click().run()
        assert mine.success[0].value.startswith("已提交")
        assert mine.text_input(key="new-title").value == ""
        assert mine.selectbox(key="new-category").value is None
    assert (tables(workbook)["requests"]["title"] == "洗衣机漏水").sum() == 1


def test_an_empty_request_keeps_its_form_open_and_names_what_is_missing_by_label(workbook):
    mine = open_page("pages/requests.py", VOLUNTEER)
    assert mine.selectbox(key="new-category").value is None  # no silent default: the person chooses
    button(mine, "提交").click().run()
    assert mine.error[0].value == "请填写：标题、类别"
    assert mine.session_state["request-form-open"] is True



def test_a_missing_required_answer_is_named_by_number_above_the_questions_and_beside_the_question(workbook):
    from workflows.surveys import survey_row

    survey = survey_row({"title": "自习室需求", "kind": "needs"}, local_now("Asia/Shanghai"))
    workbook.append("surveys", [survey])
    workbook.append("questions", [
        {"survey_id": survey["survey_id"], "question_id": "7", "text": "开放时间", "type": "text", "required": "false"},
        {"survey_id": survey["survey_id"], "question_id": "9", "text": "满意度", "type": "rating", "required": "true"}])
    page = open_page("pages/surveys.py", VOLUNTEER)
    next(s for s in page.selectbox if s.label == "选择问卷").set_value(survey["survey_id"]).run()
    rating = page.radio(key=f"q-{survey['survey_id']}-9")
    assert rating.label == "Q2. 满意度 *"
    assert "1 = 很不满意 … 5 = 很满意" in [c.value for c in page.caption]
    page.text_area(key=f"q-{survey['survey_id']}-7").input("晚上")
    button(page, "提交问卷").click().run()
    assert [e.value for e in page.error] == ["请回答必答题：Q2"]
    main = list(page.main)
    assert main.index(page.error[0]) < main.index(next(e for e in main if getattr(e, "type", "") == "form"))
    assert any(c.value == ":red[此题必答]" for c in page.caption)
    assert page.text_area(key=f"q-{survey['survey_id']}-7").value == "晚上"  # what was typed stays
