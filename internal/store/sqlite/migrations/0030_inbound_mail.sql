-- Inbound mail (delivery reports, complaints, unsubscribe requests): the
-- customers of a bounced address are found by it without case, and a soft
-- bounce is counted once per reported message, however often the report
-- is read (message_key '' keeps the rows recorded without one).
CREATE INDEX customers_email_lower ON customers (lower(email)) WHERE email <> '';
ALTER TABLE soft_bounces ADD COLUMN message_key TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX soft_bounces_message ON soft_bounces (hash, message_key) WHERE message_key <> '';
