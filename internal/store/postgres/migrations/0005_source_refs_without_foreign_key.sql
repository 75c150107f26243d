-- A source reference's foreign key cost every reference written a look-up
-- and a row lock (WAL-logged) on its customer: a third of the server's time
-- to store a new customer from an import. The store writes references in
-- CreateCustomers only, for the customers it has just created in the same
-- transaction, and no customer row is ever deleted (erasure keeps it), so
-- the key could never fail.
ALTER TABLE source_refs DROP CONSTRAINT source_refs_customer_id_fkey;
