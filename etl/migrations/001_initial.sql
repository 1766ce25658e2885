-- Layers: catalog (from data/catalog.toml) | raw: submissions + their rows as loaded
-- | marts: v_progress and friends, which the dashboard and analysts read.

CREATE TABLE plans (
    plan_code      VARCHAR PRIMARY KEY,
    number         VARCHAR,
    issued_on      VARCHAR,
    title          VARCHAR NOT NULL,
    short_title    VARCHAR,
    organization   VARCHAR,
    report_deadline_day INTEGER NOT NULL DEFAULT 5
);

CREATE TABLE cells (
    plan_code   VARCHAR NOT NULL,
    cell_code   VARCHAR NOT NULL,
    cell_name   VARCHAR NOT NULL,
    short_name  VARCHAR NOT NULL,
    color       VARCHAR NOT NULL,
    supervisor  VARCHAR,
    sort_order  INTEGER NOT NULL,
    PRIMARY KEY (plan_code, cell_code)
);

CREATE TABLE areas (
    plan_code   VARCHAR NOT NULL,
    area_code   VARCHAR NOT NULL,
    area_name   VARCHAR NOT NULL,
    short_name  VARCHAR NOT NULL,
    sort_order  INTEGER NOT NULL,
    PRIMARY KEY (plan_code, area_code)
);

CREATE TABLE tasks (
    plan_code   VARCHAR NOT NULL,
    task_code   VARCHAR NOT NULL,
    area_code   VARCHAR NOT NULL,
    task_title  VARCHAR NOT NULL,
    sort_order  INTEGER NOT NULL,
    PRIMARY KEY (plan_code, task_code)
);

CREATE TABLE assignments (
    plan_code   VARCHAR NOT NULL,
    cell_code   VARCHAR NOT NULL,
    task_code   VARCHAR NOT NULL,
    role        VARCHAR NOT NULL CHECK (role IN ('chu_tri', 'thuc_hien')),
    PRIMARY KEY (plan_code, cell_code, task_code)
);

CREATE SEQUENCE submission_ids START 1;

-- Raw layer: one row per accepted sheet of an uploaded file. Never deleted.
CREATE TABLE submissions (
    submission_id  INTEGER PRIMARY KEY DEFAULT nextval('submission_ids'),
    plan_code      VARCHAR NOT NULL,
    cell_code      VARCHAR NOT NULL,
    period         VARCHAR NOT NULL,
    period_grain   VARCHAR NOT NULL,
    period_start   DATE NOT NULL,
    period_end     DATE NOT NULL,
    file_name      VARCHAR NOT NULL,
    sheet          VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,   -- of the whole uploaded file
    archive_path   VARCHAR NOT NULL,   -- relative to the archive folder beside the database
    report_date    DATE,
    prepared_by    VARCHAR,
    loaded_at      TIMESTAMP NOT NULL,
    loaded_by      VARCHAR NOT NULL,
    state          VARCHAR NOT NULL CHECK (state IN ('current', 'superseded', 'withdrawn')),
    replaces_id    INTEGER,            -- the submission this one superseded when loaded
    row_count      INTEGER NOT NULL,
    is_sample      BOOLEAN NOT NULL DEFAULT FALSE
);

-- Raw layer: the task rows of a submission, values already parsed to canonical form.
CREATE TABLE progress_rows (
    submission_id   INTEGER NOT NULL,
    task_code       VARCHAR NOT NULL,
    excel_row       INTEGER,
    status          VARCHAR NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'delayed')),
    completion_pct  DOUBLE CHECK (completion_pct BETWEEN 0 AND 100),
    activities      INTEGER CHECK (activities >= 0),
    participants    INTEGER CHECK (participants >= 0),
    posts           INTEGER CHECK (posts >= 0),
    result          VARCHAR,
    obstacles       VARCHAR,
    proposals       VARCHAR,
    evidence        VARCHAR,
    PRIMARY KEY (submission_id, task_code)
);

-- Every change of a submission's state, for the history and for undo.
CREATE SEQUENCE event_ids START 1;
CREATE TABLE submission_events (
    event_id       INTEGER PRIMARY KEY DEFAULT nextval('event_ids'),
    submission_id  INTEGER NOT NULL,
    action         VARCHAR NOT NULL,   -- loaded | superseded | restored | withdrawn | reinstated
    acted_at       TIMESTAMP NOT NULL,
    acted_by       VARCHAR NOT NULL,
    note           VARCHAR
);

-- Mart: one row per cell x period x task of the current submissions. A contract:
-- analysts query it with the DuckDB CLI. Add columns at the end; never rename.
CREATE VIEW v_progress AS
SELECT
    s.cell_code,
    s.period,
    r.task_code,
    t.area_code,
    r.status,
    r.completion_pct,
    r.activities,
    r.participants,
    r.posts,
    r.result,
    r.obstacles,
    r.proposals,
    s.submission_id,
    s.plan_code,
    s.period_grain,
    s.period_start,
    s.period_end,
    s.report_date,
    s.loaded_at,
    r.evidence,
    a.role,
    c.cell_name,
    t.task_title,
    ar.area_name
FROM submissions s
JOIN progress_rows r USING (submission_id)
LEFT JOIN tasks t ON t.plan_code = s.plan_code AND t.task_code = r.task_code
LEFT JOIN cells c ON c.plan_code = s.plan_code AND c.cell_code = s.cell_code
LEFT JOIN areas ar ON ar.plan_code = s.plan_code AND ar.area_code = t.area_code
LEFT JOIN assignments a ON a.plan_code = s.plan_code AND a.cell_code = s.cell_code
                        AND a.task_code = r.task_code
WHERE s.state = 'current';
