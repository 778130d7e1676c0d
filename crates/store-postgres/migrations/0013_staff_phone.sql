-- A staff member's mobile number, for the console's SMS digest of work waiting for them.
ALTER TABLE staff ADD COLUMN phone TEXT;
