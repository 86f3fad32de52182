-- Files attached to a ticket, or to one of its comments. The bytes live in the file store
-- under `storage_key`; `internal` follows the comment (internal notes' files are staff-only).
CREATE TABLE ticket_attachments (
    id BLOB PRIMARY KEY,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    ticket_id BLOB NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    comment_id BLOB REFERENCES ticket_comments (id) ON DELETE CASCADE,
    uploader_id BLOB REFERENCES users (id) ON DELETE SET NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    internal BOOLEAN NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (msp_id, ticket_id, created_at);
