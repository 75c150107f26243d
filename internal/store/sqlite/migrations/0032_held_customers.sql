-- A customer may be held: a suspected duplicate an import held back until
-- a steward decides (gate.on_duplicate: hold). SQLite cannot alter a CHECK
-- constraint; widening one that every row already meets is the case its
-- documentation allows to change in the schema text itself (ALTER TABLE,
-- "other kinds of table schema changes"). The migration runner bumps the
-- schema version after a migration that writes the schema.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (status IN (''active'', ''merged'', ''erased''))',
                       'CHECK (status IN (''active'', ''merged'', ''erased'', ''held''))')
WHERE type = 'table' AND name = 'customers';
PRAGMA writable_schema = OFF;
