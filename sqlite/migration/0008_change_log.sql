-- The change log: what each write that moved the data version touched, so that a server holding
-- the analysis table at an older version refreshes the customers that changed instead of
-- reloading everything (DB.Changes). One row per (version, part, customer): part is a Dataset
-- part by name (customers, orders, interactions, events, surveys, responses, products, leads,
-- campaigns, competitors, settings), or '*' for everything (an import). customer_id is the
-- customer whose records changed, 0 for records without a customer, NULL for a part that
-- changed as a whole. Only the last few thousand versions are kept.
CREATE TABLE change_log (
	version     INTEGER NOT NULL,
	part        TEXT NOT NULL,
	customer_id INTEGER
);
CREATE INDEX change_log_version ON change_log(version);
