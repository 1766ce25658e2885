-- Signed-in sessions that outlive a reload and a restart. The browser holds a random
-- token in an HttpOnly cookie; the database keeps only its sha256, so a copy of the
-- database (a backup) signs nobody in.

CREATE SEQUENCE session_ids START 1;
CREATE TABLE sessions (
    session_id      INTEGER PRIMARY KEY DEFAULT nextval('session_ids'),
    token_hash      VARCHAR NOT NULL UNIQUE,   -- sha256 of the cookie's token, hex
    username        VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    last_seen_at    TIMESTAMP NOT NULL,
    client_address  VARCHAR,
    user_agent      VARCHAR,
    ended_at        TIMESTAMP,
    end_reason      VARCHAR CHECK (end_reason IN ('sign_out', 'idle', 'lifetime',
                        'password_change', 'password_reset', 'account_locked', 'revoked'))
);

-- Failed sign-ins are now counted in the app's memory per account and client address
-- (etl.sessions.SignInThrottle): a count on the account let anyone lock it for everyone.
ALTER TABLE users DROP COLUMN failed_attempts;
ALTER TABLE users DROP COLUMN last_failed_at;
