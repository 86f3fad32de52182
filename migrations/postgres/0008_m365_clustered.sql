-- On SQLite this migration stores each customer's directory rows together (WITHOUT ROWID).
-- PostgreSQL reads a customer's rows through the primary key index already; nothing changes.
SELECT 1;
