-- Microsoft 365: the MSP's Entra ID app, each customer's tenant data as last synced, its
-- history, and the state of each area's sync. Graph object ids are kept as text. Tenant
-- rows hang off their customer, which belongs to one MSP; queries reach them only through a
-- customer scope that was checked against the MSP.

CREATE TABLE m365_apps (
    msp_id BLOB PRIMARY KEY REFERENCES msps (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    -- the client secret, sealed with PORTICO_SECRET_KEY; never shown again
    secret_sealed TEXT NOT NULL,
    secret_hint TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- What the MSP decided for one customer's tenant data.
CREATE TABLE m365_options (
    customer_id BLOB PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    -- a license counts as unused after this many days without sign-in
    unused_days BIGINT NOT NULL,
    -- comma-separated alert severities customers see, e.g. 'high,medium'
    alert_severities TEXT NOT NULL,
    -- license alert when this share of a SKU is assigned (percent)
    license_threshold BIGINT NOT NULL,
    renewal_days BIGINT NOT NULL,
    -- security alerts at or above this severity notify
    notify_severity TEXT NOT NULL
);

-- One row per customer and area (users, licenses, subscriptions, security, alerts, health, groups).
CREATE TABLE m365_sync (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    area TEXT NOT NULL,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    delta_link TEXT,
    PRIMARY KEY (customer_id, area)
);

ALTER TABLE customers ADD COLUMN m365_next_sync_at TEXT;
-- false when the tenant has no Entra ID P1/P2, so Graph gives no sign-in times
ALTER TABLE customers ADD COLUMN m365_sign_ins BOOLEAN NOT NULL DEFAULT 1;

CREATE TABLE m365_users (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    upn TEXT NOT NULL,
    mail TEXT,
    enabled BOOLEAN NOT NULL,
    job_title TEXT,
    department TEXT,
    office TEXT,
    mobile TEXT,
    created_at TEXT,
    last_sign_in_at TEXT,
    licensed BOOLEAN NOT NULL,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (customer_id, id)
);
CREATE INDEX m365_users_name ON m365_users (customer_id, display_name);

CREATE TABLE m365_user_licenses (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    sku_id TEXT NOT NULL,
    PRIMARY KEY (customer_id, user_id, sku_id)
);
CREATE INDEX m365_user_licenses_sku ON m365_user_licenses (customer_id, sku_id);

CREATE TABLE m365_skus (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    sku_id TEXT NOT NULL,
    part_number TEXT NOT NULL,
    capability_status TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    suspended BIGINT NOT NULL,
    warning BIGINT NOT NULL,
    consumed BIGINT NOT NULL,
    renewal_at TEXT,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (customer_id, sku_id)
);

-- The MSP's monthly price per license, kept apart so a sync never touches it.
CREATE TABLE m365_prices (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    sku_id TEXT NOT NULL,
    cents BIGINT NOT NULL,
    PRIMARY KEY (customer_id, sku_id)
);

-- One row per SKU per day (YYYY-MM-DD), for the trend charts.
CREATE TABLE m365_sku_history (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    sku_id TEXT NOT NULL,
    day TEXT NOT NULL,
    assigned BIGINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (customer_id, sku_id, day)
);

CREATE TABLE m365_scores (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    current_score DOUBLE PRECISION NOT NULL,
    max_score DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (customer_id, day)
);

CREATE TABLE m365_controls (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    max_score DOUBLE PRECISION NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    rank BIGINT NOT NULL,
    user_impact TEXT NOT NULL,
    implementation_cost TEXT NOT NULL,
    action_url TEXT NOT NULL,
    remediation TEXT NOT NULL,
    PRIMARY KEY (customer_id, id)
);

CREATE TABLE m365_alerts (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (customer_id, id)
);

CREATE TABLE m365_services (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    service TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (customer_id, service)
);

CREATE TABLE m365_issues (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    service TEXT NOT NULL,
    title TEXT NOT NULL,
    classification TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    resolved BOOLEAN NOT NULL,
    latest_update TEXT NOT NULL,
    PRIMARY KEY (customer_id, id)
);

CREATE TABLE m365_groups (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    -- 'microsoft365', 'distribution', 'security' or 'mail_security'
    kind TEXT NOT NULL,
    mail TEXT,
    members BIGINT NOT NULL,
    PRIMARY KEY (customer_id, id)
);

-- What changed in the tenant between syncs: the dashboard's "recent changes".
CREATE TABLE m365_changes (
    id BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    -- user_added, user_disabled, user_enabled, user_deleted, license_added, license_removed
    kind TEXT NOT NULL,
    user_name TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX m365_changes_customer ON m365_changes (customer_id, at);

-- Alerts already told about, so each occurrence notifies once.
CREATE TABLE m365_notified (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (customer_id, key)
);
