-- A lead's province places an unconverted lead in a regional manager's region (a converted lead
-- is in its customer's).
ALTER TABLE leads ADD COLUMN province TEXT NOT NULL DEFAULT '';
CREATE INDEX leads_province ON leads(province) WHERE customer_id IS NULL;
