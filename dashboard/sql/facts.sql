-- One row per (period, cell, task) of the chosen grain, rolled up from the current
-- submissions contained in each period.
--   stock (status, completion_pct, texts): the latest report in the period
--          (latest period_end, then latest loaded_at);
--   flow (activities, participants, posts): summed over the non-overlapping reports:
--          a submission contained in a bigger one of the same cell and period is dropped.
-- The bucket of each submission is the macro period_bucket (migration 003).
-- Parameters: $plan, $grain, $periods (VARCHAR[] or NULL = all), $cells, $areas (same).
WITH bucketed AS (
    SELECT v.*, period_bucket($grain, v.period_grain, v.period_start, v.period_end) AS bucket
    FROM v_progress v
    WHERE v.plan_code = $plan
      AND ($cells::VARCHAR[] IS NULL OR list_contains($cells::VARCHAR[], v.cell_code))
),
in_scope AS (
    SELECT * FROM bucketed
    WHERE bucket IS NOT NULL
      AND ($periods::VARCHAR[] IS NULL OR list_contains($periods::VARCHAR[], bucket))
),
subs AS (
    SELECT DISTINCT submission_id, cell_code, bucket, period_start, period_end FROM in_scope
),
kept_subs AS (
    SELECT a.submission_id FROM subs a
    WHERE NOT EXISTS (
        SELECT 1 FROM subs b
        WHERE b.cell_code = a.cell_code AND b.bucket = a.bucket
          AND b.submission_id <> a.submission_id
          AND b.period_start <= a.period_start AND a.period_end <= b.period_end
          AND (b.period_end - b.period_start > a.period_end - a.period_start
               OR b.submission_id > a.submission_id))
),
scoped AS (
    SELECT * FROM in_scope
    WHERE ($areas::VARCHAR[] IS NULL OR list_contains($areas::VARCHAR[], area_code))
),
latest AS (
    SELECT *, row_number() OVER (
        PARTITION BY bucket, cell_code, task_code
        ORDER BY period_end DESC, loaded_at DESC, submission_id DESC) AS rn
    FROM scoped
),
flows AS (
    SELECT bucket, cell_code, task_code,
           sum(activities) AS activities, sum(participants) AS participants,
           sum(posts) AS posts
    FROM scoped
    WHERE submission_id IN (SELECT submission_id FROM kept_subs)
    GROUP BY ALL
),
reported_cells AS (
    SELECT DISTINCT bucket, cell_code FROM subs
),
facts AS (
    SELECT l.bucket AS period, l.cell_code, l.task_code, l.area_code, l.status,
           l.completion_pct, l.result, l.obstacles, l.proposals, l.evidence, l.role,
           l.period AS source_period, l.submission_id, l.report_date,
           f.activities, f.participants, f.posts
    FROM latest l
    LEFT JOIN flows f USING (bucket, cell_code, task_code)
    WHERE l.rn = 1
),
assigned AS (
    SELECT a.cell_code, a.task_code, t.area_code
    FROM assignments a JOIN tasks t USING (plan_code, task_code)
    WHERE a.plan_code = $plan
      AND ($cells::VARCHAR[] IS NULL OR list_contains($cells::VARCHAR[], a.cell_code))
      AND ($areas::VARCHAR[] IS NULL OR list_contains($areas::VARCHAR[], t.area_code))
),
scope_cells AS (
    SELECT cell_code, cell_name, short_name, color, supervisor, sort_order
    FROM cells
    WHERE plan_code = $plan
      AND ($cells::VARCHAR[] IS NULL OR list_contains($cells::VARCHAR[], cell_code))
),
scope_areas AS (
    SELECT area_code, area_name, short_name, sort_order FROM areas
    WHERE plan_code = $plan
      AND ($areas::VARCHAR[] IS NULL OR list_contains($areas::VARCHAR[], area_code))
),
periods AS (
    SELECT DISTINCT p AS period
    FROM (SELECT unnest(coalesce($periods::VARCHAR[], (SELECT list(DISTINCT bucket) FROM bucketed WHERE bucket IS NOT NULL))) AS p)
),
-- The cells a period of this scope expects something from: a task assigned in the scope,
-- or a task reported in it. Any other cell is "không được giao": neither reported nor
-- missing, and not counted in "chi bộ đã báo cáo".
expected_cells AS (
    SELECT p.period, c.cell_code FROM periods p CROSS JOIN scope_cells c
    WHERE EXISTS (SELECT 1 FROM assigned a WHERE a.cell_code = c.cell_code)
       OR EXISTS (SELECT 1 FROM facts f WHERE f.period = p.period AND f.cell_code = c.cell_code)
),
expected_areas AS (
    SELECT p.period, ar.area_code FROM periods p CROSS JOIN scope_areas ar
    WHERE EXISTS (SELECT 1 FROM assigned a WHERE a.area_code = ar.area_code)
       OR EXISTS (SELECT 1 FROM facts f WHERE f.period = p.period AND f.area_code = ar.area_code)
)
