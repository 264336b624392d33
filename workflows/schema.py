"""The sheets of the workbook and their columns, as workbook.md defines them.

Pure data: the connectors use it to map headers and parse cells, the workflows to know
what a table holds. Column keys are the contract; Chinese headers are what `init --lang zh`
writes and what most coordinators see.
"""
from __future__ import annotations

from dataclasses import dataclass, field

RECORD = "record"
APPEND_ONLY = "append-only"


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    type: str = "text"  # text | int | number | date | datetime | bool | enum
    required: bool = False
    private: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (key, Chinese label) of an enum
    default: str = ""
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Table:
    key: str
    zh: str
    kind: str
    id_columns: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def column_keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.key} has no column {key!r}")

    def header(self, lang: str = "zh") -> list[str]:
        return [c.zh if lang == "zh" else c.key for c in self.columns]


def _enum(*pairs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(pairs)


POLITICAL_STATUS = _enum(
    ("party_member", "中共党员"),
    ("probationary_member", "中共预备党员"),
    ("activist", "入党积极分子"),
    ("league_member", "共青团员"),
    ("masses", "群众"),
)
ROLES = _enum(("volunteer", "志愿者"), ("coordinator", "协调员"), ("leader", "领导"))
ACTIVITY_STATUS = _enum(("open", "报名中"), ("closed", "已截止"), ("cancelled", "已取消"))
SIGNUP_ACTIONS = _enum(("signup", "报名"), ("cancel", "取消"))
CHECKIN_METHODS = _enum(("code", "签到码"), ("coordinator", "协调员补签"))
HOURS_SOURCES = _enum(("self_report", "自主申报"), ("adjustment", "调整"), ("import", "导入"))
HOURS_STATUS = _enum(("pending", "待审核"), ("approved", "已通过"), ("rejected", "已驳回"))
REQUEST_KINDS = _enum(("request", "诉求"), ("wish", "微心愿"))
REQUEST_STATUS = _enum(
    ("submitted", "待受理"),
    ("accepted", "已受理"),
    ("assigned", "已派单"),
    ("resolved", "已办结"),
    ("closed", "已回访"),
    ("reopened", "已重启"),
    ("rejected", "不予受理"),
)
SURVEY_KINDS = _enum(("needs", "需求调研"), ("feedback", "效果反馈"))
SURVEY_STATUS = _enum(("open", "进行中"), ("closed", "已结束"))
QUESTION_TYPES = _enum(("rating", "评分"), ("choice", "单选"), ("multi", "多选"), ("text", "填空"))
ACTION_STATUS = _enum(("planned", "计划"), ("doing", "推进中"), ("done", "已完成"))

C = Column

TABLES: tuple[Table, ...] = (
    Table("people", "成员", RECORD, ("person_id",), (
        C("person_id", "学号/工号", required=True),
        C("name", "姓名", required=True),
        C("gender", "性别"),
        C("college", "学院"),
        C("class", "班级"),
        C("political_status", "政治面貌", "enum", required=True, choices=POLITICAL_STATUS),
        C("branch", "所在支部"),
        C("building", "楼栋"),
        C("floor", "楼层"),
        C("dorm", "宿舍"),
        C("phone", "手机号", private=True),
        C("email", "邮箱", private=True),
        C("skills", "特长"),
        C("role", "角色", "enum", choices=ROLES, default="volunteer"),
        C("active", "在册", "bool", default="true"),
        C("joined_on", "加入日期", "date"),
        C("volunteer_no", "志愿者编号", private=True),  # the national registration number, where registered
    )),
    Table("activities", "活动", RECORD, ("activity_id",), (
        C("activity_id", "活动编号", required=True),
        C("title", "活动名称", required=True),
        C("category", "类别"),
        C("branch", "组织支部"),
        C("location", "地点"),
        C("starts_at", "开始时间", "datetime", required=True),
        C("ends_at", "结束时间", "datetime", required=True),
        C("capacity", "名额", "int", minimum=0),
        C("hours", "时长", "number", minimum=0),
        C("signup_deadline", "报名截止", "datetime"),
        C("checkin_code", "签到码", private=True),
        C("status", "状态", "enum", choices=ACTIVITY_STATUS, default="open"),
        C("description", "说明"),
    )),
    Table("signups", "报名", APPEND_ONLY, ("signup_id",), (
        C("signup_id", "记录编号", required=True),
        C("activity_id", "活动编号", required=True),
        C("person_id", "学号/工号", required=True),
        C("action", "操作", "enum", choices=SIGNUP_ACTIONS, default="signup"),
        C("at", "时间", "datetime", required=True),
        C("by", "操作人"),
    )),
    Table("checkins", "签到", APPEND_ONLY, ("checkin_id",), (
        C("checkin_id", "记录编号", required=True),
        C("activity_id", "活动编号", required=True),
        C("person_id", "学号/工号", required=True),
        C("at", "时间", "datetime", required=True),
        C("method", "方式", "enum", choices=CHECKIN_METHODS, default="code"),
        C("by", "操作人"),
    )),
    Table("hours", "时长", RECORD, ("entry_id",), (
        C("entry_id", "记录编号", required=True),
        C("person_id", "学号/工号", required=True),
        C("activity_id", "活动编号"),
        C("date", "日期", "date", required=True),
        C("hours", "时长", "number", required=True),  # its bounds depend on `source`: workflows/hours.py
        C("source", "来源", "enum", choices=HOURS_SOURCES, default="self_report"),
        C("description", "服务内容"),
        C("evidence", "证明材料"),
        C("status", "状态", "enum", choices=HOURS_STATUS, default="pending"),
        C("reviewed_by", "审核人"),
        C("reviewed_at", "审核时间", "datetime"),
        C("review_note", "审核意见"),
    )),
    Table("requests", "诉求与微心愿", RECORD, ("request_id",), (
        C("request_id", "诉求编号", required=True),
        C("kind", "类型", "enum", choices=REQUEST_KINDS, default="request"),
        C("category", "类别"),
        C("title", "标题", required=True),
        C("details", "详情"),
        C("requester_id", "提出人"),
        C("contact", "联系方式", private=True),
        C("building", "楼栋"),
        C("submitted_at", "提交时间", "datetime", required=True),
        C("status", "状态", "enum", choices=REQUEST_STATUS, default="submitted"),
        C("assignee_id", "承办人"),
        C("accepted_at", "受理时间", "datetime"),
        C("due_at", "办理时限", "datetime"),
        C("resolved_at", "办结时间", "datetime"),
        C("resolution", "办理结果"),
        C("rating", "满意度", "int", minimum=1, maximum=5),
        C("feedback", "评价"),
        C("rated_at", "评价时间", "datetime"),
    )),
    Table("request_events", "诉求流转记录", APPEND_ONLY, ("event_id",), (
        C("event_id", "记录编号", required=True),
        C("request_id", "诉求编号", required=True),
        C("at", "时间", "datetime", required=True),
        C("actor", "操作人"),
        C("action", "操作"),
        C("from_status", "原状态", "enum", choices=REQUEST_STATUS),
        C("to_status", "新状态", "enum", choices=REQUEST_STATUS),
        C("note", "备注"),
    )),
    Table("surveys", "问卷", RECORD, ("survey_id",), (
        C("survey_id", "问卷编号", required=True),
        C("title", "标题", required=True),
        C("kind", "类型", "enum", choices=SURVEY_KINDS, default="needs"),
        C("activity_id", "活动编号"),
        C("opens_at", "开始时间", "datetime"),
        C("closes_at", "截止时间", "datetime"),
        C("anonymous", "匿名", "bool", default="false"),
        C("status", "状态", "enum", choices=SURVEY_STATUS, default="open"),
    )),
    Table("questions", "题目", RECORD, ("survey_id", "question_id"), (
        C("survey_id", "问卷编号", required=True),
        C("question_id", "题号", required=True),
        C("text", "题目", required=True),
        C("type", "题型", "enum", choices=QUESTION_TYPES, default="text"),
        C("options", "选项"),
        C("required", "必答", "bool", default="false"),
    )),
    Table("responses", "答卷", APPEND_ONLY, ("response_id", "question_id"), (
        C("response_id", "答卷编号", required=True),
        C("survey_id", "问卷编号", required=True),
        C("question_id", "题号", required=True),
        C("respondent_id", "答题人"),
        C("answer", "答案"),
        C("submitted_at", "提交时间", "datetime", required=True),
    )),
    Table("actions", "改进措施", RECORD, ("action_id",), (
        C("action_id", "编号", required=True),
        C("source", "来源"),
        C("finding", "发现问题"),
        C("action", "改进措施"),
        C("owner", "负责人"),
        C("due_on", "完成时限", "date"),
        C("status", "状态", "enum", choices=ACTION_STATUS, default="planned"),
        C("done_on", "完成日期", "date"),
        C("result", "成效"),
    )),
    Table("settings", "设置", RECORD, ("key",), (
        C("key", "参数", required=True),
        C("value", "值"),
        C("note", "说明"),
    )),
)

# The app's own tables: not part of the spec's workbook, never exported, never shown.
ACCESS_CODES = Table("_access_codes", "_访问码", APPEND_ONLY, ("code_id",), (
    C("code_id", "记录编号", required=True),
    C("person_id", "学号/工号", required=True),
    C("kind", "类型", "enum", choices=(("personal", "个人码"), ("access", "访问码")), default="personal"),
    C("hash", "散列", private=True),  # empty: the code was revoked
    C("issued_at", "签发时间", "datetime", required=True),
    C("issued_by", "签发人"),
))
CERTIFICATES = Table("_certificates", "_时长证明", APPEND_ONLY, ("certificate_no",), (
    C("certificate_no", "证明编号", required=True),
    C("person_id", "学号/工号", required=True),
    C("name", "姓名"),
    C("hours", "时长", "number"),
    C("period_start", "起始日期", "date"),
    C("period_end", "截止日期", "date"),
    C("issued_at", "出具时间", "datetime", required=True),
    C("issued_by", "出具人"),
))
AUDIT = Table("_audit", "_修改记录", APPEND_ONLY, ("audit_id",), (
    C("audit_id", "记录编号", required=True),
    C("at", "时间", "datetime", required=True),
    C("actor", "操作人"),
    C("table", "工作表"),
    C("record", "记录"),
    C("column", "列"),
    C("old", "原值"),
    C("new", "新值"),
))
META = Table("_meta", "_工作簿信息", RECORD, ("key",), (  # what the app notes about the workbook itself
    C("key", "参数", required=True),  # `demo`: the workbook holds the demo college (workflows/meta.py)
    C("value", "值"),
    C("set_at", "设置时间", "datetime"),
))
INTERNAL_TABLES: tuple[Table, ...] = (ACCESS_CODES, CERTIFICATES, AUDIT, META)
ALL_TABLES: tuple[Table, ...] = TABLES + INTERNAL_TABLES

del C

TABLES_BY_KEY: dict[str, Table] = {t.key: t for t in ALL_TABLES}


def table(key: str) -> Table:
    return TABLES_BY_KEY[key]
