CREATE TABLE ticket_statuses (
    id BLOB PRIMARY KEY,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    is_closed BOOLEAN NOT NULL,
    customer_settable BOOLEAN NOT NULL,
    is_default BOOLEAN NOT NULL,
    -- '' or which reply moves a ticket here: 'customer_reply', 'staff_reply'
    auto_on TEXT NOT NULL,
    position BIGINT NOT NULL
);
CREATE UNIQUE INDEX ticket_statuses_name ON ticket_statuses (msp_id, lower(name));

CREATE TABLE ticket_priorities (
    id BLOB PRIMARY KEY,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    is_default BOOLEAN NOT NULL,
    position BIGINT NOT NULL
);
CREATE UNIQUE INDEX ticket_priorities_name ON ticket_priorities (msp_id, lower(name));

CREATE TABLE ticket_categories (
    id BLOB PRIMARY KEY,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position BIGINT NOT NULL
);
CREATE UNIQUE INDEX ticket_categories_name ON ticket_categories (msp_id, lower(name));

CREATE TABLE ticket_counters (
    msp_id BLOB PRIMARY KEY REFERENCES msps (id) ON DELETE CASCADE,
    last_number BIGINT NOT NULL
);

CREATE TABLE tickets (
    id BLOB PRIMARY KEY,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status_id BLOB NOT NULL REFERENCES ticket_statuses (id),
    priority_id BLOB NOT NULL REFERENCES ticket_priorities (id),
    category_id BLOB REFERENCES ticket_categories (id),
    requester_id BLOB REFERENCES users (id) ON DELETE SET NULL,
    assignee_id BLOB REFERENCES users (id) ON DELETE SET NULL,
    due_at TEXT,
    external_id TEXT,
    external_system TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX tickets_number ON tickets (msp_id, number);
CREATE INDEX tickets_customer ON tickets (msp_id, customer_id, updated_at);

CREATE TABLE ticket_comments (
    id BLOB PRIMARY KEY,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    ticket_id BLOB NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_id BLOB REFERENCES users (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    internal BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    edited_at TEXT,
    deleted_at TEXT
);
CREATE INDEX ticket_comments_ticket ON ticket_comments (ticket_id, created_at);

CREATE TABLE ticket_watchers (
    ticket_id BLOB NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    msp_id BLOB NOT NULL REFERENCES msps (id) ON DELETE CASCADE,
    PRIMARY KEY (ticket_id, user_id)
);

ALTER TABLE users ADD COLUMN company_tickets BOOLEAN NOT NULL DEFAULT 0;
