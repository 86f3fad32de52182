CREATE TABLE msps (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    product_name TEXT NOT NULL,
    primary_color TEXT NOT NULL,
    welcome_message TEXT NOT NULL DEFAULT '',
    support_phone TEXT NOT NULL DEFAULT '',
    support_email TEXT NOT NULL DEFAULT '',
    support_hours TEXT NOT NULL DEFAULT '',
    logo BYTEA,
    logo_type TEXT,
    favicon BYTEA,
    favicon_type TEXT,
    branding_version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX msps_one_default ON msps (is_default) WHERE is_default;

CREATE TABLE msp_domains (
    domain TEXT PRIMARY KEY,
    msp_id UUID NOT NULL REFERENCES msps (id) ON DELETE CASCADE
);

CREATE TABLE customers (
    id UUID PRIMARY KEY,
    msp_id UUID NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    m365_tenant_id TEXT,
    features TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX customers_name ON customers (msp_id, lower(name));

CREATE TABLE users (
    id UUID PRIMARY KEY,
    msp_id UUID NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id UUID REFERENCES customers (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_sign_in_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX users_email ON users (msp_id, email);
CREATE INDEX users_customer ON users (msp_id, customer_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    msp_id UUID NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_attempts (
    id UUID PRIMARY KEY,
    msp_id UUID NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    success BOOLEAN NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (msp_id, email, at);

CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    msp_id UUID NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX invitations_user ON invitations (user_id);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY,
    msp_id UUID NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_msp ON api_tokens (msp_id);
