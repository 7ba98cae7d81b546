package postgres

// summary is the dialect's Summary: kexi.CustomerSummary's query (see its doc), one query
// grouped by customer id over an inner grouping by (customer, day), the two joined on customer
// id only, so that a PostgreSQL that shards orders by customer id runs it on each shard. Every
// sum is an ordered aggregate, in the (time, id) order kexi.Summarize adds in: a float sum in
// another order differs in its last bits. NaN is above every number in PostgreSQL, so a NaN
// amount is left out by name.
func summary(where string) string {
	return `WITH p AS (
	SELECT coalesce(t.customer_id, 0) AS customer_id, t.id, t.ordered_at AS at, t.amount,
	       (to_timestamp(t.ordered_at / 1000.0) AT TIME ZONE CAST(? AS text))::date - date '1970-01-01' AS day
	FROM orders t
	WHERE ` + where + ` AND t.amount >= 0 AND t.amount <> 'NaN' AND t.status NOT IN ('return', 'cancelled')
), d AS (
	SELECT customer_id, day, sum(amount ORDER BY at, id) AS value,
	       row_number() OVER (PARTITION BY customer_id ORDER BY day) AS k
	FROM p GROUP BY customer_id, day
), c AS (
	SELECT customer_id, count(*) AS days, min(day) AS first_day, max(day) AS last_day,
	       coalesce(sum(value ORDER BY day) FILTER (WHERE k > 1 AND value > 0), 0) AS repeat_value,
	       count(*) FILTER (WHERE k > 1 AND value > 0) AS repeat_paid
	FROM d GROUP BY customer_id
)
SELECT p.customer_id, count(*), sum(p.amount ORDER BY p.at, p.id), min(p.at), max(p.at),
       min(c.days), min(c.first_day), min(c.last_day), min(c.repeat_value), min(c.repeat_paid)
FROM p JOIN c USING (customer_id)
GROUP BY p.customer_id ORDER BY p.customer_id`
}
