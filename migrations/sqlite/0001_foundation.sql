CREATE TABLE msps (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT 0,
    product_name TEXT NOT NULL,
    primary_color TEXT NOT NULL,
    welcome_message TEXT NOT NULL DEFAULT '',
    support_phone TEXT NOT NULL DEFAULT '',
    support_email TEXT NOT NULL DEFAULT '',
    support_hours TEXT NOT NULL DEFAULT '',
    logo BLOB,
    logo_type TEXT,
    favicon BLOB,
    favicon_type TEXT,
    branding_version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX msps_one_default ON msps (is_default) WHERE is_default = 1;

CREATE TABLE msp_domains (
    domain TEXT PRIMARY KEY,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE
);

CREATE TABLE customers (
    id BLOB PRIMARY KEY,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    m365_tenant_id TEXT,
    features TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX customers_name ON customers (msp_id, lower(name));

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id BLOB REFERENCES customers (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    last_sign_in_at TEXT
);
CREATE UNIQUE INDEX users_email ON users (msp_id, email);
CREATE INDEX users_customer ON users (msp_id, customer_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_attempts (
    id BLOB PRIMARY KEY,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    success BOOLEAN NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (msp_id, email, at);

CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX invitations_user ON invitations (user_id);

CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_msp ON api_tokens (msp_id);
