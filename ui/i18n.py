"""Every label and message of the app in Chinese and English: one catalog.

The language follows the browser (`st.context.locale`) until the person picks one; the
choice is kept in the session, so it holds across pages.
"""
from __future__ import annotations

import streamlit as st

LANGUAGES = {"zh": "中文", "en": "English"}

CATALOG: dict[str, dict[str, str]] = {
    "app.title": {"zh": "志愿服务与社区治理工作台", "en": "Volunteer service & community workbench"},
    "lang.label": {"zh": "语言 Language", "en": "Language 语言"},
    "data.as_of": {"zh": "数据更新于 {time}", "en": "Data as of {time}"},
    "data.stale": {"zh": "暂时无法读取工作簿，显示的是 {time} 的数据：{error}",
                   "en": "The workbook cannot be read right now; showing data from {time}: {error}"},
    "page.sign_in": {"zh": "登录", "en": "Sign in"},
    "page.home": {"zh": "首页", "en": "Home"},
    "page.data": {"zh": "数据检查", "en": "Data"},
    "page.codes": {"zh": "登录码管理", "en": "Sign-in codes"},
    "role.volunteer": {"zh": "志愿者", "en": "Volunteer"},
    "role.coordinator": {"zh": "协调员", "en": "Coordinator"},
    "role.leader": {"zh": "领导", "en": "Leader"},
    "guard.sign_in_first": {"zh": "请先登录后再打开此页面。", "en": "Please sign in to open this page."},
    "guard.not_for_role": {"zh": "此页面仅对{audience}开放，您当前的角色是{role}。",
                           "en": "This page is for {audience}; you are signed in as {role}."},
    "guard.go_sign_in": {"zh": "去登录", "en": "Go to sign-in"},
    "sign_in.intro": {"zh": "请输入学号/工号和登录码。登录码由本支部协调员发放。",
                      "en": "Enter your student/staff ID and your sign-in code. Your branch coordinator issues codes."},
    "sign_in.person_id": {"zh": "学号/工号", "en": "Student/staff ID"},
    "sign_in.code": {"zh": "登录码", "en": "Sign-in code"},
    "sign_in.submit": {"zh": "登录", "en": "Sign in"},
    "sign_in.wrong": {"zh": "学号或登录码不正确。请核对后重试，或联系本支部协调员重置登录码。",
                      "en": "That ID or code is not right. Check them and try again, or ask your coordinator to reset your code."},
    "sign_in.blocked": {"zh": "尝试次数过多，请于 {time} 后再试。",
                        "en": "Too many attempts. Please try again after {time}."},
    "sign_in.missing": {"zh": "请填写学号/工号和登录码。", "en": "Please fill in your ID and your code."},
    "sign_in.oidc_button": {"zh": "使用学校账号登录", "en": "Sign in with your school account"},
    "sign_in.oidc_unknown": {"zh": "您已使用 {email} 登录，但成员表中没有这个邮箱。请联系协调员将您的邮箱登记到成员表。",
                             "en": "You are signed in as {email}, but no member has this e-mail. Ask a coordinator to add it to the people sheet."},
    "sign_in.done": {"zh": "您已登录：{name}（{role}）", "en": "You are signed in: {name} ({role})"},
    "sign_out": {"zh": "退出登录", "en": "Sign out"},
    "signed_in_as": {"zh": "{name} · {role}", "en": "{name} · {role}"},
    "home.welcome": {"zh": "你好，{name}", "en": "Hello, {name}"},
    "home.branch": {"zh": "所在支部：{branch}", "en": "Branch: {branch}"},
    "home.upcoming": {"zh": "近期活动", "en": "Coming activities"},
    "home.no_upcoming": {"zh": "近期没有开放报名的活动。新活动发布后会显示在这里。",
                         "en": "No activities are open right now. New ones will appear here."},
    "home.waiting": {"zh": "待办事项", "en": "Work waiting"},
    "home.hours_pending": {"zh": "待审核时长", "en": "Hours to review"},
    "home.requests_new": {"zh": "待受理诉求", "en": "Requests to accept"},
    "home.requests_overdue": {"zh": "超期诉求", "en": "Overdue requests"},
    "home.starting_soon": {"zh": "7天内开始的活动", "en": "Activities in the next 7 days"},
    "home.overview": {"zh": "总体情况", "en": "Overview"},
    "home.people": {"zh": "在册成员", "en": "Registered members"},
    "home.activities": {"zh": "活动总数", "en": "Activities"},
    "home.requests": {"zh": "诉求与微心愿", "en": "Requests and wishes"},
    "col.title": {"zh": "活动", "en": "Activity"},
    "col.starts_at": {"zh": "开始时间", "en": "Starts"},
    "col.location": {"zh": "地点", "en": "Place"},
    "col.hours": {"zh": "时长", "en": "Hours"},
    "col.category": {"zh": "类别", "en": "Category"},
    "data.problems": {"zh": "数据问题", "en": "Data problems"},
    "data.no_problems": {"zh": "工作簿中没有发现数据问题。", "en": "No problems found in the workbook."},
    "data.problem_count": {"zh": "共 {n} 处问题需要处理。请在表格中按行号找到并修改。",
                           "en": "{n} problems to look at. Find each by its row number in the sheet and fix it."},
    "data.filter_sheet": {"zh": "按工作表筛选", "en": "Filter by sheet"},
    "data.search": {"zh": "搜索（值或问题）", "en": "Search (value or problem)"},
    "data.sheet": {"zh": "工作表", "en": "Sheet"},
    "data.row": {"zh": "行", "en": "Row"},
    "data.column": {"zh": "列", "en": "Column"},
    "data.value": {"zh": "值", "en": "Value"},
    "data.problem": {"zh": "问题", "en": "Problem"},
    "data.tables": {"zh": "查看数据表", "en": "View a table"},
    "data.table": {"zh": "数据表", "en": "Table"},
    "data.rows": {"zh": "{n} 行", "en": "{n} rows"},
    "data.open_sheet": {"zh": "在 Google 表格中打开", "en": "Open in Google Sheets"},
    "data.download": {"zh": "下载工作簿（Excel）", "en": "Download the workbook (Excel)"},
    "data.private_note": {"zh": "🔒 表示您无权查看的隐私信息（仅本人与所在支部协调员可见）。",
                          "en": "🔒 marks private cells you may not see (only the person and their branch coordinators may)."},
    "codes.intro": {"zh": "为本支部志愿者发放或重置登录码。登录码只显示一次，请私下交给本人。",
                    "en": "Issue or reset sign-in codes for volunteers of your branch. A code is shown once: give it to the person privately."},
    "codes.person": {"zh": "成员", "en": "Member"},
    "codes.issue": {"zh": "发放新登录码", "en": "Issue a new code"},
    "codes.revoke": {"zh": "停用登录码", "en": "Revoke the code"},
    "codes.issued": {"zh": "{name} 的新登录码：{code}（只显示这一次）", "en": "New code for {name}: {code} (shown this once)"},
    "codes.revoked": {"zh": "已停用 {name} 的登录码。", "en": "The code of {name} is revoked."},
    "codes.queued": {"zh": "已保存在本机，连接恢复后会自动同步到表格。", "en": "Saved on this machine; it will sync to the sheet when the connection is back."},
    "codes.has_code": {"zh": "已有登录码", "en": "Has a code"},
    "codes.issued_at": {"zh": "发放时间", "en": "Issued"},
    "codes.none": {"zh": "本支部没有可发放登录码的志愿者。", "en": "Your branch has no volunteers to issue codes to."},
    "codes.cli_hint": {"zh": "协调员与领导的访问码由管理员用命令 `python cli.py issue-code 学号` 发放。",
                       "en": "Coordinators' and leaders' access codes are issued by the administrator with `python cli.py issue-code PERSON_ID`."},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
}


def language() -> str:
    chosen = st.session_state.get("lang")
    if chosen in LANGUAGES:
        return chosen
    locale = (st.context.locale or "zh").lower()
    return "zh" if locale.startswith("zh") else "en"


def t(key: str, **values) -> str:
    text = CATALOG[key][language()]
    return text.format(**values) if values else text


def language_switch() -> None:
    """The language picker, shown on every page; the choice is kept for the session."""
    current = language()

    def remember():
        st.session_state["lang"] = st.session_state["_lang_picker"]

    st.session_state["_lang_picker"] = current
    st.sidebar.segmented_control(t("lang.label"), list(LANGUAGES), format_func=LANGUAGES.get,
                                 key="_lang_picker", on_change=remember)
