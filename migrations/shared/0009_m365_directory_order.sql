-- The user directory's sort orders as indexes, so that a page of a large tenant is read in
-- order from an index instead of sorting every user of the customer (page 40 of a
-- 50,000-user directory by department: a tenth of the time). The expressions are the ones
-- db::m365::UserSort::order_by writes; a change there must change them here.
DROP INDEX m365_users_name;
CREATE INDEX m365_users_by_name ON m365_users (customer_id, lower(display_name), id);
CREATE INDEX m365_users_by_department ON m365_users
    (customer_id, (department IS NULL OR department = ''), lower(department), lower(display_name), id);
CREATE INDEX m365_users_by_job_title ON m365_users
    (customer_id, (job_title IS NULL OR job_title = ''), lower(job_title), lower(display_name), id);
CREATE INDEX m365_users_by_office ON m365_users
    (customer_id, (office IS NULL OR office = ''), lower(office), lower(display_name), id);
