"""The words of each notification in Chinese and English: a subject and a body per kind.

They are part of the app's one catalog (ui/i18n.py merges them in, so the catalog's tests check
them), but live here because the scheduler renders them outside any page (cli.py notify).
"""
from __future__ import annotations

from collections import defaultdict

NOTIFICATION_TEXTS: dict[str, dict[str, str]] = {
    "notify.waitlist_promoted.subject": {"zh": "您已获得名额：{title}", "en": "You got a place: {title}"},
    "notify.waitlist_promoted.body": {
        "zh": "有人取消了报名，您已从候补转为正式参加「{title}」。\n时间：{starts_at} – {ends_at}\n地点：{location}\n如不能参加，请在系统中取消报名，把名额让给下一位。",
        "en": "Someone cancelled, so you moved from the waitlist to a confirmed place in \"{title}\".\nWhen: {starts_at} – {ends_at}\nWhere: {location}\nIf you cannot come, please cancel in the app so the next person gets the place."},
    "notify.reminder_24h.subject": {"zh": "明天的活动：{title}", "en": "Tomorrow: {title}"},
    "notify.reminder_24h.body": {
        "zh": "提醒：您报名的「{title}」将于 {starts_at} 开始，地点：{location}。不能参加请及时取消报名。",
        "en": "Reminder: \"{title}\", which you signed up for, starts at {starts_at} at {location}. If you cannot come, please cancel."},
    "notify.reminder_2h.subject": {"zh": "即将开始：{title}", "en": "Starting soon: {title}"},
    "notify.reminder_2h.body": {
        "zh": "「{title}」将于 {starts_at} 开始，地点：{location}。请提前到场，现场输入签到码签到。",
        "en": "\"{title}\" starts at {starts_at} at {location}. Please arrive a little early and check in with the code shown there."},
    "notify.activity_changed.subject": {"zh": "活动有变动：{title}", "en": "Activity changed: {title}"},
    "notify.activity_changed.body": {
        "zh": "您报名的「{title}」有变动（{changed}）。现在的安排：{starts_at} – {ends_at}，地点：{location}。",
        "en": "\"{title}\", which you signed up for, has changed ({changed}). Now: {starts_at} – {ends_at} at {location}."},
    "notify.activity_cancelled.subject": {"zh": "活动已取消：{title}", "en": "Activity cancelled: {title}"},
    "notify.activity_cancelled.body": {
        "zh": "很抱歉，您报名的「{title}」（原定 {starts_at}）已取消。",
        "en": "We are sorry: \"{title}\" (planned for {starts_at}), which you signed up for, has been cancelled."},
    "notify.request_accepted.subject": {"zh": "诉求已受理：{title}", "en": "Request accepted: {title}"},
    "notify.request_accepted.body": {
        "zh": "您提交的诉求「{title}」（{request_id}）已受理，我们会尽快安排办理。",
        "en": "Your request \"{title}\" ({request_id}) has been accepted and will be handled soon."},
    "notify.request_rejected.subject": {"zh": "诉求未予受理：{title}", "en": "Request not taken up: {title}"},
    "notify.request_rejected.body": {
        "zh": "您提交的诉求「{title}」（{request_id}）未予受理，原因：{reason}\n如有疑问，可联系本支部协调员。",
        "en": "Your request \"{title}\" ({request_id}) was not taken up. The reason: {reason}\nAsk your branch coordinator if anything is unclear."},
    "notify.request_assigned.subject": {"zh": "诉求已派单：{title}", "en": "Request assigned: {title}"},
    "notify.request_assigned.body": {
        "zh": "您提交的诉求「{title}」（{request_id}）已有承办人负责办理。",
        "en": "Someone is now handling your request \"{title}\" ({request_id})."},
    "notify.request_resolved.subject": {"zh": "诉求已办结，请评价：{title}", "en": "Request resolved — please rate: {title}"},
    "notify.request_resolved.body": {
        "zh": "您提交的诉求「{title}」（{request_id}）已办结：{resolution}\n请在“我的诉求”中评价办理结果；如问题未解决，可以在评价时说明。",
        "en": "Your request \"{title}\" ({request_id}) has been resolved: {resolution}\nPlease rate how it was handled under My requests; say so there if it is not fixed."},
    "notify.request_reopened.subject": {"zh": "诉求已重启：{title}", "en": "Request reopened: {title}"},
    "notify.request_reopened.body": {
        "zh": "您的诉求「{title}」（{request_id}）已重新办理，我们会再次派单。",
        "en": "Your request \"{title}\" ({request_id}) has been reopened and will be assigned again."},
    "notify.assigned_to_you.subject": {"zh": "新的派单：{title}", "en": "Assigned to you: {title}"},
    "notify.assigned_to_you.body": {
        "zh": "诉求「{title}」（{request_id}，{category}）已派给您办理，办理时限：{due_at}。请在“诉求办理”中查看详情。",
        "en": "The request \"{title}\" ({request_id}, {category}) is assigned to you; due by {due_at}. See the request board for details."},
    "notify.reopened_for_assignee.subject": {"zh": "诉求被重启：{title}", "en": "Request reopened: {title}"},
    "notify.reopened_for_assignee.body": {
        "zh": "您承办的诉求「{title}」（{request_id}）经提出人评价后重启（{note}），将重新派单，请留意。",
        "en": "The request \"{title}\" ({request_id}) you handled was reopened after the requester's rating ({note}); it will be assigned again."},
    "notify.hours_approved.subject": {"zh": "时长已通过审核", "en": "Hours approved"},
    "notify.hours_approved.body": {
        "zh": "您申报的 {date} {hours} 小时（{description}）已通过审核。{note}",
        "en": "Your {hours} hours on {date} ({description}) have been approved. {note}"},
    "notify.hours_rejected.subject": {"zh": "时长未通过审核", "en": "Hours not approved"},
    "notify.hours_rejected.body": {
        "zh": "您申报的 {date} {hours} 小时（{description}）未通过审核。审核意见：{note}",
        "en": "Your {hours} hours on {date} ({description}) were not approved. The reviewer's note: {note}"},
    "notify.survey_opened.subject": {"zh": "请填写问卷：{title}", "en": "A survey for you: {title}"},
    "notify.survey_opened.body": {
        "zh": "问卷「{title}」已开放，欢迎在“问卷”页填写（截止：{closes_at}）。",
        "en": "The survey \"{title}\" is open; please answer it on the Surveys page (closes: {closes_at})."},
    "notify.requests_overdue.subject": {"zh": "{branch}：{count} 件诉求已超期", "en": "{branch}: {count} requests overdue"},
    "notify.requests_overdue.body": {
        "zh": "以下诉求已超过办理时限，请尽快跟进：{requests}",
        "en": "These requests are past their deadline; please follow them up: {requests}"},
    "notify.coordinator_digest.subject": {"zh": "{branch} 今日待办", "en": "{branch}: today's work"},
    "notify.coordinator_digest.body": {
        "zh": "待审核时长 {hours} 条；待受理或重启的诉求 {waiting} 件；超期诉求 {overdue} 件；明天开始的活动 {tomorrow} 个：{activities}",
        "en": "Hours to review: {hours}; requests waiting: {waiting}; overdue requests: {overdue}; activities starting tomorrow: {tomorrow}: {activities}"},
    "notify.branch_digest.subject": {"zh": "{branch} 每日简报", "en": "{branch}: daily digest"},
    "notify.branch_digest.body": {
        "zh": "待审核时长 {hours} 条；待受理或重启的诉求 {waiting} 件；超期诉求 {overdue} 件；明天开始的活动 {tomorrow} 个：{activities}",
        "en": "Hours to review: {hours}; requests waiting: {waiting}; overdue requests: {overdue}; activities starting tomorrow: {tomorrow}: {activities}"},
    "notify.footer": {"zh": "——\n此消息由志愿服务与社区治理工作台自动发送。可在“我的记录”中关闭此类提醒。",
                      "en": "--\nSent by the volunteer-service workbench. You can turn this kind of message off under My record."},
}


def footer(language: str) -> str:
    return NOTIFICATION_TEXTS["notify.footer"][language if language in ("zh", "en") else "zh"]


def render(kind: str, params: dict, language: str) -> tuple[str, str]:
    """(subject, body) of a notification in `language` ("zh" or "en"); a missing param reads as empty."""
    language = language if language in ("zh", "en") else "zh"
    values = defaultdict(str, params)
    subject = NOTIFICATION_TEXTS[f"notify.{kind}.subject"][language].format_map(values)
    body = NOTIFICATION_TEXTS[f"notify.{kind}.body"][language].format_map(values)
    return subject, body.strip()
