-- The ISO 4217 code the MSP bills in; every amount stored for its customers (m365_prices)
-- counts this currency's minor unit. MSPs from before the column get USD: their prices were
-- entered with two decimals, which USD keeps as they are.
ALTER TABLE msps ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD';
