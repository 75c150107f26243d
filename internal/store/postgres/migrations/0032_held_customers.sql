-- A customer may be held: a suspected duplicate an import held back until
-- a steward decides (gate.on_duplicate: hold).
ALTER TABLE customers DROP CONSTRAINT customers_status_check;
ALTER TABLE customers ADD CONSTRAINT customers_status_check CHECK (status IN ('active', 'merged', 'erased', 'held'));
