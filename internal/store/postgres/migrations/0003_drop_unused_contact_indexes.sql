-- No query looks customers up by their raw email or phone, and every new
-- customer paid for two random inserts into these indexes: about half of
-- what an import into a database of a million customers costs the store.
-- Duplicates are found through the import gate's own index; a search by
-- email or phone should add the index it needs, on the key it searches.
DROP INDEX customers_email;
DROP INDEX customers_phone;
