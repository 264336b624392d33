"""A deterministic demo college: every table of the workbook (workbook.md) as text cells.

`demo_tables(now, seed)` builds a whole, internally consistent workbook around the moment
`now` (naive, local time of the workbook): people in branches and dorms, past and future
activities with sign-ups, waitlists and check-ins, hours to review, requests and micro-wishes
in every state of their closed loop, two surveys with answers, improvement actions and the
settings. No I/O; the same `now` and `seed` give the same tables.

Seed data only: the columns come from the schema, the political statuses, request categories
and default settings from the workflows, and who is confirmed or waitlisted from the roster
rule itself (`workflows.signup.derive`). Each table is built by one small function
(`_people`, `_activities`, …) from a shared random generator and the tables built before it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from connectors.parsing import parse_sheet
from connectors.sheet import RawSheet
from workflows.indicators import PARTY
from workflows.requests import REQUEST_CATEGORIES
from workflows.schema import ALL_TABLES, POLITICAL_STATUS, TABLES, table as schema_table
from workflows.settings import DEFAULTS
from workflows.signup import Roster, derive
from workflows.tables import DEFAULT_TIMEZONE, Tables

Row = dict[str, str]

DATE_FMT = "%Y-%m-%d"
MINUTE_FMT = "%Y-%m-%d %H:%M"
SECOND_FMT = "%Y-%m-%d %H:%M:%S"

# ---------------------------------------------------------------------------- people
# (college, two-digit code used in student numbers, class prefix, branches)
COLLEGES = (
    ("计算机学院", "07", "计科",
     ("计算机学院第一学生党支部", "计算机学院第二学生党支部", "计算机学院研究生党支部")),
    ("信息与通信工程学院", "08", "通信",
     ("信息与通信工程学院第一学生党支部", "信息与通信工程学院第二学生党支部")),
    ("数学与统计学院", "03", "数统",
     ("数学与统计学院第一学生党支部", "数学与统计学院第二学生党支部")),
)
PEOPLE_PER_BRANCH = 46
# The first person of each branch is its coordinator; the second person of these branches
# (by position in COLLEGES order) is one of the two leaders.
LEADER_BRANCHES = (0, 3)
NEWEST_GRADE = 2024  # fixed, so that person_ids do not change with `now`
BUILDINGS = tuple(f"学生公寓{n}号楼" for n in range(1, 7))
FLOORS = 6
ROOMS_PER_FLOOR = 12
SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("罗", "luo"), ("高", "gao"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"), ("彭", "peng"),
    ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("潘", "pan"), ("袁", "yuan"),
    ("蔡", "cai"), ("蒋", "jiang"), ("余", "yu"), ("欧阳", "ouyang"),
)
GIVEN_CHARS = (
    ("子", "zi"), ("涵", "han"), ("浩", "hao"), ("宇", "yu"), ("欣", "xin"), ("怡", "yi"),
    ("梓", "zi"), ("萱", "xuan"), ("雨", "yu"), ("晨", "chen"), ("思", "si"), ("博", "bo"),
    ("文", "wen"), ("嘉", "jia"), ("俊", "jun"), ("杰", "jie"), ("佳", "jia"), ("琪", "qi"),
    ("一", "yi"), ("诺", "nuo"), ("明", "ming"), ("轩", "xuan"), ("泽", "ze"), ("睿", "rui"),
    ("晓", "xiao"), ("婷", "ting"), ("静", "jing"), ("磊", "lei"), ("鑫", "xin"), ("宁", "ning"),
    ("可", "ke"), ("心", "xin"), ("天", "tian"), ("昊", "hao"), ("若", "ruo"), ("瑶", "yao"),
    ("凯", "kai"), ("伟", "wei"), ("雪", "xue"), ("阳", "yang"), ("悦", "yue"), ("鹏", "peng"),
    ("帆", "fan"), ("颖", "ying"), ("彤", "tong"), ("航", "hang"), ("茜", "qian"), ("逸", "yi"),
)
SKILLS = ("维修", "辅导", "心理", "摄影", "编程", "急救", "法律", "就业", "资助政策", "文案")
PHONE_PREFIXES = ("138", "139", "150", "151", "158", "177", "186", "187", "189", "199")
# Per political status, in the schema's order (party member, probationary, activist, league
# member, masses): how common it is among undergraduates and graduates, and how eagerly
# people of that status sign up and serve.
STATUSES = tuple(key for key, _ in POLITICAL_STATUS)
STATUS_WEIGHTS = dict(zip(STATUSES, (9, 5, 16, 58, 8)))
GRADUATE_STATUS_WEIGHTS = dict(zip(STATUSES, (30, 8, 16, 40, 6)))
EAGERNESS = dict(zip(STATUSES, (12.0, 10.0, 4.0, 1.0, 0.4)))

# ---------------------------------------------------------------------------- activities
PAST_ACTIVITIES = 32      # one every 3 days, the latest 3 days ago
FUTURE_ACTIVITIES = 16    # one every 2 days, from tomorrow on
PAST_WAITLISTED = (5, 17)  # indices among past activities
PAST_PROMOTION = 17        # a confirmed person cancels late and the first waitlisted moves up
PAST_CANCELLED = 20
PAST_NOT_YET_CLOSED = 31
PAST_FEEDBACK = 24         # the activity of the feedback survey
FUTURE_FULL = (0, 2, 4)
FUTURE_CANCELLED = 10
CATEGORIES = ("志愿服务", "微党课", "主题党日", "讲座", "社会实践", "学业帮扶", "维修服务")
ACTIVITY_TITLES = {
    "志愿服务": ("图书馆图书整理志愿服务", "社区养老院陪伴志愿服务", "地铁站文明引导志愿服务",
             "无偿献血宣传志愿服务", "垃圾分类督导志愿服务", "校运会后勤志愿服务"),
    "微党课": ("微党课：学习贯彻党的二十大精神", "微党课：榜样的力量", "微党课：从《共产党宣言》读起",
            "微党课：青年与强国之路"),
    "主题党日": ("主题党日：重温入党誓词", "主题党日：参观红色教育基地", "主题党日：党员宿舍挂牌与承诺践诺"),
    "讲座": ("讲座：人工智能前沿与科技伦理", "讲座：考研经验分享会", "讲座：求职简历与面试技巧",
           "讲座：大学生心理健康与压力管理"),
    "社会实践": ("社会实践：乡村振兴调研", "社会实践：社区数字助老", "社会实践：红色文化寻访"),
    "学业帮扶": ("学业帮扶：高等数学期末答疑", "学业帮扶：C语言程序设计辅导", "学业帮扶：英语四六级冲刺"),
    "维修服务": ("维修服务：宿舍小家电义务维修", "维修服务：电脑系统义诊", "维修服务：自行车义务维修"),
}
ACTIVITY_LOCATIONS = {
    "志愿服务": ("图书馆一楼大厅", "东区社区服务中心", "地铁大学城站", "校体育场"),
    "微党课": ("学生活动中心201", "逸夫楼报告厅", "线上（腾讯会议）"),
    "主题党日": ("学生活动中心党员之家", "市革命历史纪念馆", "学生公寓3号楼党员活动室"),
    "讲座": ("逸夫楼报告厅", "教学楼A302", "图书馆报告厅"),
    "社会实践": ("城郊青山村", "东区社区服务中心", "市档案馆"),
    "学业帮扶": ("教学楼B201", "图书馆研讨间3", "学生公寓2号楼自习室"),
    "维修服务": ("学生公寓1号楼架空层", "学生公寓4号楼架空层", "第二食堂门口"),
}
ACTIVITY_HOURS = {"志愿服务": (2, 2.5, 3, 4), "微党课": (1, 1.5), "主题党日": (2, 3),
                  "讲座": (1, 1.5, 2), "社会实践": (3, 4), "学业帮扶": (1.5, 2),
                  "维修服务": (2, 3)}
START_TIMES = ((8, 30), (9, 0), (13, 30), (14, 0), (15, 0), (19, 0))
CHECKIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# ---------------------------------------------------------------------------- hours
HOURS_STATUS_COUNTS = {"approved": 122, "pending": 70, "rejected": 64}
# the first approved rows are imports, then adjustments; all others are self-reports
HOURS_IMPORTS = 10
HOURS_ADJUSTMENTS = 5
SERVICE_DESCRIPTIONS = (
    "在市图书馆协助整理归架图书", "到社区养老院陪伴老人聊天、读报", "参加校园迎新志愿服务，引导新生报到",
    "在地铁站开展文明出行引导", "参与无偿献血宣传并协助现场秩序", "线上为初中生辅导数学作业",
    "参加社区垃圾分类督导值守", "为校运会提供检录与后勤保障", "在博物馆担任志愿讲解员",
    "参加“三下乡”社会实践支教", "协助学院整理学生档案", "参加城市马拉松赛道服务",
)
EVIDENCE = ("志愿汇截图", "活动方盖章证明", "https://pan.example.edu.cn/s/", "活动合影及签到表",
            "服务单位负责人签字")
APPROVE_NOTES = ("材料齐全，同意认定", "同意", "情况属实，予以认定", "")
REJECT_NOTES = ("证明材料不清晰，请补充服务单位盖章证明后重新申报",
                "该活动已通过签到计入时长，不重复认定",
                "申报时长超出活动实际时长，请核实后重新申报",
                "属于个人学习活动，不属于志愿服务，不予认定")

# ---------------------------------------------------------------------------- requests
# the demo's deadline_days.<category> settings, one per category of the request form
DEADLINE_DAYS = dict(zip(REQUEST_CATEGORIES, (5, 7, 2, 5, 3, 3, 5)))
RATING_WINDOW_DAYS = int(DEFAULTS["rating_window_days"])
WISH_CATEGORIES = ("学业", "生活", "就业", "其他")
REQUEST_STATUS_COUNTS = {"submitted": 6, "accepted": 6, "assigned": 10, "resolved": 9,
                         "closed": 31, "reopened": 4, "rejected": 6}
ANONYMOUS_REQUESTS = 4
CATEGORY_SKILLS = {"学业": ("辅导", "编程"), "就业": ("就业",), "心理": ("心理",),
                   "资助": ("资助政策", "法律"), "维修": ("维修",), "生活": ("维修", "急救", "文案"),
                   "其他": SKILLS}
REQUEST_TEXTS = {
    "学业": (("高数期末复习找不到方向", "高等数学下册多元积分部分一直没弄懂，希望有同学帮忙答疑。"),
           ("C语言课设调试求助", "课程设计的链表程序总是段错误，希望有懂编程的同学帮忙看看。"),
           ("英语四级备考资料", "想找四级真题和听力资料，希望支部能统一分享。")),
    "就业": (("简历修改求助", "准备投递暑期实习，希望有学长学姐帮忙看看简历。"),
           ("想了解考公流程", "对公务员考试报名和备考流程不太了解，希望有人介绍。"),
           ("实习单位推荐", "希望了解本专业往届同学的实习单位和渠道。")),
    "心理": (("最近压力很大睡不好", "临近考试，焦虑失眠，希望能有人聊聊。"),
           ("和室友相处有矛盾", "宿舍作息不一致经常闹矛盾，不知道怎么沟通。")),
    "资助": (("助学金申请材料咨询", "不清楚国家助学金需要准备哪些证明材料。"),
           ("勤工助学岗位咨询", "想申请勤工助学岗位减轻家里负担，请问如何报名。")),
    "维修": (("宿舍灯管不亮", "宿舍灯管闪烁两天后完全不亮了。"), ("水龙头漏水", "卫生间水龙头一直滴水，关不紧。"),
           ("门锁损坏", "宿舍门锁反锁后打不开，需要维修。"), ("空调不制冷", "空调开了半小时仍不制冷。")),
    "生活": (("楼道照明不足", "晚上楼道太暗，存在安全隐患。"), ("快递点太远", "希望能在公寓附近设置临时取件点。"),
           ("洗衣机排队时间长", "楼层洗衣机经常坏，排队很久。")),
    "其他": (("希望自习室开放到23点", "期末周自习室不够用，希望延长开放时间。"),
           ("社团活动场地预约咨询", "不清楚学生活动中心场地如何预约。")),
}
WISH_TEXTS = {
    "学业": (("想要一本考研数学复习全书", "家里条件有限，希望有学长学姐转赠用过的复习书。"),
           ("希望有人教我Python入门", "零基础，想在寒假前学会基础语法。")),
    "生活": (("想要一个护眼台灯", "宿舍光线不好，晚上看书眼睛很累。"), ("希望收到一份生日祝福", "第一次离家过生日，希望有人一起过。"),
           ("想学会游泳", "希望有会游泳的同学带我练习。")),
    "就业": (("想要一套正装参加面试", "下个月有面试，暂时没有合适的正装。"), ("希望有人帮我模拟面试", "第一次参加面试很紧张。")),
    "其他": (("想和支部同学一起看一次升旗", "希望参加一次升旗仪式。"), ("想给家乡小学捐一些图书", "希望有人一起整理和寄送图书。")),
}
RESOLUTIONS = {
    "学业": "已安排党员同学一对一答疑，并分享了复习资料", "就业": "已对接学长学姐提供指导，并推荐了就业指导中心资源",
    "心理": "党员同学已多次谈心，并陪同预约了心理中心咨询", "资助": "已讲解资助政策并协助准备申请材料",
    "维修": "已上门维修并更换配件，试用正常", "生活": "已反映至后勤部门并跟进落实", "其他": "已协调相关部门，问题已落实",
}
WISH_RESOLUTION = "微心愿已认领并完成，党员同学已送达/陪伴完成"
RATING_FEEDBACK = {5: ("非常及时，问题彻底解决了，谢谢！", "党员同学很热心，点赞", "超出预期，很温暖"),
                   4: ("解决得不错，就是稍微慢了一点", "满意，希望以后继续保持"),
                   3: ("基本解决了，还需要再观察",),
                   2: ("问题没有彻底解决",), 1: ("处理完又坏了，希望重新处理",)}
REQUEST_REJECT_NOTES = ("不属于支部受理范围，已引导至学校后勤服务热线", "重复提交，已合并至同类诉求处理",
                        "信息不完整且无法联系提出人")

# ---------------------------------------------------------------------------- surveys
NEEDS_SURVEY = "SV001"
FEEDBACK_SURVEY = "SV002"
NEEDS_RESPONDENTS = 150
NEEDS_QUESTIONS = (
    ("Q1", "你最希望参加哪类志愿活动？", "choice", "志愿服务|学业帮扶|维修服务|社会实践|讲座", True),
    ("Q2", "你目前最需要哪些方面的帮助？（可多选）", "multi", "学业辅导|就业指导|心理支持|宿舍维修|资助政策|生活服务", True),
    ("Q3", "你对本学期支部志愿服务的总体满意度", "rating", "", True),
    ("Q4", "你每月可投入的志愿服务时间", "choice", "2小时以内|2-5小时|5-10小时|10小时以上", True),
    ("Q5", "其他意见和建议", "text", "", False),
)
FEEDBACK_QUESTIONS = (
    ("Q1", "本次活动整体满意度", "rating", "", True),
    ("Q2", "活动内容对你的收获", "rating", "", True),
    ("Q3", "活动时长是否合适", "choice", "偏短|合适|偏长", True),
    ("Q4", "你最喜欢的环节（可多选）", "multi", "主讲人讲授|案例讨论|互动问答|情景模拟", True),
    ("Q5", "改进建议", "text", "", False),
)
TEXT_ANSWERS = ("希望多安排周末的活动", "希望增加互动环节", "活动很有意义，希望继续举办", "建议提前一周发布通知",
                "希望能和其他学院联合开展活动", "时间安排很合理", "希望多一些就业方面的分享")
RATING_WEIGHTS = {"5": 50, "4": 33, "3": 12, "2": 4, "1": 1}


@dataclass
class _Demo:
    """The shared state: random generator, moment, and the tables built so far."""
    rng: random.Random
    now: dt.datetime
    tables: dict[str, list[Row]] = field(default_factory=dict)
    activity_times: dict[str, tuple[dt.datetime, dt.datetime, dt.datetime]] = field(
        default_factory=dict)  # activity_id -> (opened for sign-up, signup deadline, starts)
    typed: dict = field(default_factory=dict)  # table key -> parsed frame, for the rules

    @property
    def people(self) -> list[Row]:
        return self.tables["people"]

    def person(self, person_id: str) -> Row:
        return next(p for p in self.people if p["person_id"] == person_id)

    def active_people(self) -> list[Row]:
        return [p for p in self.people if p["active"] == "true"]

    def coordinator_of(self, branch: str) -> str:
        return next(p["person_id"] for p in self.people
                    if p["branch"] == branch and p["role"] == "coordinator")


def demo_tables(now: dt.datetime, seed: int = 2025) -> dict[str, list[dict[str, str]]]:
    """Every table of workbook.md keyed by table key, each a list of rows of text cells."""
    demo = _Demo(rng=random.Random(seed), now=now.replace(tzinfo=None, microsecond=0))
    builders = (("settings", _settings), ("people", _people), ("activities", _activities),
                ("signups", _signups), ("checkins", _checkins), ("hours", _hours),
                ("requests", _requests), ("surveys", _surveys), ("questions", _questions),
                ("responses", _responses), ("actions", _actions))
    for key, build in builders:
        demo.tables[key] = build(demo)
    demo.tables["request_events"] = demo.tables.pop("_events")
    return {spec.key: [_complete(spec.key, row) for row in demo.tables[spec.key]] for spec in TABLES}


# ---------------------------------------------------------------------------- helpers
def _complete(table: str, row: dict) -> Row:
    return {key: str(row.get(key, "")) for key in schema_table(table).column_keys}


def _day(value: dt.date | dt.datetime) -> str:
    return value.strftime(DATE_FMT)


def _minute(value: dt.datetime) -> str:
    return value.strftime(MINUTE_FMT)


def _second(value: dt.datetime) -> str:
    return value.strftime(SECOND_FMT)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    seconds = max(0.0, (end - start).total_seconds())
    return start + dt.timedelta(seconds=int(rng.uniform(0, seconds)))


def _awake(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """Like _between, but preferring 07:00–23:59 (people rarely sign up at 4 a.m.)."""
    at = _between(rng, start, end)
    for _ in range(20):
        if at.hour >= 7:
            break
        at = _between(rng, start, end)
    return at


def _pick_eager(rng: random.Random, people: list[Row], n: int) -> list[Row]:
    """n distinct people, party members and activists more likely (weighted, no repeats)."""
    keyed = sorted(people, key=lambda p: rng.random() ** (1 / EAGERNESS[p["political_status"]]),
                   reverse=True)
    return keyed[:n]


def _rosters(demo: _Demo, signups: list[Row]) -> dict[str, Roster]:
    """Every activity's roster from these sign-up rows, by the rule itself (workbook.md § signups)."""
    if not demo.typed:  # people and activities are final by now: parsed once
        demo.typed = {spec.key: _parsed(spec.key, demo.tables.get(spec.key, [])) for spec in ALL_TABLES}
    return derive(Tables({**demo.typed, "signups": _parsed("signups", signups)})).rosters


def _parsed(table: str, rows: list[Row]):
    """One table as the workflows take it, parsed from rows of text cells as a sheet holds them."""
    spec = schema_table(table)
    raw = RawSheet(table, spec.column_keys, [[str(r.get(k, "")) for k in spec.column_keys] for r in rows])
    return parse_sheet(spec, raw, ZoneInfo(DEFAULT_TIMEZONE))[0]


def _numbered(rows: list[dict], key: str, prefix: str, width: int, order) -> list[dict]:
    """Sort rows by `order` and give them consecutive IDs like S00001."""
    rows.sort(key=order)
    for n, row in enumerate(rows, start=1):
        row[key] = f"{prefix}{n:0{width}d}"
    return rows


# ---------------------------------------------------------------------------- settings
def _term(now: dt.datetime) -> tuple[dt.date, dt.date]:
    """A term of six calendar months that began about four months ago."""
    anchor = now.date() - dt.timedelta(days=120)
    start = dt.date(anchor.year, anchor.month, 1)
    month = start.month + 6
    end = dt.date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def _settings(demo: _Demo) -> list[Row]:
    term_start, term_end = _term(demo.now)
    rows = [("timezone", "Asia/Shanghai", "工作簿时区"),
            ("term_start", _day(term_start), "本学期开始日期（用于党员服务时长达标统计）"),
            ("term_end", _day(term_end), "本学期结束日期"),
            ("compliance_hours", "20", "党员本学期应达到的志愿服务时长（小时）")]
    rows += [(f"deadline_days.{category}", str(days), f"{category}类诉求办理时限（天）")
             for category, days in DEADLINE_DAYS.items()]
    rows += [("deadline_days.default", DEFAULTS["deadline_days.default"], "其他未列出类别的诉求办理时限（天）"),
             ("rating_window_days", str(RATING_WINDOW_DAYS), "办结后评价期限（天），逾期未评价自动回访办结"),
             ("points.per_hour", "10", "每认定1小时志愿服务时长积分"),
             ("points.per_attendance", "5", "每参加一次活动（已签到）积分"),
             ("points.per_survey", "2", "每完成一份问卷积分"),
             ("points.per_request_resolved", "10", "每办结一件诉求或微心愿积分"),
             ("organization_name", "示例大学计算机与信息学院", "证书落款单位"),
             ("organization_head", "王建国", "证明上的出具单位负责人"),
             ("organization_officer", "李晓梅", "证明上的经办人"),
             ("organization_contact", "010-88880000", "证明上的联系电话（示例）")]
    return [{"key": k, "value": v, "note": note} for k, v, note in rows]


# ---------------------------------------------------------------------------- people
def _people(demo: _Demo) -> list[Row]:
    rng, rows = demo.rng, []
    branch_no = 0
    for college, code, prefix, branches in COLLEGES:
        serial = rng.randint(100, 300)
        for branch in branches:
            graduate = "研究生" in branch
            homes = (BUILDINGS[branch_no % len(BUILDINGS)], BUILDINGS[(branch_no + 2) % len(BUILDINGS)])
            for position in range(PEOPLE_PER_BRANCH):
                serial += rng.randint(1, 6)
                grade = NEWEST_GRADE - rng.randint(0, 2 if graduate else 3)
                role = _role(branch_no, position)
                row = _person(demo, f"{grade}{code}{serial:04d}", grade, role, graduate)
                class_name = f"{prefix}{'研' if graduate else ''}{grade % 100:02d}{rng.randint(1, 4):02d}班"
                row.update(college=college, branch=branch, **{"class": class_name},
                           **_home(rng, rng.choice(homes)))
                rows.append(row)
            branch_no += 1
    _make_some_inactive(rng, rows)
    return rows


def _role(branch_no: int, position: int) -> str:
    if position == 0:
        return "coordinator"
    if position == 1 and branch_no in LEADER_BRANCHES:
        return "leader"
    return "volunteer"


def _person(demo: _Demo, person_id: str, grade: int, role: str, graduate: bool) -> Row:
    rng = demo.rng
    surname, surname_py = rng.choice(SURNAMES)
    given = [rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2, 2)))]
    weights = GRADUATE_STATUS_WEIGHTS if graduate else STATUS_WEIGHTS
    status = "party_member" if role != "volunteer" else _weighted(rng, weights)
    skills = rng.sample(SKILLS, rng.choice((0, 1, 1, 2, 2, 3)))
    joined = min(dt.date(grade, 9, rng.randint(1, 20)), demo.now.date())
    return {
        "person_id": person_id,
        "name": surname + "".join(ch for ch, _ in given),
        "gender": rng.choice(("男", "女")),
        "political_status": status,
        "phone": rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 99999999):08d}",
        "email": f"{surname_py}{''.join(py for _, py in given)}{person_id[-4:]}@stu.example.edu.cn",
        "skills": rng.choice(("、", ",")).join(skills),
        "role": role,
        "active": "true",
        "joined_on": _day(joined),
    }


def _home(rng: random.Random, building: str) -> Row:
    number = building.removeprefix("学生公寓").removesuffix("号楼")
    floor = rng.randint(1, FLOORS)
    return {"building": building, "floor": str(floor),
            "dorm": f"{number}-{floor}{rng.randint(1, ROOMS_PER_FLOOR):02d}"}


def _make_some_inactive(rng: random.Random, rows: list[Row]) -> None:
    volunteers = [row for row in rows if row["role"] == "volunteer"]
    for row in rng.sample(volunteers, 9):
        row["active"] = "false"


# ---------------------------------------------------------------------------- activities
def _activities(demo: _Demo) -> list[Row]:
    rng, today = demo.rng, demo.now.date()
    days = [-3 * (PAST_ACTIVITIES - i) for i in range(PAST_ACTIVITIES)]
    days += [1 + 2 * j for j in range(FUTURE_ACTIVITIES)]
    categories = [CATEGORIES[i % len(CATEGORIES)] for i in range(len(days))]
    rng.shuffle(categories)
    branches = [b for _, _, _, bs in COLLEGES for b in bs]
    seen: dict[str, int] = {}
    rows = []
    for n, offset in enumerate(days):
        kind = _activity_kind(n)
        category = "微党课" if kind == "feedback" else categories[n]
        title = rng.choice(ACTIVITY_TITLES[category])
        seen[title] = seen.get(title, 0) + 1
        hours = rng.choice(ACTIVITY_HOURS[category])
        start = _start_time(rng, today + dt.timedelta(days=offset), hours)
        row = {"activity_id": f"A{n + 1:04d}", "category": category, "branch": rng.choice(branches),
               "title": title if seen[title] == 1 else f"{title}（第{seen[title]}期）",
               "location": rng.choice(ACTIVITY_LOCATIONS[category]),
               "starts_at": _minute(start),
               "ends_at": _minute(start + dt.timedelta(hours=max(hours, 1))),
               "capacity": _capacity(rng, kind), "hours": _number(hours),
               "checkin_code": "".join(rng.choice(CHECKIN_ALPHABET) for _ in range(6)),
               "status": _activity_status(n, offset),
               "description": f"由{_organiser(category)}组织，完成签到后认定志愿服务时长{_number(hours)}小时。"}
        deadline = _signup_deadline(rng, start)
        row["signup_deadline"] = _minute(deadline)
        opened = min(start - dt.timedelta(days=14), demo.now - dt.timedelta(days=3))
        demo.activity_times[row["activity_id"]] = (opened, deadline, start)
        rows.append(row)
    return rows


def _organiser(category: str) -> str:
    return {"微党课": "支部宣传委员", "主题党日": "支部委员会", "维修服务": "党员维修小分队",
            "学业帮扶": "党员学业帮扶小组"}.get(category, "支部志愿服务队")


def _activity_kind(n: int) -> str:
    """What role activity number n plays in the demo."""
    past, future = n < PAST_ACTIVITIES, n - PAST_ACTIVITIES
    if past and n == PAST_FEEDBACK:
        return "feedback"
    if (past and n in PAST_WAITLISTED) or (not past and future in FUTURE_FULL):
        return "full"
    if not past and future >= 8:
        return "new"
    return "normal"


def _activity_status(n: int, offset: int) -> str:
    if n == PAST_CANCELLED or n == PAST_ACTIVITIES + FUTURE_CANCELLED:
        return "cancelled"
    if offset > 0 or n == PAST_NOT_YET_CLOSED:
        return "open"
    return "closed"


def _start_time(rng: random.Random, day: dt.date, hours: float) -> dt.datetime:
    choices = [t for t in START_TIMES if t[0] + max(hours, 1) <= 22]
    hour, minute = rng.choice(choices)
    return dt.datetime(day.year, day.month, day.day, hour, minute)


def _signup_deadline(rng: random.Random, start: dt.datetime) -> dt.datetime:
    """Two hours before, or the evening or noon of the day before."""
    eve = dt.datetime.combine(start.date() - dt.timedelta(days=1), dt.time(22, 0))
    return rng.choice((start - dt.timedelta(hours=2), eve, eve - dt.timedelta(hours=10)))


def _capacity(rng: random.Random, kind: str) -> str:
    if kind == "full":
        return str(rng.choice((8, 10, 12, 15)))
    if kind == "feedback":
        return ""
    return rng.choice(("", "", "15", "20", "20", "25", "30", "40", "50", "60"))


# ---------------------------------------------------------------------------- signups
def _signups(demo: _Demo) -> list[Row]:
    rows: list[dict] = []
    pool = demo.active_people()
    for n, activity in enumerate(demo.tables["activities"]):
        kind = _activity_kind(n)
        people = _pick_eager(demo.rng, pool, _signup_count(demo.rng, kind, activity["capacity"]))
        rows += _activity_signups(demo, activity, people, kind, promote=(n == PAST_PROMOTION))
    rows = _numbered(rows, "signup_id", "S", 5, order=lambda r: (r["at"], r["person_id"]))
    return [{k: (_second(v) if k == "at" else v) for k, v in row.items()} for row in rows]


def _signup_count(rng: random.Random, kind: str, capacity: str) -> int:
    if kind == "full":
        return int(capacity) + rng.randint(3, 5)
    if kind == "feedback":
        return rng.randint(56, 64)
    if kind == "new":
        return rng.randint(0, 6)
    if capacity == "":
        return rng.randint(15, 45)
    return max(3, round(int(capacity) * rng.uniform(0.6, 1.0)))


def _activity_signups(demo: _Demo, activity: Row, people: list[Row], kind: str,
                      promote: bool) -> list[dict]:
    """Sign-up rows (with datetime `at`) of one activity, plus a few cancellations."""
    rng = demo.rng
    opened, deadline, _ = demo.activity_times[activity["activity_id"]]
    until = min(deadline, demo.now) - dt.timedelta(minutes=5)
    late = opened + (until - opened) * 0.8
    rows = []
    for person in people:
        at = _awake(rng, opened, late)
        rows.append(_signup_row(demo, activity, person, "signup", at))
    if promote or kind == "full":
        roster = _rosters(demo, _as_text(rows))[activity["activity_id"]]
        confirmed, waitlisted = roster.confirmed, roster.waitlisted
        if promote:  # a confirmed person drops out after the waitlist formed: #1 moves up
            rows.append(_signup_row(demo, activity, demo.person(confirmed[0]), "cancel",
                                    _awake(rng, late, until)))
        elif rng.random() < 0.5:  # someone on the waitlist gives up
            rows.append(_signup_row(demo, activity, demo.person(waitlisted[-1]), "cancel",
                                    _awake(rng, late, until)))
        return rows
    for signup in list(rows):
        if rng.random() < 0.08:
            person = demo.person(signup["person_id"])
            rows.append(_signup_row(demo, activity, person, "cancel",
                                    _awake(rng, signup["at"], until)))
    return rows


def _signup_row(demo: _Demo, activity: Row, person: Row, action: str, at: dt.datetime) -> dict:
    by = person["person_id"]
    if action == "signup" and person["role"] == "volunteer" and demo.rng.random() < 0.12:
        by = demo.coordinator_of(person["branch"])  # signed up by the coordinator
    return {"activity_id": activity["activity_id"], "person_id": person["person_id"],
            "action": action, "at": at.replace(microsecond=0), "by": by, "signup_id": ""}


def _as_text(rows: list[dict]) -> list[Row]:
    return [{**row, "at": _second(row["at"]), "signup_id": row["signup_id"] or str(i)}
            for i, row in enumerate(rows)]


# ---------------------------------------------------------------------------- checkins
def _checkins(demo: _Demo) -> list[Row]:
    rows: list[dict] = []
    rosters = _rosters(demo, demo.tables["signups"])
    for activity in demo.tables["activities"]:
        start = dt.datetime.strptime(activity["starts_at"], MINUTE_FMT)
        end = dt.datetime.strptime(activity["ends_at"], MINUTE_FMT)
        if end > demo.now or activity["status"] == "cancelled":
            continue
        roster = rosters[activity["activity_id"]]
        rows += _activity_checkins(demo, activity, start, end, roster.confirmed, roster.waitlisted)
    rows = _numbered(rows, "checkin_id", "C", 5, order=lambda r: (r["at"], r["person_id"]))
    return [{**row, "at": _second(row["at"])} for row in rows]


def _activity_checkins(demo: _Demo, activity: Row, start: dt.datetime, end: dt.datetime,
                       confirmed: list[str], waitlisted: list[str]) -> list[dict]:
    rng, coordinator = demo.rng, demo.coordinator_of(activity["branch"])
    rows = []

    def add(person_id: str, at: dt.datetime, method: str) -> None:
        rows.append({"activity_id": activity["activity_id"], "person_id": person_id,
                     "at": at, "method": method,
                     "by": coordinator if method == "coordinator" else person_id})

    window = start - dt.timedelta(hours=1)
    for person_id in confirmed:
        luck = rng.random()
        if luck < 0.86:
            at = _between(rng, window, min(start + dt.timedelta(minutes=20), end))
            add(person_id, at, "code")
            if rng.random() < 0.02:  # scanned twice; counts once
                add(person_id, at + dt.timedelta(minutes=rng.randint(1, 9)), "code")
        elif luck < 0.92:  # forgot the phone: the coordinator checks them in afterwards
            add(person_id, _between(rng, start, end + dt.timedelta(hours=3)), "coordinator")
    if waitlisted:  # the first waitlisted person came anyway and was let in
        add(waitlisted[0], _between(rng, start, end), "coordinator")
    return rows


# ---------------------------------------------------------------------------- hours
def _hours(demo: _Demo) -> list[Row]:
    rng = demo.rng
    members = [p for p in demo.active_people() if p["role"] == "volunteer"]
    statuses = [s for s, count in HOURS_STATUS_COUNTS.items() for _ in range(count)]
    rows = []
    for n, status in enumerate(statuses):
        person = _pick_eager(rng, members, 1)[0]
        if n < HOURS_IMPORTS:
            row = _imported_hours(demo, person)
        elif n < HOURS_IMPORTS + HOURS_ADJUSTMENTS:
            row = _adjustment(demo, person, positive=n % 2 == 0)
        else:
            row = _self_report(demo, person, status)
        rows.append(row)
    rows = _numbered(rows, "entry_id", "H", 4, order=lambda r: (r["date"], r["person_id"]))
    return rows


def _review(demo: _Demo, row: dict, person: Row, day: dt.date, note: str) -> dict:
    """Fill the review cells: reviewed by the person's branch coordinator a few days later."""
    at = dt.datetime.combine(day + dt.timedelta(days=demo.rng.randint(1, 5)),
                             dt.time(demo.rng.randint(9, 21), demo.rng.randint(0, 59)))
    row.update(reviewed_by=demo.coordinator_of(person["branch"]),
               reviewed_at=_minute(min(at, demo.now)), review_note=note)
    return row


def _self_report(demo: _Demo, person: Row, status: str) -> dict:
    rng, today = demo.rng, demo.now.date()
    ago = rng.randint(0, 12) if status == "pending" else rng.randint(8, 105)
    day = today - dt.timedelta(days=ago)
    row = {"person_id": person["person_id"], "date": _day(day),
           "hours": _number(rng.choice((1, 1.5, 2, 2, 2.5, 3, 3, 4, 4, 5, 6, 8))),
           "source": "self_report", "description": rng.choice(SERVICE_DESCRIPTIONS),
           "evidence": _evidence(rng), "status": status}
    if status == "approved":
        return _review(demo, row, person, day, rng.choice(APPROVE_NOTES))
    if status == "rejected":
        note = rng.choice(REJECT_NOTES)
        attended = _attended(demo, person["person_id"], before=day)
        if note == REJECT_NOTES[1] and not attended:
            note = REJECT_NOTES[0]
        elif note == REJECT_NOTES[1]:  # claimed an activity whose check-in already counts
            row.update(activity_id=attended[-1]["activity_id"], description=attended[-1]["title"],
                       date=attended[-1]["starts_at"][:10])
            day = dt.date.fromisoformat(row["date"])
        return _review(demo, row, person, day, note)
    return row


def _attended(demo: _Demo, person_id: str, before: dt.date) -> list[Row]:
    """Activities (in time order) the person checked in to, that started by `before`."""
    ids = {c["activity_id"] for c in demo.tables["checkins"] if c["person_id"] == person_id}
    return [a for a in demo.tables["activities"]
            if a["activity_id"] in ids and a["starts_at"][:10] <= _day(before)]


def _evidence(rng: random.Random) -> str:
    kind = rng.choice(EVIDENCE)
    return kind + f"{rng.getrandbits(32):08x}" if kind.startswith("https") else kind


def _imported_hours(demo: _Demo, person: Row) -> dict:
    day = _term(demo.now)[0] + dt.timedelta(days=demo.rng.randint(3, 20))
    row = {"person_id": person["person_id"], "date": _day(min(day, demo.now.date())),
           "hours": _number(demo.rng.choice((8, 10, 12, 16))), "source": "import",
           "description": "寒暑假“三下乡”社会实践（学院团委统一导入）",
           "evidence": "学院团委社会实践汇总表", "status": "approved"}
    return _review(demo, row, person, min(day, demo.now.date()), "按学院汇总表导入")


def _adjustment(demo: _Demo, person: Row, positive: bool) -> dict:
    day = demo.now.date() - dt.timedelta(days=demo.rng.randint(5, 40))
    hours, text = ((1.5, "补录：活动当天签到系统故障，按签到表补记") if positive
                   else (-1, "冲减：同一服务重复申报，核减重复部分"))
    row = {"person_id": person["person_id"], "date": _day(day), "hours": _number(hours),
           "source": "adjustment", "description": text, "evidence": "协调员核实记录",
           "status": "approved"}
    return _review(demo, row, person, day, "协调员调整")


# ---------------------------------------------------------------------------- requests
def _requests(demo: _Demo) -> list[Row]:
    rng = demo.rng
    plan = [status for status, count in REQUEST_STATUS_COUNTS.items() for _ in range(count)]
    rng.shuffle(plan)
    occurrence: dict[str, int] = {}
    anonymous_left = ANONYMOUS_REQUESTS
    rows, events = [], []
    for i, status in enumerate(plan):
        nth = occurrence[status] = occurrence.get(status, -1) + 1
        kind = "wish" if i % 3 == 0 else "request"
        category = WISH_CATEGORIES[(i // 3) % 4] if kind == "wish" else REQUEST_CATEGORIES[i % 7]
        anonymous = (anonymous_left > 0 and kind == "request" and category in ("心理", "生活", "其他")
                     and status in ("submitted", "accepted", "assigned", "resolved", "rejected"))
        anonymous_left -= anonymous
        timeline = _timeline(demo, status, DEADLINE_DAYS[category], _variant(status, nth))
        row, row_events = _request_row(demo, kind, category, status, timeline, anonymous)
        rows.append(row)
        events += row_events
    rows = _numbered(rows, "request_id", "R", 4, order=lambda r: (r["submitted_at"], r["title"]))
    events = _numbered(events, "event_id", "E", 5,
                       order=lambda e: (e["at"], e["request"]["request_id"], e["step"]))
    demo.tables["_events"] = [_event_row(e) for e in events]
    return rows


def _variant(status: str, nth: int) -> str:
    """Shape of a request's history: overdue, late, reopened once, closed without rating…"""
    if status == "submitted" and nth == 0 or status in ("accepted", "assigned") and nth < 2:
        return "overdue"
    if status == "closed" and nth in (3, 4):
        return "cycle"
    if status == "closed" and nth in (6, 13, 20):
        return "auto"
    if status in ("resolved", "closed", "reopened") and nth % 5 == 2:
        return "late"
    return ""


def _timeline(demo: _Demo, status: str, days: int, variant: str) -> dict:
    """Moments, rating and transition events of one request (datetimes, not yet text)."""
    rng, now = demo.rng, demo.now
    deadline = dt.timedelta(days=days)
    if status == "rejected":
        start = now - dt.timedelta(days=rng.uniform(2, 80))
        note = rng.choice(REQUEST_REJECT_NOTES)
        return {"submitted": start, "resolution": note,
                "events": [(start, "submit", "submitted", "requester", ""),
                           (start + dt.timedelta(hours=rng.uniform(2, 36)), "reject", "rejected",
                            "coordinator", note)]}
    if status in ("submitted", "accepted", "assigned"):
        return _open_timeline(rng, now, status, deadline, variant == "overdue")
    return _handled_timeline(rng, now, status, deadline, variant)


def _open_timeline(rng: random.Random, now: dt.datetime, status: str, deadline: dt.timedelta,
                   overdue: bool) -> dict:
    start = (now - deadline - dt.timedelta(hours=rng.uniform(4, 48)) if overdue
             else now - deadline * rng.uniform(0.05, 0.8))
    t = {"submitted": start, "events": [(start, "submit", "submitted", "requester", "")]}
    if status == "submitted":
        return t
    t["accepted"] = start + (now - start) * rng.uniform(0.05, 0.3)
    direct = status == "assigned" and rng.random() < 0.3
    if not direct:
        t["events"].append((t["accepted"], "accept", "accepted", "coordinator", "已受理，正在安排承办人"))
    if status == "assigned":
        at = t["accepted"] if direct else t["accepted"] + (now - t["accepted"]) * rng.uniform(0.05, 0.5)
        t["events"].append((at, "assign", "assigned", "coordinator", "已派单，请尽快联系提出人"))
    return t


def _handled_timeline(rng: random.Random, now: dt.datetime, status: str, deadline: dt.timedelta,
                      variant: str) -> dict:
    """Resolved, closed or reopened: built forward from `now`, then shifted into the past."""
    start = now
    handle = deadline * (rng.uniform(1.1, 1.8) if variant == "late" else rng.uniform(0.15, 0.9))
    accepted = start + handle * rng.uniform(0.03, 0.15)
    assigned = accepted + handle * rng.uniform(0.05, 0.3)
    resolved = start + handle
    events = [(start, "submit", "submitted", "requester", ""),
              (accepted, "accept", "accepted", "coordinator", "已受理"),
              (assigned, "assign", "assigned", "coordinator", "已派单"),
              (resolved, "resolve", "resolved", "assignee", "已办结，等待评价")]
    t = {"submitted": start, "accepted": accepted, "resolved": resolved, "events": events}
    if status == "reopened" or variant == "cycle":
        t["rated"] = resolved + dt.timedelta(days=rng.uniform(0.3, 2.5))
        t["rating"] = 2 if variant == "cycle" else rng.choice((1, 2))
        events.append((t["rated"], "reopen", "reopened", "requester", "评价不满意，问题未解决"))
    if variant == "cycle":
        again = t["rated"] + dt.timedelta(hours=rng.uniform(1, 12))
        t["resolved"] = again + dt.timedelta(days=rng.uniform(0.5, 2))
        events += [(again, "assign", "assigned", "coordinator", "重新派单"),
                   (t["resolved"], "resolve", "resolved", "assignee", "已再次办结")]
    if status == "closed":
        _close(rng, t, variant)
    end = {"resolved": now - dt.timedelta(days=rng.uniform(0.1, 6.5)),
           "reopened": now - dt.timedelta(days=rng.uniform(0.2, 3)),
           "closed": now - dt.timedelta(days=rng.uniform(1, 80))}[status]
    return _shifted(t, end - events[-1][0])


def _close(rng: random.Random, t: dict, variant: str) -> None:
    if variant == "auto":
        at = t["resolved"] + dt.timedelta(days=RATING_WINDOW_DAYS, hours=rng.uniform(0, 6))
        t["events"].append((at, "close", "closed", "system", "评价期满，自动回访办结"))
        return
    t["rated"] = t["resolved"] + dt.timedelta(days=rng.uniform(0.2, 4))
    t["rating"] = _weighted(rng, {5: 55, 4: 35, 3: 10} if variant != "cycle" else {5: 6, 4: 4})
    t["events"].append((t["rated"], "close", "closed", "requester", f"评价{t['rating']}分，已回访"))


def _shifted(t: dict, delta: dt.timedelta) -> dict:
    moved = {k: (v + delta if isinstance(v, dt.datetime) else v) for k, v in t.items()}
    moved["events"] = [(at + delta, *rest) for at, *rest in t["events"]]
    return moved


def _request_row(demo: _Demo, kind: str, category: str, status: str, t: dict,
                 anonymous: bool) -> tuple[dict, list[dict]]:
    rng = demo.rng
    requester = None if anonymous else rng.choice(demo.active_people())
    title, details = rng.choice((WISH_TEXTS if kind == "wish" else REQUEST_TEXTS)[category])
    assignee = ""
    if status in ("assigned", "resolved", "closed", "reopened"):
        assignee = _assignee(demo, category, requester)
    due = t["submitted"] + dt.timedelta(days=DEADLINE_DAYS[category])
    row = {"kind": kind, "category": category, "title": title, "details": details,
           "requester_id": requester["person_id"] if requester else "",
           "contact": _contact(rng, requester),
           "building": requester["building"] if requester else rng.choice(BUILDINGS),
           "submitted_at": _minute(t["submitted"]), "status": status, "assignee_id": assignee,
           "accepted_at": _minute(t["accepted"]) if "accepted" in t else "", "due_at": _minute(due),
           "resolved_at": _minute(t["resolved"]) if "resolved" in t else "",
           "resolution": t.get("resolution") or _resolution(kind, category, t),
           "rating": str(t.get("rating", "")), "rated_at": _minute(t["rated"]) if "rated" in t else "",
           "feedback": rng.choice(RATING_FEEDBACK[t["rating"]]) if "rating" in t else ""}
    actors = {"requester": row["requester_id"], "assignee": assignee, "system": "system",
              "coordinator": demo.coordinator_of((requester or rng.choice(demo.people))["branch"])}
    previous = [""] + [to_status for _, _, to_status, _, _ in t["events"]]
    events = [{"request": row, "step": step, "at": _minute(at), "actor": actors[role],
               "action": action, "from_status": previous[step], "to_status": to_status,
               "note": note}
              for step, (at, action, to_status, role, note) in enumerate(t["events"])]
    return row, events


def _resolution(kind: str, category: str, t: dict) -> str:
    if "resolved" not in t:
        return ""
    return WISH_RESOLUTION if kind == "wish" else RESOLUTIONS[category]


def _contact(rng: random.Random, requester: Row | None) -> str:
    if requester is None:
        return rng.choice(("", "QQ 2" + f"{rng.randint(10000000, 99999999)}"))
    return requester["phone"] if rng.random() < 0.4 else ""


def _assignee(demo: _Demo, category: str, requester: Row | None) -> str:
    """A member (Party member or activist) whose skills match; same branch preferred."""
    wanted = CATEGORY_SKILLS[category]
    members = [p for p in demo.active_people()
               if p["political_status"] in (*PARTY, "activist") and p is not requester
               and any(skill in p["skills"] for skill in wanted)]
    near = [p for p in members if requester and p["branch"] == requester["branch"]]
    return demo.rng.choice(near or members)["person_id"]


def _event_row(event: dict) -> Row:
    request = event["request"]
    return {"event_id": event["event_id"], "request_id": request["request_id"], "at": event["at"],
            "actor": event["actor"], "action": event["action"],
            "from_status": event["from_status"], "to_status": event["to_status"],
            "note": event["note"]}


# ---------------------------------------------------------------------------- surveys
def _surveys(demo: _Demo) -> list[Row]:
    activity = demo.tables["activities"][PAST_FEEDBACK]
    ends = dt.datetime.strptime(activity["ends_at"], MINUTE_FMT)
    opens = (demo.now - dt.timedelta(days=10)).replace(hour=8, minute=0, second=0)
    closes = (demo.now + dt.timedelta(days=10)).replace(hour=22, minute=0, second=0)
    return [
        {"survey_id": NEEDS_SURVEY, "title": "本学期志愿服务与学生需求调研", "kind": "needs",
         "activity_id": "", "opens_at": _minute(opens), "closes_at": _minute(closes),
         "anonymous": "false", "status": "open"},
        {"survey_id": FEEDBACK_SURVEY, "title": f"“{activity['title']}”效果反馈", "kind": "feedback",
         "activity_id": activity["activity_id"], "opens_at": _minute(ends),
         "closes_at": _minute(ends + dt.timedelta(days=7)), "anonymous": "false",
         "status": "closed"},
    ]


def _questions(demo: _Demo) -> list[Row]:
    return [{"survey_id": survey_id, "question_id": qid, "text": text, "type": qtype,
             "options": options, "required": "true" if required else "false"}
            for survey_id, questions in ((NEEDS_SURVEY, NEEDS_QUESTIONS),
                                         (FEEDBACK_SURVEY, FEEDBACK_QUESTIONS))
            for qid, text, qtype, options, required in questions]


def _responses(demo: _Demo) -> list[Row]:
    rng = demo.rng
    needs, feedback = demo.tables["surveys"]
    window = {s["survey_id"]: (dt.datetime.strptime(s["opens_at"], MINUTE_FMT),
                               min(dt.datetime.strptime(s["closes_at"], MINUTE_FMT),
                                   demo.now - dt.timedelta(minutes=5)))
              for s in (needs, feedback)}
    attendees = sorted({c["person_id"] for c in demo.tables["checkins"]
                        if c["activity_id"] == feedback["activity_id"]})
    who = {NEEDS_SURVEY: [p["person_id"] for p in rng.sample(demo.active_people(), NEEDS_RESPONDENTS)],
           FEEDBACK_SURVEY: rng.sample(attendees, max(min(40, len(attendees)),
                                                      len(attendees) - rng.randint(3, 8)))}
    submissions = [(_awake(rng, *window[sid]), sid, pid) for sid, pids in who.items() for pid in pids]
    first_at, _, resubmitter = min(s for s in submissions if s[1] == NEEDS_SURVEY)
    submissions.append((_awake(rng, first_at, window[NEEDS_SURVEY][1]), NEEDS_SURVEY, resubmitter))
    submissions.sort()
    questions = {NEEDS_SURVEY: NEEDS_QUESTIONS, FEEDBACK_SURVEY: FEEDBACK_QUESTIONS}
    rows = []
    for n, (at, survey_id, person_id) in enumerate(submissions, start=1):
        for qid, _, qtype, options, required in questions[survey_id]:
            answer = _answer(rng, qtype, options, required)
            if answer:
                rows.append({"response_id": f"RS{n:05d}", "survey_id": survey_id, "question_id": qid,
                             "respondent_id": person_id, "answer": answer,
                             "submitted_at": _second(at)})
    return rows


def _answer(rng: random.Random, qtype: str, options: str, required: bool) -> str:
    if not required and rng.random() < 0.6:
        return ""
    choices = options.split("|")
    if qtype == "rating":
        return _weighted(rng, RATING_WEIGHTS)
    if qtype == "choice":
        return rng.choices(choices, weights=range(len(choices) + 1, 1, -1))[0]
    if qtype == "multi":
        picked = set(rng.sample(choices, rng.randint(1, 3)))
        return "|".join(c for c in choices if c in picked)
    return rng.choice(TEXT_ANSWERS)


# ---------------------------------------------------------------------------- actions
ACTIONS = (
    # (source, finding, action, status, due in days from now, result)
    (NEEDS_SURVEY, "需求调研显示就业指导需求最集中，约六成受访同学选择",
     "每月举办一次“学长学姐说”就业分享会，党员结对开展简历门诊", "done", -20,
     "已举办3场，参与86人次，简历门诊服务41人"),
    ("维修", "宿舍维修类诉求集中在少数楼栋，部分诉求办结超时",
     "组建党员维修小分队，楼层党小组每周巡查一次", "done", -35, "维修类诉求按时办结率由72%提升至93%"),
    (FEEDBACK_SURVEY, "微党课反馈中互动环节得分偏低", "增加案例讨论和情景模拟环节，每次预留20分钟互动",
     "done", -8, "后续两期微党课满意度均值提升至4.6分"),
    ("心理", "心理类诉求时效要求高，个别诉求首次响应超过24小时", "与学校心理中心建立转介机制，诉求提交后12小时内首次联系",
     "doing", 14, ""),
    ("学业", "高数、C语言课程挂科预警学生帮扶需求大", "开展党员学业帮扶“一对一”结对，每周固定答疑", "doing", 30, ""),
    (NEEDS_SURVEY, "部分同学反映活动多安排在工作日白天，难以参加", "周末及晚间增开活动场次，提前一周发布活动预告",
     "planned", 21, ""),
    ("资助", "资助政策知晓率不高，咨询类诉求较多", "编制资助政策“一图读懂”，在各楼栋宣传栏张贴并线上推送",
     "planned", 40, ""),
)


def _actions(demo: _Demo) -> list[Row]:
    rng, today = demo.rng, demo.now.date()
    coordinators = [p["person_id"] for p in demo.people if p["role"] == "coordinator"]
    rows = []
    for n, (source, finding, action, status, due_in, result) in enumerate(ACTIONS, start=1):
        due = today + dt.timedelta(days=due_in)
        done = due - dt.timedelta(days=rng.randint(0, 5)) if status == "done" else None
        rows.append({"action_id": f"ACT{n:03d}", "source": source, "finding": finding,
                     "action": action, "owner": coordinators[(n - 1) % len(coordinators)],
                     "due_on": _day(due), "status": status,
                     "done_on": _day(done) if done else "", "result": result})
    return rows
