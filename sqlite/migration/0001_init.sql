-- 0001: the whole kexi schema. Times are INTEGER unix milliseconds (UTC), NULL when unknown.
-- Empty external ids are stored as NULL so that the unique index ignores them.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value BLOB
) WITHOUT ROWID;

CREATE TABLE customers (
	id          INTEGER PRIMARY KEY,
	external_id TEXT UNIQUE,
	name        TEXT NOT NULL DEFAULT '',
	kind        TEXT NOT NULL DEFAULT '',
	gender      TEXT NOT NULL DEFAULT '',
	birth_date  INTEGER,
	age         INTEGER NOT NULL DEFAULT 0,
	income      REAL NOT NULL DEFAULT 0,
	income_band TEXT NOT NULL DEFAULT '',
	occupation  TEXT NOT NULL DEFAULT '',
	education   TEXT NOT NULL DEFAULT '',
	country     TEXT NOT NULL DEFAULT '',
	province    TEXT NOT NULL DEFAULT '',
	city        TEXT NOT NULL DEFAULT '',
	phone_enc   BLOB,
	phone_mac   BLOB,
	email_enc   BLOB,
	email_mac   BLOB,
	channel     TEXT NOT NULL DEFAULT '',
	campaign    TEXT NOT NULL DEFAULT '',
	owner       TEXT NOT NULL DEFAULT '',
	tags        TEXT,
	churned     INTEGER NOT NULL DEFAULT 0,
	churned_at  INTEGER,
	custom      TEXT,
	stub        INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX customers_owner ON customers(owner);
CREATE INDEX customers_province ON customers(province);

CREATE TABLE products (
	id          INTEGER PRIMARY KEY,
	external_id TEXT UNIQUE,
	name        TEXT NOT NULL DEFAULT '',
	category    TEXT NOT NULL DEFAULT '',
	price       REAL NOT NULL DEFAULT 0,
	cost        REAL NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);

CREATE TABLE campaigns (
	id             INTEGER PRIMARY KEY,
	external_id    TEXT UNIQUE,
	name           TEXT NOT NULL DEFAULT '',
	channel        TEXT NOT NULL DEFAULT '',
	start_at       INTEGER,
	end_at         INTEGER,
	cost           REAL NOT NULL DEFAULT 0,
	target_segment TEXT NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
);

CREATE TABLE orders (
	id          INTEGER PRIMARY KEY,
	external_id TEXT UNIQUE,
	customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
	ordered_at  INTEGER NOT NULL,
	amount      REAL NOT NULL DEFAULT 0,
	cost        REAL NOT NULL DEFAULT 0,
	shipping    REAL NOT NULL DEFAULT 0,
	discount    REAL NOT NULL DEFAULT 0,
	returned    REAL NOT NULL DEFAULT 0,
	channel     TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL DEFAULT '',
	province    TEXT NOT NULL DEFAULT '',
	city        TEXT NOT NULL DEFAULT '',
	items_hash  INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX orders_customer ON orders(customer_id, ordered_at);

-- order_items is clustered by order so that loading all items in order id order is one scan.
CREATE TABLE order_items (
	order_id   INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
	line       INTEGER NOT NULL,
	product_id INTEGER REFERENCES products(id) ON DELETE SET NULL,
	sku        TEXT NOT NULL DEFAULT '',
	name       TEXT NOT NULL DEFAULT '',
	category   TEXT NOT NULL DEFAULT '',
	quantity   REAL NOT NULL DEFAULT 0,
	unit_price REAL NOT NULL DEFAULT 0,
	unit_cost  REAL NOT NULL DEFAULT 0,
	PRIMARY KEY (order_id, line)
) WITHOUT ROWID;

CREATE TABLE interactions (
	id          INTEGER PRIMARY KEY,
	external_id TEXT UNIQUE,
	customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
	at          INTEGER NOT NULL,
	kind        TEXT NOT NULL DEFAULT '',
	channel     TEXT NOT NULL DEFAULT '',
	minutes     REAL NOT NULL DEFAULT 0,
	rep         TEXT NOT NULL DEFAULT '',
	subject     TEXT NOT NULL DEFAULT '',
	notes       TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX interactions_customer ON interactions(customer_id);

CREATE TABLE events (
	id           INTEGER PRIMARY KEY,
	external_id  TEXT UNIQUE,
	customer_id  INTEGER REFERENCES customers(id) ON DELETE CASCADE,
	anonymous_id TEXT NOT NULL DEFAULT '',
	at           INTEGER NOT NULL,
	type         TEXT NOT NULL DEFAULT '',
	page         TEXT NOT NULL DEFAULT '',
	dwell        REAL NOT NULL DEFAULT 0,
	session_id   TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
);
CREATE INDEX events_customer ON events(customer_id);

CREATE TABLE surveys (
	id          INTEGER PRIMARY KEY,
	external_id TEXT UNIQUE,
	customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
	at          INTEGER NOT NULL,
	kind        TEXT NOT NULL,
	score       REAL NOT NULL,
	channel     TEXT NOT NULL DEFAULT '',
	comment     TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX surveys_customer ON surveys(customer_id);

CREATE TABLE leads (
	id          INTEGER PRIMARY KEY,
	external_id TEXT UNIQUE,
	name        TEXT NOT NULL DEFAULT '',
	company     TEXT NOT NULL DEFAULT '',
	source      TEXT NOT NULL DEFAULT '',
	campaign    TEXT NOT NULL DEFAULT '',
	owner       TEXT NOT NULL DEFAULT '',
	stage       TEXT NOT NULL DEFAULT '',
	lost_reason TEXT NOT NULL DEFAULT '',
	value       REAL NOT NULL DEFAULT 0,
	customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
	custom      TEXT,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX leads_owner ON leads(owner);
CREATE INDEX leads_customer ON leads(customer_id);

CREATE TABLE lead_stages (
	lead_id    INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
	stage      TEXT NOT NULL,
	entered_at INTEGER NOT NULL,
	PRIMARY KEY (lead_id, stage)
) WITHOUT ROWID;

CREATE TABLE responses (
	id          INTEGER PRIMARY KEY,
	external_id TEXT UNIQUE,
	campaign_id INTEGER REFERENCES campaigns(id) ON DELETE CASCADE,
	customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
	at          INTEGER,
	kind        TEXT NOT NULL DEFAULT '',
	value       REAL NOT NULL DEFAULT 0,
	control     INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX responses_campaign ON responses(campaign_id);
CREATE INDEX responses_customer ON responses(customer_id);

CREATE TABLE competitors (
	id          INTEGER PRIMARY KEY,
	external_id TEXT UNIQUE,
	name        TEXT NOT NULL DEFAULT '',
	self        INTEGER NOT NULL DEFAULT 0,
	products    TEXT NOT NULL DEFAULT '',
	positioning TEXT NOT NULL DEFAULT '',
	notes       TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);

CREATE TABLE market_shares (
	competitor_id INTEGER NOT NULL REFERENCES competitors(id) ON DELETE CASCADE,
	period        TEXT NOT NULL,
	region        TEXT NOT NULL DEFAULT '',
	share         REAL NOT NULL,
	PRIMARY KEY (competitor_id, period, region)
) WITHOUT ROWID;

CREATE TABLE swot (
	id          INTEGER PRIMARY KEY,
	external_id TEXT UNIQUE,
	kind        TEXT NOT NULL,
	text        TEXT NOT NULL DEFAULT '',
	impact      INTEGER NOT NULL DEFAULT 0,
	scope       TEXT NOT NULL DEFAULT '',
	metric      TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);

CREATE TABLE custom_fields (
	entity  TEXT NOT NULL,
	name    TEXT NOT NULL,
	type    TEXT NOT NULL,
	choices TEXT,
	PRIMARY KEY (entity, name)
) WITHOUT ROWID;

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	login         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL DEFAULT '',
	role          TEXT NOT NULL,
	region        TEXT NOT NULL DEFAULT '',
	lang          TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf       TEXT NOT NULL DEFAULT '',
	api        INTEGER NOT NULL DEFAULT 0,
	name       TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE audit (
	id     INTEGER PRIMARY KEY,
	at     INTEGER NOT NULL,
	login  TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	entity TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
