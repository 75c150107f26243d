-- A not-duplicate mark holds until one of its customers changes in a field
-- the matcher compares (steward.MatchedFields: every canonical field but
-- address_line2); then it is cleared (cleared_at set), whoever changes the
-- customer, in the same transaction. A cleared mark is kept for the
-- record and set again when a steward marks the pair again.
ALTER TABLE not_duplicates ADD COLUMN cleared_at timestamptz;
CREATE INDEX not_duplicates_b ON not_duplicates (b);

CREATE FUNCTION not_duplicates_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE not_duplicates SET cleared_at = NEW.updated_at
	WHERE (a = NEW.id OR b = NEW.id) AND cleared_at IS NULL;
	RETURN NULL;
END
$$;

CREATE TRIGGER not_duplicates_clear AFTER UPDATE ON customers FOR EACH ROW
WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name
	OR OLD.company IS DISTINCT FROM NEW.company OR OLD.email IS DISTINCT FROM NEW.email
	OR OLD.phone IS DISTINCT FROM NEW.phone OR OLD.address_line1 IS DISTINCT FROM NEW.address_line1
	OR OLD.city IS DISTINCT FROM NEW.city OR OLD.region IS DISTINCT FROM NEW.region
	OR OLD.postal_code IS DISTINCT FROM NEW.postal_code OR OLD.country IS DISTINCT FROM NEW.country
	OR OLD.birth_date IS DISTINCT FROM NEW.birth_date OR OLD.national_id IS DISTINCT FROM NEW.national_id)
EXECUTE FUNCTION not_duplicates_clear();
