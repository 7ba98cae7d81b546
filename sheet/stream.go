package sheet

import (
	"errors"
	"fmt"
	"io"

	"github.com/kexi/kexi"
)

// StreamRows is the number of records a batch of Stream holds by default: enough that the
// per-batch work of a store (preparing statements, one bulk insert's tail) does not show,
// small enough that a batch of orders stays within a few tens of MB.
const StreamRows = 32768

// Stream reads a file as Read does, but hands its records to put in batches of about rows
// records of the file's kind (StreamRows when rows <= 0) instead of keeping them all, so that
// only one batch of records is in memory. (What it keeps for the whole file is per id: the ids
// seen, for duplicates, and, in a file with order ids, the orders sent.) Importing the batches in order, in one transaction,
// gives the same database as importing Read's one Batch: every rule that needs the whole file
// holds across batches.
//
//   - An order's lines that come one after another are never split between batches (the
//     order being built when a batch is full goes with the next one). An order whose lines
//     come back after a batch was cut makes Stream return an error that ErrSpread matches;
//     read the file whole (Read) then.
//   - A customer a record names goes with the first batch naming it (the first row wins);
//     a product goes again with a later batch only when a later line fills its name or
//     category, as Read fills them.
//   - Custom field types are inferred from every value in the file: when the file has custom
//     columns and does not fit in one batch, Stream reads it twice (the first time only to
//     infer the types), which is why r is an io.ReadSeeker.
//   - Without SkipInvalid a bad row sends no further batch; the rest is read to report every
//     bad row, and Stream returns Read's error: the caller must roll back what put wrote.
//   - Only customers and orders files are cut into batches; the other kinds come as one batch.
//
// Each batch shares Present with the others. put must be done with a batch when it returns.
// An error from put stops the reading and is returned as it is. The Result is Read's, with an
// empty Batch; Result.Records counts the records sent.
func Stream(r io.ReadSeeker, name string, opt Options, rows int, put func(*kexi.Batch) error) (*Result, error) {
	if rows <= 0 {
		rows = StreamRows
	}
	st := &streamer{rows: rows, put: put}
	res, err := readRows(r, name, opt, st)
	if !errors.Is(err, errNeedTypes) {
		return st.result(res), err
	}
	// First pass: the types of the custom fields, from every row. Then the import.
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return res, fmt.Errorf("read %s again: %w", name, err)
	}
	infer := &streamer{rows: rows, infer: true}
	if res, err = readRows(r, name, opt, infer); err != nil {
		return res, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return res, fmt.Errorf("read %s again: %w", name, err)
	}
	st = &streamer{rows: rows, put: put, types: infer.b.fixTypes(infer.guess)}
	res, err = readRows(r, name, opt, st)
	return st.result(res), err
}

// ErrSpread is matched (errors.Is) by the error Stream returns for a file whose order has
// lines far apart, in two batches.
var ErrSpread = errors.New("an order's lines are spread over the file")

type spreadError struct {
	file  string
	row   int
	order string
}

func (e *spreadError) Error() string {
	return fmt.Sprintf("%s row %d: order %s has lines before the batch being read", e.file, e.row, e.order)
}

func (e *spreadError) Is(target error) bool { return target == ErrSpread }

// errNeedTypes stops a Stream whose custom fields need their types before a first batch goes.
var errNeedTypes = errors.New("custom field types needed")

// streamer is the state of one Stream pass.
type streamer struct {
	rows  int
	put   func(*kexi.Batch) error
	cuts  bool // a batch was cut before the end of the file
	count int  // records sent, products sent again not counted

	infer bool // a pass that only infers the types of custom fields
	guess map[string]*typeGuess
	types map[string]kexi.FieldType // the custom fields' types, from the first pass
	// declared: the custom fields went with the first batch.
	declared bool
	b        *builder
}

func (st *streamer) result(res *Result) *Result {
	if res != nil {
		res.Records = st.count
		res.Batch = &kexi.Batch{}
	}
	return res
}

// full reports whether the batch being built holds rows records of the file's kind.
func (b *builder) full(rows int) bool {
	switch b.kind.name {
	case kexi.KindOrders:
		return len(b.res.Batch.Orders) >= rows
	case kexi.KindCustomers:
		return len(b.res.Batch.Customers) >= rows
	}
	return false
}

// cut sends the batch being built and starts the next. last is set at the end of the file.
func (b *builder) cut(st *streamer, last bool) error {
	st.b = b
	bt := b.res.Batch
	if !st.cuts && !last && !st.infer && st.types == nil && b.hasCustom() {
		return errNeedTypes
	}
	st.cuts = true
	// The order being built may get more lines from the next rows: it goes with the next batch.
	var carry *kexi.Order
	if !last && b.kind.name == kexi.KindOrders && len(bt.Orders) > 0 {
		o := bt.Orders[len(bt.Orders)-1]
		carry = &o
		bt.Orders = bt.Orders[:len(bt.Orders)-1]
	}
	b.totals(bt.Orders)
	maps := customMaps(bt)
	if st.infer {
		st.guess = b.guessTypes(st.guess, maps)
	} else if st.types != nil {
		canonical(maps, st.types)
		if !st.declared {
			st.declared = true
			b.declare(st.types)
		}
	}
	if err := st.send(b, bt); err != nil {
		return err
	}
	// What later rows must know of this batch.
	for i := range bt.Orders {
		if ext := bt.Orders[i].ExternalID; ext != "" {
			if b.hasID {
				b.orderIdx[ext] = -1 // sent: more lines for it cannot follow (see spread)
			} else {
				delete(b.orderIdx, ext) // a generated id is the row's: no later row has it
			}
		}
	}
	if len(bt.Products) > 0 && b.prodSent == nil {
		b.prodSent = map[string]kexi.Product{}
	}
	for _, p := range bt.Products {
		b.prodSent[p.ExternalID] = p
	}
	clear(b.prodIdx)
	nb := &kexi.Batch{Present: bt.Present}
	if carry != nil {
		nb.Orders = append(make([]kexi.Order, 0, min(st.rows+1, 1024)), *carry)
		if carry.ExternalID != "" {
			b.orderIdx[carry.ExternalID] = 0
		}
		if b.lastOrder == len(bt.Orders) {
			b.lastOrder = 0
		} else {
			b.lastOrder = -1
		}
	} else {
		b.lastOrder = -1
	}
	b.res.Batch = nb
	return nil
}

// hasCustom reports whether the file has columns kept as custom fields.
func (b *builder) hasCustom() bool {
	for _, c := range b.cols {
		if c.custom != "" {
			return true
		}
	}
	return false
}

// send hands a batch to put, unless a bad row (without SkipInvalid) means nothing is imported.
func (st *streamer) send(b *builder, bt *kexi.Batch) error {
	if st.infer || (len(b.res.Rejects) > 0 && !b.opt.SkipInvalid) {
		return nil
	}
	st.count += bt.Len() - b.resent
	b.resent = 0
	if st.put == nil {
		return nil
	}
	return st.put(bt)
}
