-- Every Microsoft 365 row of a customer carries its MSP, as every other customer row does, so a
-- query names the MSP and the customer of its scope and another MSP's rows are out of reach in
-- SQL too. SQLite cannot add a NOT NULL column without a default, so each table is rebuilt
-- with msp_id filled from its customer. The directory's key and indexes lead with (msp_id,
-- customer_id): with the MSP in the indexes alone the planner would read a 50,000-user
-- tenant through an index, one row lookup each, for the sorts no index serves (department
-- descending, say), instead of in key order, and take three times as long.

CREATE TABLE m365_options_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
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
INSERT INTO m365_options_new (msp_id, customer_id, unused_days, alert_severities, license_threshold, renewal_days, notify_severity)
    SELECT c.msp_id, t.customer_id, t.unused_days, t.alert_severities, t.license_threshold, t.renewal_days, t.notify_severity
    FROM m365_options t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_options;
ALTER TABLE m365_options_new RENAME TO m365_options;

CREATE TABLE m365_sync_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    area TEXT NOT NULL,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    delta_link TEXT,
    PRIMARY KEY (customer_id, area)
);
INSERT INTO m365_sync_new (msp_id, customer_id, area, last_attempt_at, last_success_at, last_error, delta_link)
    SELECT c.msp_id, t.customer_id, t.area, t.last_attempt_at, t.last_success_at, t.last_error, t.delta_link
    FROM m365_sync t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_sync;
ALTER TABLE m365_sync_new RENAME TO m365_sync;

CREATE TABLE m365_skus_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
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
INSERT INTO m365_skus_new (msp_id, customer_id, sku_id, part_number, capability_status, enabled, suspended, warning, consumed, renewal_at, synced_at)
    SELECT c.msp_id, t.customer_id, t.sku_id, t.part_number, t.capability_status, t.enabled, t.suspended, t.warning, t.consumed, t.renewal_at, t.synced_at
    FROM m365_skus t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_skus;
ALTER TABLE m365_skus_new RENAME TO m365_skus;

CREATE TABLE m365_prices_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    sku_id TEXT NOT NULL,
    cents BIGINT NOT NULL,
    PRIMARY KEY (customer_id, sku_id)
);
INSERT INTO m365_prices_new (msp_id, customer_id, sku_id, cents)
    SELECT c.msp_id, t.customer_id, t.sku_id, t.cents
    FROM m365_prices t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_prices;
ALTER TABLE m365_prices_new RENAME TO m365_prices;

CREATE TABLE m365_sku_history_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    sku_id TEXT NOT NULL,
    day TEXT NOT NULL,
    assigned BIGINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (customer_id, sku_id, day)
);
INSERT INTO m365_sku_history_new (msp_id, customer_id, sku_id, day, assigned, total)
    SELECT c.msp_id, t.customer_id, t.sku_id, t.day, t.assigned, t.total
    FROM m365_sku_history t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_sku_history;
ALTER TABLE m365_sku_history_new RENAME TO m365_sku_history;

CREATE TABLE m365_scores_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    current_score DOUBLE PRECISION NOT NULL,
    max_score DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (customer_id, day)
);
INSERT INTO m365_scores_new (msp_id, customer_id, day, current_score, max_score)
    SELECT c.msp_id, t.customer_id, t.day, t.current_score, t.max_score
    FROM m365_scores t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_scores;
ALTER TABLE m365_scores_new RENAME TO m365_scores;

CREATE TABLE m365_controls_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
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
INSERT INTO m365_controls_new (msp_id, customer_id, id, title, max_score, score, rank, user_impact, implementation_cost, action_url, remediation)
    SELECT c.msp_id, t.customer_id, t.id, t.title, t.max_score, t.score, t.rank, t.user_impact, t.implementation_cost, t.action_url, t.remediation
    FROM m365_controls t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_controls;
ALTER TABLE m365_controls_new RENAME TO m365_controls;

CREATE TABLE m365_alerts_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
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
INSERT INTO m365_alerts_new (msp_id, customer_id, id, title, severity, status, source, first_seen_at, updated_at)
    SELECT c.msp_id, t.customer_id, t.id, t.title, t.severity, t.status, t.source, t.first_seen_at, t.updated_at
    FROM m365_alerts t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_alerts;
ALTER TABLE m365_alerts_new RENAME TO m365_alerts;

CREATE TABLE m365_services_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    service TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (customer_id, service)
);
INSERT INTO m365_services_new (msp_id, customer_id, service, status)
    SELECT c.msp_id, t.customer_id, t.service, t.status
    FROM m365_services t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_services;
ALTER TABLE m365_services_new RENAME TO m365_services;

CREATE TABLE m365_issues_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
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
INSERT INTO m365_issues_new (msp_id, customer_id, id, service, title, classification, status, started_at, updated_at, resolved, latest_update)
    SELECT c.msp_id, t.customer_id, t.id, t.service, t.title, t.classification, t.status, t.started_at, t.updated_at, t.resolved, t.latest_update
    FROM m365_issues t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_issues;
ALTER TABLE m365_issues_new RENAME TO m365_issues;

CREATE TABLE m365_groups_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    -- 'microsoft365', 'distribution', 'security' or 'mail_security'
    kind TEXT NOT NULL,
    mail TEXT,
    members BIGINT NOT NULL,
    PRIMARY KEY (customer_id, id)
);
INSERT INTO m365_groups_new (msp_id, customer_id, id, name, kind, mail, members)
    SELECT c.msp_id, t.customer_id, t.id, t.name, t.kind, t.mail, t.members
    FROM m365_groups t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_groups;
ALTER TABLE m365_groups_new RENAME TO m365_groups;

CREATE TABLE m365_changes_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    id BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    -- user_added, user_disabled, user_enabled, user_deleted, license_added, license_removed
    kind TEXT NOT NULL,
    user_name TEXT NOT NULL,
    detail TEXT NOT NULL
);
INSERT INTO m365_changes_new (msp_id, id, customer_id, at, kind, user_name, detail)
    SELECT c.msp_id, t.id, t.customer_id, t.at, t.kind, t.user_name, t.detail
    FROM m365_changes t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_changes;
ALTER TABLE m365_changes_new RENAME TO m365_changes;
CREATE INDEX m365_changes_customer ON m365_changes (msp_id, customer_id, at);

CREATE TABLE m365_notified_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (customer_id, key)
);
INSERT INTO m365_notified_new (msp_id, customer_id, key, at)
    SELECT c.msp_id, t.customer_id, t.key, t.at
    FROM m365_notified t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_notified;
ALTER TABLE m365_notified_new RENAME TO m365_notified;

CREATE TABLE m365_users_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
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
    PRIMARY KEY (msp_id, customer_id, id)
) WITHOUT ROWID;
INSERT INTO m365_users_new (msp_id, customer_id, id, display_name, upn, mail, enabled, job_title, department, office, mobile, created_at, last_sign_in_at, licensed, synced_at)
    SELECT c.msp_id, t.customer_id, t.id, t.display_name, t.upn, t.mail, t.enabled, t.job_title, t.department, t.office, t.mobile, t.created_at, t.last_sign_in_at, t.licensed, t.synced_at
    FROM m365_users t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_users;
ALTER TABLE m365_users_new RENAME TO m365_users;
CREATE INDEX m365_users_by_name ON m365_users (msp_id, customer_id, lower(display_name), id);
CREATE INDEX m365_users_by_department ON m365_users
    (msp_id, customer_id, (department IS NULL OR department = ''), lower(department), lower(display_name), id);
CREATE INDEX m365_users_by_job_title ON m365_users
    (msp_id, customer_id, (job_title IS NULL OR job_title = ''), lower(job_title), lower(display_name), id);
CREATE INDEX m365_users_by_office ON m365_users
    (msp_id, customer_id, (office IS NULL OR office = ''), lower(office), lower(display_name), id);

CREATE TABLE m365_user_licenses_new (
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    sku_id TEXT NOT NULL,
    PRIMARY KEY (customer_id, user_id, sku_id)
) WITHOUT ROWID;
INSERT INTO m365_user_licenses_new (msp_id, customer_id, user_id, sku_id)
    SELECT c.msp_id, t.customer_id, t.user_id, t.sku_id
    FROM m365_user_licenses t JOIN customers c ON c.id = t.customer_id;
DROP TABLE m365_user_licenses;
ALTER TABLE m365_user_licenses_new RENAME TO m365_user_licenses;
CREATE INDEX m365_user_licenses_sku ON m365_user_licenses (msp_id, customer_id, sku_id);
