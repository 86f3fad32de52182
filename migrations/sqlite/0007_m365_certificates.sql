-- An app registration signs in to Entra ID with a client secret or with a certificate.
-- SQLite cannot relax NOT NULL in place, so the table is rebuilt; existing rows are secrets.
CREATE TABLE m365_apps_new (
    msp_id BLOB PRIMARY KEY REFERENCES msps (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    -- 'secret' or 'certificate'
    credential TEXT NOT NULL DEFAULT 'secret',
    -- the client secret, sealed with PORTICO_SECRET_KEY, and its last characters
    secret_sealed TEXT,
    secret_hint TEXT,
    -- the certificate's private key (PEM), sealed with PORTICO_SECRET_KEY; the certificate
    -- itself is not kept, only its SHA-1 thumbprint (hex, as Entra ID shows it) and expiry
    key_sealed TEXT,
    cert_thumbprint TEXT,
    cert_expires_at TEXT,
    updated_at TEXT NOT NULL,
    CHECK (
        (credential = 'secret' AND secret_sealed IS NOT NULL AND secret_hint IS NOT NULL
            AND key_sealed IS NULL AND cert_thumbprint IS NULL AND cert_expires_at IS NULL)
        OR (credential = 'certificate' AND key_sealed IS NOT NULL AND cert_thumbprint IS NOT NULL
            AND secret_sealed IS NULL AND secret_hint IS NULL)
    )
);

INSERT INTO m365_apps_new (msp_id, client_id, credential, secret_sealed, secret_hint, updated_at)
    SELECT msp_id, client_id, 'secret', secret_sealed, secret_hint, updated_at FROM m365_apps;
DROP TABLE m365_apps;
ALTER TABLE m365_apps_new RENAME TO m365_apps;
