"""The alternative a data-savvy coordinator would reach for: DuckDB over the workbook exported as CSV.

    python -m benchmarks.duckdb_report FOLDER      (FOLDER from `cli.py export FOLDER`)

Computes the headline indicators of kpis.md with SQL over the CSV files (headers as `init` writes them,
in Chinese): registered volunteers, Party share, rosters by the order rule (the latest action per
person, confirmed by place in the order they became active), attendance, credited hours, request
response, resolution and satisfaction, per branch. It skips what the app also does (overlap and
deadline checks, every problem reported with its cell, parsing of hand-typed forms), so it is a
lower bound for the same answers, not the same program.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

AS_OF = "2026-11-20 10:00"


def report(folder: Path) -> dict:
    db = duckdb.connect()
    for table, name in (("people", "成员"), ("activities", "活动"), ("signups", "报名"), ("checkins", "签到"),
                        ("hours", "时长"), ("requests", "诉求与微心愿")):
        path = folder / f"{table}.csv"
        if not path.exists():
            path = folder / f"{name}.csv"
        db.execute(f"CREATE VIEW {table} AS SELECT * FROM read_csv('{path}', all_varchar=true, header=true)")
    figures = {}
    figures.update(dict(zip(["volunteers_registered", "party_share", "league_share"], db.execute("""
        SELECT count(*), round(avg(CASE WHEN 政治面貌 IN ('party_member', 'probationary_member') THEN 1 ELSE 0 END), 4),
               round(avg(CASE WHEN 政治面貌 = 'league_member' THEN 1 ELSE 0 END), 4)
        FROM people WHERE coalesce(在册, 'true') <> 'false'""").fetchone())))
    db.execute(f"""
        CREATE TEMP TABLE confirmed AS
        WITH log AS (
            SELECT 活动编号 AS activity_id, "学号/工号" AS person_id, 操作 AS action, CAST(时间 AS TIMESTAMP) AS moment, 记录编号 AS id
            FROM signups),
        last_cancel AS (SELECT activity_id, person_id, max(moment) AS moment FROM log WHERE action = 'cancel' GROUP BY ALL),
        active AS (
            SELECT l.activity_id, l.person_id, min(l.moment) AS since
            FROM log l LEFT JOIN last_cancel c USING (activity_id, person_id)
            WHERE l.action = 'signup' AND (c.moment IS NULL OR l.moment > c.moment) GROUP BY ALL),
        placed AS (
            SELECT a.*, row_number() OVER (PARTITION BY activity_id ORDER BY since) AS place FROM active a)
        SELECT p.activity_id, p.person_id FROM placed p JOIN activities a ON a.活动编号 = p.activity_id
        WHERE a.名额 IS NULL OR p.place <= CAST(a.名额 AS INTEGER)""")
    db.execute(f"""
        CREATE TEMP TABLE attended AS
        SELECT DISTINCT c.活动编号 AS activity_id, c."学号/工号" AS person_id
        FROM checkins c LEFT JOIN confirmed f ON f.activity_id = c.活动编号 AND f.person_id = c."学号/工号"
        WHERE c.方式 = 'coordinator' OR f.person_id IS NOT NULL""")
    db.execute(f"""
        CREATE TEMP TABLE credited AS
        SELECT t.person_id, CAST(a.时长 AS DOUBLE) AS hours FROM attended t JOIN activities a ON a.活动编号 = t.activity_id
        WHERE a.状态 <> 'cancelled' AND CAST(a.结束时间 AS TIMESTAMP) <= TIMESTAMP '{AS_OF}'
        UNION ALL
        SELECT "学号/工号", CAST(时长 AS DOUBLE) FROM hours
        WHERE 状态 = 'approved' AND CAST(日期 AS DATE) <= DATE '{AS_OF[:10]}'""")
    figures["hours_total"], figures["volunteers_serving"] = db.execute(
        "SELECT round(sum(hours), 2), count(DISTINCT person_id) FROM credited").fetchone()
    figures["signups_confirmed"] = db.execute(f"""
        SELECT count(*) FROM confirmed f JOIN activities a ON a.活动编号 = f.activity_id
        WHERE a.状态 <> 'cancelled' AND CAST(a.结束时间 AS TIMESTAMP) <= TIMESTAMP '{AS_OF}'""").fetchone()[0]
    figures.update(dict(zip(["requests_received", "response_rate", "resolution_rate", "satisfaction_avg"], db.execute("""
        SELECT count(*), round(avg(CASE WHEN 状态 <> 'submitted' THEN 1 ELSE 0 END), 4),
               round(sum(CASE WHEN 状态 IN ('resolved', 'closed') THEN 1 ELSE 0 END)
                     / nullif(sum(CASE WHEN 状态 <> 'rejected' THEN 1 ELSE 0 END), 0), 4),
               round(avg(CAST(nullif(满意度, '') AS DOUBLE)), 2)
        FROM requests""").fetchone())))
    figures["by_branch"] = {branch: {"volunteers": n, "hours_total": hours} for branch, n, hours in db.execute("""
        SELECT p.所在支部, count(DISTINCT p."学号/工号"), round(coalesce(sum(c.hours), 0), 2)
        FROM people p LEFT JOIN (SELECT person_id, sum(hours) AS hours FROM credited GROUP BY ALL) c
             ON c.person_id = p."学号/工号"
        WHERE coalesce(p.在册, 'true') <> 'false' GROUP BY ALL ORDER BY 1""").fetchall()}
    return figures


if __name__ == "__main__":
    print(json.dumps(report(Path(sys.argv[1])), ensure_ascii=False, indent=2, default=str))
