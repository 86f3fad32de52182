-- Background work, claimed by whichever instance gets there first. An email is a job whose
-- payload is the whole rendered message, written in the same transaction as its event.
CREATE TABLE jobs (
    id UUID PRIMARY KEY,
    msp_id UUID REFERENCES msps (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- what the console shows without parsing the payload, e.g. recipient and subject
    summary TEXT NOT NULL,
    run_at TIMESTAMPTZ NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    locked_until TIMESTAMPTZ,
    last_error TEXT,
    done_at TIMESTAMPTZ,
    failed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_due ON jobs (kind, run_at) WHERE done_at IS NULL AND failed_at IS NULL;
CREATE INDEX jobs_msp ON jobs (msp_id, created_at);

CREATE TABLE notifications (
    id UUID PRIMARY KEY,
    msp_id UUID NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- A user's choice per category; without a row the MSP's default applies.
CREATE TABLE notification_prefs (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    msp_id UUID NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    email BOOLEAN NOT NULL,
    in_app BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, category)
);

CREATE TABLE notification_defaults (
    msp_id UUID NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    email BOOLEAN NOT NULL,
    in_app BOOLEAN NOT NULL,
    PRIMARY KEY (msp_id, category)
);

-- An MSP's own wording for one kind of email; without a row the built-in one is used.
CREATE TABLE email_templates (
    msp_id UUID NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (msp_id, kind)
);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    msp_id UUID NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX password_resets_user ON password_resets (user_id);

ALTER TABLE msps ADD COLUMN mail_from TEXT NOT NULL DEFAULT '';
