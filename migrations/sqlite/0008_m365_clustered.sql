-- A customer's directory rows stored together, in key order, so that a list, a search or a
-- count over one large tenant reads its rows in sequence instead of looking each one up by
-- rowid (a quarter of the time for a 50,000-user tenant).
CREATE TABLE m365_users_new (
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
) WITHOUT ROWID;
INSERT INTO m365_users_new (customer_id, id, display_name, upn, mail, enabled, job_title, department, office, mobile,
    created_at, last_sign_in_at, licensed, synced_at)
    SELECT customer_id, id, display_name, upn, mail, enabled, job_title, department, office, mobile,
    created_at, last_sign_in_at, licensed, synced_at FROM m365_users;
DROP TABLE m365_users;
ALTER TABLE m365_users_new RENAME TO m365_users;
CREATE INDEX m365_users_name ON m365_users (customer_id, display_name);

CREATE TABLE m365_user_licenses_new (
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    sku_id TEXT NOT NULL,
    PRIMARY KEY (customer_id, user_id, sku_id)
) WITHOUT ROWID;
INSERT INTO m365_user_licenses_new (customer_id, user_id, sku_id)
    SELECT customer_id, user_id, sku_id FROM m365_user_licenses;
DROP TABLE m365_user_licenses;
ALTER TABLE m365_user_licenses_new RENAME TO m365_user_licenses;
CREATE INDEX m365_user_licenses_sku ON m365_user_licenses (customer_id, sku_id);
