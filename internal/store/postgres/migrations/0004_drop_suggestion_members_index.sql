-- No query looks suggestions up by a member customer (the store finds a
-- pair by member_key), and every suggestion written paid for its GIN
-- entries: about 6 µs of server CPU per suggestion an import stores. A
-- search by member should add the index it needs.
DROP INDEX suggestions_members;
