-- The last accepted TOTP time step of each staff member: a code is accepted once.
ALTER TABLE staff ADD COLUMN totp_last_step INTEGER;
