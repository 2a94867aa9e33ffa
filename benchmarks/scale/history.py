"""Years of history at a plan's volume, in set-based SQL: the roster loads' audit events (one per changed member
and load, with the fields before and after) and the PHI read log (staff opening records, lists and searches)."""

from __future__ import annotations

from django.db import connection

_NUMBERED = "scale_numbered_member"


def _numbered_members() -> int:
    """A temporary numbering of the members, so a random number picks a member by a hash join."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_NUMBERED}")
        cursor.execute(
            f"CREATE UNLOGGED TABLE {_NUMBERED} AS SELECT row_number() OVER (ORDER BY cin) AS n, id, plan_id, "
            "address_line, phone, city FROM members_member"
        )
        cursor.execute(f"SELECT count(*) FROM {_NUMBERED}")
        return int(cursor.fetchone()[0])


def roster_events_create(count: int, days: int = 3 * 365) -> int:
    """`count` audit events of monthly roster loads changing a member's address, phone or PCP over `days` days,
    shaped as calaim.roster.merge writes them (member.roster_updated, the fields before and after)."""
    if count <= 0:
        return 0
    members = _numbered_members()
    sql = f"""
        INSERT INTO core_auditevent (at, actor_id, actor_label, action, member_id, object_type, object_id,
                                     before, after, reason)
        SELECT r.load_at, u.id, coalesce(u.username, 'roster_load'), 'member.roster_updated', m.id, 'members.member',
               m.id::text,
               CASE r.kind WHEN 0 THEN jsonb_build_object('address_line', m.address_line, 'city', m.city)
                           WHEN 1 THEN jsonb_build_object('phone', m.phone)
                           ELSE jsonb_build_object('pcp_name', '') END,
               CASE r.kind WHEN 0 THEN jsonb_build_object('address_line', (100 + r.g %% 9000) || ' Main St',
                                                          'city', m.city)
                           WHEN 1 THEN jsonb_build_object('phone', '+1209555' || lpad((r.g %% 10000)::text, 4, '0'))
                           ELSE jsonb_build_object('pcp_name', 'Clinic ' || (r.g %% 40)) END,
               'roster load as of ' || to_char(r.load_at, 'YYYY-MM-DD') || ', roster-' || p.code || '-'
                   || to_char(r.load_at, 'YYYY-MM-DD') || '.csv'
        FROM (SELECT g, 1 + floor(random() * %s)::bigint AS n, g %% 3 AS kind,
                     least(now(), date_trunc('month', now() - floor(random() * %s) * interval '1 day')
                         + interval '3 days 2 hours' + (g %% 600) * interval '1 second') AS load_at
              FROM generate_series(1, %s) g) r
        JOIN {_NUMBERED} m ON m.n = r.n
        JOIN plans_plan p ON p.id = m.plan_id
        LEFT JOIN accounts_user u ON u.username = lower(p.code) || '.data'
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [members, days, count])
        written = int(cursor.rowcount)
        cursor.execute(f"DROP TABLE {_NUMBERED}")
    return written


# (view, method, path pattern, weight): what staff read, most often a member's record.
_READS = (
    ("web:member", "GET", "/members/{id}/", 45),
    ("web:member_section", "GET", "/members/{id}/sections/referrals/", 10),
    ("api:get_member", "GET", "/api/members/{id}", 15),
    ("api:list_members", "GET", "/api/members", 10),
    ("web:member_search", "GET", "/members/search/", 10),
    ("web:home", "GET", "/", 10),
)


def phi_reads_create(count: int, days: int = 180) -> int:
    """`count` rows of the PHI read log over `days` days: plan and provider staff reading members, two thirds of
    the reads on members with ECM or Community Supports work (those are the records staff open)."""
    if count <= 0:
        return 0
    views = " UNION ALL ".join(
        f"SELECT '{view}' AS view, '{method}' AS method, '{path}' AS path, {weight} AS weight"
        for view, method, path, weight in _READS
    )
    sql = f"""
        WITH staff AS (
                 SELECT row_number() OVER (ORDER BY id) AS n, id, username, first_name, last_name, role
                 FROM accounts_user WHERE role IN ('plan_intake', 'plan_um', 'member_services',
                     'provider_care_manager', 'provider_supervisor', 'plan_compliance')),
             worked AS (
                 SELECT row_number() OVER (ORDER BY member_id) AS n, member_id
                 FROM (SELECT DISTINCT member_id FROM referrals_referral
                       UNION SELECT member_id FROM community_supports_csrequest) w),
             everyone AS (SELECT row_number() OVER (ORDER BY id) AS n, id FROM members_member),
             views AS (SELECT *, sum(weight) OVER (ORDER BY view) AS upto, sum(weight) OVER () AS total
                       FROM ({views}) v),
             draws AS (
                 SELECT g, random() AS pick, random() AS which, random() AS kind,
                        1 + floor(random() * (SELECT count(*) FROM staff))::bigint AS s,
                        1 + floor(random() * (SELECT count(*) FROM worked))::bigint AS w,
                        1 + floor(random() * (SELECT count(*) FROM everyone))::bigint AS e,
                        now() - random() * interval '{days} days' AS at
                 FROM generate_series(1, %s) g)
        INSERT INTO core_phiread (at, request_id, user_id, user_label, user_role, member_id, plan_id, view, method,
                                  path, query, ip, status)
        SELECT d.at, md5(d.g::text), s.id, s.first_name || ' ' || s.last_name || ' (' || s.username || ')', s.role,
               m.id, m.plan_id, v.view, v.method, replace(v.path, '{{id}}', m.id::text),
               CASE WHEN v.view IN ('api:list_members', 'web:member_search') THEN 'q=' || m.last_name ELSE '' END,
               ('10.0.0.' || (1 + d.g %% 200))::inet, 200
        FROM draws d
        JOIN staff s ON s.n = d.s
        LEFT JOIN worked w ON w.n = d.w AND d.pick < 0.67
        LEFT JOIN everyone e ON e.n = d.e AND d.pick >= 0.67
        JOIN members_member m ON m.id = coalesce(w.member_id, e.id)
        JOIN views v ON d.kind * v.total >= v.upto - v.weight AND d.kind * v.total < v.upto
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [count])
        return int(cursor.rowcount)
