-- A not-duplicate mark holds until one of its customers changes in a field
-- the matcher compares (steward.MatchedFields: every canonical field but
-- address_line2); then it is cleared (cleared_at set), whoever changes the
-- customer, in the same transaction. A cleared mark is kept for the
-- record and set again when a steward marks the pair again.
ALTER TABLE not_duplicates ADD COLUMN cleared_at TEXT;
CREATE INDEX not_duplicates_b ON not_duplicates (b);

CREATE TRIGGER not_duplicates_clear AFTER UPDATE ON customers
WHEN OLD.first_name IS NOT NEW.first_name OR OLD.last_name IS NOT NEW.last_name
	OR OLD.company IS NOT NEW.company OR OLD.email IS NOT NEW.email
	OR OLD.phone IS NOT NEW.phone OR OLD.address_line1 IS NOT NEW.address_line1
	OR OLD.city IS NOT NEW.city OR OLD.region IS NOT NEW.region
	OR OLD.postal_code IS NOT NEW.postal_code OR OLD.country IS NOT NEW.country
	OR OLD.birth_date IS NOT NEW.birth_date OR OLD.national_id IS NOT NEW.national_id
BEGIN
	UPDATE not_duplicates SET cleared_at = NEW.updated_at
	WHERE a = NEW.id AND cleared_at IS NULL;
	UPDATE not_duplicates SET cleared_at = NEW.updated_at
	WHERE b = NEW.id AND cleared_at IS NULL;
END;
