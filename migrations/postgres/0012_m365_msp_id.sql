-- Every Microsoft 365 row of a customer carries its MSP, as every other customer row does, so a
-- query names the MSP and the customer of its scope and another MSP's rows are out of reach in
-- SQL too. Filled from each row's customer, then required. The directory's key and indexes
-- lead with (msp_id, customer_id), as on SQLite, so that a page of a large tenant is still
-- read in order from an index.

ALTER TABLE m365_options ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_options t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_options ALTER COLUMN msp_id SET NOT NULL;

ALTER TABLE m365_sync ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_sync t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_sync ALTER COLUMN msp_id SET NOT NULL;

ALTER TABLE m365_skus ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_skus t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_skus ALTER COLUMN msp_id SET NOT NULL;

ALTER TABLE m365_prices ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_prices t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_prices ALTER COLUMN msp_id SET NOT NULL;

ALTER TABLE m365_sku_history ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_sku_history t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_sku_history ALTER COLUMN msp_id SET NOT NULL;

ALTER TABLE m365_scores ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_scores t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_scores ALTER COLUMN msp_id SET NOT NULL;

ALTER TABLE m365_controls ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_controls t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_controls ALTER COLUMN msp_id SET NOT NULL;

ALTER TABLE m365_alerts ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_alerts t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_alerts ALTER COLUMN msp_id SET NOT NULL;

ALTER TABLE m365_services ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_services t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_services ALTER COLUMN msp_id SET NOT NULL;

ALTER TABLE m365_issues ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_issues t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_issues ALTER COLUMN msp_id SET NOT NULL;

ALTER TABLE m365_groups ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_groups t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_groups ALTER COLUMN msp_id SET NOT NULL;

ALTER TABLE m365_changes ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_changes t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_changes ALTER COLUMN msp_id SET NOT NULL;
DROP INDEX m365_changes_customer;
CREATE INDEX m365_changes_customer ON m365_changes (msp_id, customer_id, at);

ALTER TABLE m365_notified ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_notified t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_notified ALTER COLUMN msp_id SET NOT NULL;

ALTER TABLE m365_users ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_users t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_users ALTER COLUMN msp_id SET NOT NULL;
ALTER TABLE m365_users DROP CONSTRAINT m365_users_pkey;
ALTER TABLE m365_users ADD PRIMARY KEY (msp_id, customer_id, id);
DROP INDEX m365_users_by_name;
CREATE INDEX m365_users_by_name ON m365_users (msp_id, customer_id, lower(display_name), id);
DROP INDEX m365_users_by_department;
CREATE INDEX m365_users_by_department ON m365_users
    (msp_id, customer_id, (department IS NULL OR department = ''), lower(department), lower(display_name), id);
DROP INDEX m365_users_by_job_title;
CREATE INDEX m365_users_by_job_title ON m365_users
    (msp_id, customer_id, (job_title IS NULL OR job_title = ''), lower(job_title), lower(display_name), id);
DROP INDEX m365_users_by_office;
CREATE INDEX m365_users_by_office ON m365_users
    (msp_id, customer_id, (office IS NULL OR office = ''), lower(office), lower(display_name), id);

ALTER TABLE m365_user_licenses ADD COLUMN msp_id UUID REFERENCES msps (id) ON DELETE CASCADE;
UPDATE m365_user_licenses t SET msp_id = c.msp_id FROM customers c WHERE c.id = t.customer_id;
ALTER TABLE m365_user_licenses ALTER COLUMN msp_id SET NOT NULL;
DROP INDEX m365_user_licenses_sku;
CREATE INDEX m365_user_licenses_sku ON m365_user_licenses (msp_id, customer_id, sku_id);
