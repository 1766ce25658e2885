-- Sign-in and the audit trail.

CREATE SEQUENCE user_ids START 1;
CREATE TABLE users (
    user_id          INTEGER PRIMARY KEY DEFAULT nextval('user_ids'),
    username         VARCHAR NOT NULL UNIQUE,
    full_name        VARCHAR NOT NULL,
    role             VARCHAR NOT NULL CHECK (role IN ('lanh_dao', 'van_phong', 'chi_bo', 'quan_tri')),
    cell_code        VARCHAR,            -- the cell a 'chi_bo' user reports for
    password_hash    VARCHAR,            -- argon2id; NULL for accounts that sign in through OIDC only
    email            VARCHAR,            -- matched against the OIDC provider's email
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       TIMESTAMP NOT NULL,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    last_failed_at   TIMESTAMP,
    CHECK (role <> 'chi_bo' OR cell_code IS NOT NULL)
);

-- Append-only: the code only ever inserts here.
CREATE SEQUENCE audit_ids START 1;
CREATE TABLE audit_log (
    audit_id   INTEGER PRIMARY KEY DEFAULT nextval('audit_ids'),
    acted_at   TIMESTAMP NOT NULL,
    username   VARCHAR NOT NULL,
    action     VARCHAR NOT NULL,      -- sign_in, sign_in_failed, sign_out, load, restore, withdraw, undo, export, user_add, ...
    target     VARCHAR,
    detail     VARCHAR
);
