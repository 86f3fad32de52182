-- An app registration signs in to Entra ID with a client secret or with a certificate.
-- Existing rows are secrets.
ALTER TABLE m365_apps
    -- 'secret' or 'certificate'
    ADD COLUMN credential TEXT NOT NULL DEFAULT 'secret',
    ALTER COLUMN secret_sealed DROP NOT NULL,
    ALTER COLUMN secret_hint DROP NOT NULL,
    -- the certificate's private key (PEM), sealed with PORTICO_SECRET_KEY; the certificate
    -- itself is not kept, only its SHA-1 thumbprint (hex, as Entra ID shows it) and expiry
    ADD COLUMN key_sealed TEXT,
    ADD COLUMN cert_thumbprint TEXT,
    ADD COLUMN cert_expires_at TIMESTAMPTZ,
    ADD CONSTRAINT m365_apps_credential CHECK (
        (credential = 'secret' AND secret_sealed IS NOT NULL AND secret_hint IS NOT NULL
            AND key_sealed IS NULL AND cert_thumbprint IS NULL AND cert_expires_at IS NULL)
        OR (credential = 'certificate' AND key_sealed IS NOT NULL AND cert_thumbprint IS NOT NULL
            AND secret_sealed IS NULL AND secret_hint IS NULL)
    );
