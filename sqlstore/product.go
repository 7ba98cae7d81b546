package sqlstore

import (
	"context"
	"time"

	"github.com/kexi/kexi"
)

var products = &entity[kexi.Product]{
	table: "products", kind: kexi.KindProducts,
	fields: []field[kexi.Product]{
		{name: "external_id", col: "external_id", typ: tText, get: func(_ *crypt, x *kexi.Product) any { return nullStr(x.ExternalID) }},
		{name: "name", col: "name", typ: tText, get: text(func(x *kexi.Product) string { return x.Name })},
		{name: "category", col: "category", typ: tText, get: text(func(x *kexi.Product) string { return x.Category })},
		{name: "price", col: "price", typ: tNum, get: num(func(x *kexi.Product) float64 { return x.Price })},
		{name: "cost", col: "cost", typ: tNum, get: num(func(x *kexi.Product) float64 { return x.Cost })},
	},
	alias: map[string]string{"sku": "external_id"},
	query: []string{"name", "external_id", "category"},
	sel:   "t.id, coalesce(t.external_id, ''), t.name, t.category, t.price, t.cost, t.created_at, t.updated_at",
	from:  "products t",
	scan: func(sc scanner, _ *scanning, x *kexi.Product) error {
		var created, updated int64
		err := sc.Scan(&x.ID, &x.ExternalID, &x.Name, &x.Category, &x.Price, &x.Cost, &created, &updated)
		x.CreatedAt, x.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		return err
	},
	id:     func(x *kexi.Product) *int64 { return &x.ID },
	ext:    func(x *kexi.Product) string { return x.ExternalID },
	stamps: func(x *kexi.Product) (*time.Time, *time.Time) { return &x.CreatedAt, &x.UpdatedAt },
}

// FindProductByID returns one product, or ENOTFOUND.
func (db *DB) FindProductByID(ctx context.Context, id int64) (*kexi.Product, error) {
	return products.byID(ctx, db.r, db.c, id)
}

// FindProducts returns the products matching f and their total count.
func (db *DB) FindProducts(ctx context.Context, f kexi.Filter) ([]*kexi.Product, int, error) {
	return products.find(ctx, db, f)
}

// CreateProduct stores a new product (ExternalID is its SKU). ECONFLICT on a taken SKU.
func (db *DB) CreateProduct(ctx context.Context, p *kexi.Product) error {
	return create(ctx, db, products, p, func(p *kexi.Product) error { return validateProduct(p, 0) }, nil)
}

// UpdateProduct rewrites the product with p.ID. ENOTFOUND when absent.
func (db *DB) UpdateProduct(ctx context.Context, p *kexi.Product) error {
	return update(ctx, db, products, p, func(p *kexi.Product) error { return validateProduct(p, 0) }, nil)
}

// DeleteProduct deletes a product; order lines keep their SKU and lose the product id.
// ENOTFOUND when absent.
func (db *DB) DeleteProduct(ctx context.Context, id int64) error {
	return remove(ctx, db, products, id)
}
