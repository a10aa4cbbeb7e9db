package audit

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/askfirst/askfirst/signals"
)

// The licensing bill (DESIGN §3.3, §9). An item is billed for a use only
// when its verdict for that use is license, at the offer the verdict
// carries; one line per rights holder and offer. A use that is denied
// while its holder offers a licence, D(offer), is never priced: the item
// is listed apart, in ask-the-holder.csv, because the reservation stands
// until the developer holds the licence. A licence required without an
// offer is listed there too, with the item's domain as the holder.

// holderKey names a rights holder: the holder, and the organisation that
// made the offer for it.
type holderKey struct {
	Holder, Organisation string
}

// offerKey identifies one bill line.
type offerKey struct {
	holderKey
	Price, Currency, Per, Terms, Contact string
}

type billLine struct {
	offerKey
	Items int64
	// Units counts what the price is paid for: items, or item and use
	// pairs for an offer per item and use.
	Units int64
	Uses  map[string]bool
}

// askKey identifies one ask-the-holder line.
type askKey struct {
	holderKey
	Terms, Contact string
}

type askLine struct {
	askKey
	Items int64
	Uses  map[string]bool
}

type bill struct {
	offers map[offerKey]*billLine
	ask    map[askKey]*askLine
}

func newBill() *bill {
	return &bill{offers: map[offerKey]*billLine{}, ask: map[askKey]*askLine{}}
}

// add bills one item's verdicts for the audited uses. It returns the
// holders it was billed to, and whether it was listed to ask a holder.
func (b *bill) add(uses []string, verdicts map[string]*Verdict, domain string) (billed []holderKey, asked bool) {
	seen := map[offerKey]bool{}
	seenAsk := map[askKey]bool{}
	for _, u := range uses {
		v := verdicts[u]
		if v == nil {
			continue
		}
		o := v.Offer
		switch {
		case v.Verdict == signals.License && o != nil:
			k := offerKey{holderKey: holderOf(o, domain), Price: o.Price, Currency: o.Currency, Per: o.Per, Terms: o.Terms, Contact: o.Contact}
			l := b.offers[k]
			if l == nil {
				l = &billLine{offerKey: k, Uses: map[string]bool{}}
				b.offers[k] = l
			}
			l.Uses[u] = true
			if perUse(k.Per) {
				l.Units++
			}
			if !seen[k] {
				seen[k] = true
				l.Items++
				if !perUse(k.Per) {
					l.Units++
				}
				if !slices.Contains(billed, k.holderKey) {
					billed = append(billed, k.holderKey)
				}
			}
		case v.Verdict == signals.Deny && o != nil, v.Verdict == signals.License:
			if o == nil {
				o = &signals.Offer{}
			}
			k := askKey{holderKey: holderOf(o, domain), Terms: o.Terms, Contact: o.Contact}
			l := b.ask[k]
			if l == nil {
				l = &askLine{askKey: k, Uses: map[string]bool{}}
				b.ask[k] = l
			}
			l.Uses[u] = true
			if !seenAsk[k] {
				seenAsk[k] = true
				l.Items++
				asked = true
			}
		}
	}
	return billed, asked
}

// perUse reports whether an offer's price is per item and per use.
func perUse(per string) bool { return per == "item and use" }

// perItem reports whether an offer's price is paid per item, so that the
// bill can total it: the registry's "item" and "item and use", and RSL's
// purchase, training and crawl payments. A subscription, a payment per
// use at inference, a contribution or attribution is not totalled.
func perItem(per string) bool {
	switch per {
	case "", "item", "item and use", "purchase", "training", "crawl":
		return true
	}
	return false
}

// holderOf names the rights holder of an offer: the holder the mechanism
// names (with the organisation that offered for it), else its contact's
// host or address, else its terms' host, else the item's domain.
func holderOf(o *signals.Offer, domain string) holderKey {
	if o.Holder != "" {
		return holderKey{o.Holder, o.Organisation}
	}
	if c := o.Contact; c != "" {
		if strings.HasPrefix(c, "mailto:") {
			c = strings.TrimPrefix(c, "mailto:")
			if i := strings.IndexByte(c, '@'); i >= 0 {
				return holderKey{Holder: strings.ToLower(c[i+1:])}
			}
			return holderKey{Holder: c}
		}
		if u, err := url.Parse(c); err == nil && u.Host != "" {
			return holderKey{Holder: strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")}
		}
		return holderKey{Holder: c}
	}
	if o.Terms != "" {
		if u, err := url.Parse(o.Terms); err == nil && u.Host != "" {
			return holderKey{Holder: strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")}
		}
	}
	return holderKey{Holder: domain}
}

// BillLine is one row of bill.csv.
type BillLine struct {
	Holder       string
	Organisation string
	Items        int64
	Uses         []string
	UnitPrice    string
	Currency     string
	Per          string
	Total        string
	Contact      string
	Terms        string
}

// AskLine is one row of ask-the-holder.csv and of report.json's
// ask_the_holder: items reserved for uses whose holder offers a licence.
type AskLine struct {
	Holder       string   `json:"holder"`
	Organisation string   `json:"organisation,omitempty"`
	Items        int64    `json:"items"`
	Uses         []string `json:"uses"`
	Contact      string   `json:"contact,omitempty"`
	Terms        string   `json:"terms,omitempty"`
}

func sortedUses(m map[string]bool) []string {
	uses := make([]string, 0, len(m))
	for u := range m {
		uses = append(uses, u)
	}
	slices.Sort(uses)
	return uses
}

func (b *bill) lines() []BillLine {
	var out []BillLine
	for _, l := range b.offers {
		total := ""
		if perItem(l.Per) {
			total = multiply(l.Price, l.Units)
		}
		out = append(out, BillLine{Holder: l.Holder, Organisation: l.Organisation, Items: l.Items, Uses: sortedUses(l.Uses),
			UnitPrice: l.Price, Currency: l.Currency, Per: l.Per, Total: total, Contact: l.Contact, Terms: l.Terms})
	}
	sort.Slice(out, func(i, j int) bool {
		x, y := out[i], out[j]
		return cmpStrings(x.Holder, y.Holder, x.Organisation, y.Organisation, x.Terms, y.Terms, x.UnitPrice, y.UnitPrice,
			x.Currency, y.Currency, x.Per, y.Per, x.Contact, y.Contact) < 0
	})
	return out
}

func (b *bill) askLines() []AskLine {
	var out []AskLine
	for _, l := range b.ask {
		out = append(out, AskLine{Holder: l.Holder, Organisation: l.Organisation, Items: l.Items, Uses: sortedUses(l.Uses),
			Contact: l.Contact, Terms: l.Terms})
	}
	sort.Slice(out, func(i, j int) bool {
		x, y := out[i], out[j]
		return cmpStrings(x.Holder, y.Holder, x.Organisation, y.Organisation, x.Terms, y.Terms, x.Contact, y.Contact) < 0
	})
	return out
}

// cmpStrings compares pairs (x1, y1, x2, y2, ...) in order.
func cmpStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := strings.Compare(pairs[i], pairs[i+1]); c != 0 {
			return c
		}
	}
	return 0
}

// multiply returns price × n exactly, or "" when the price is not a
// decimal number (a licence to negotiate).
func multiply(price string, n int64) string {
	p, ok := new(big.Rat).SetString(strings.TrimSpace(price))
	if !ok || price == "" {
		return ""
	}
	t := new(big.Rat).Mul(p, new(big.Rat).SetInt64(n))
	dec := 2
	if i := strings.IndexByte(price, '.'); i >= 0 && len(price)-i-1 > dec {
		dec = len(price) - i - 1
	}
	return t.FloatString(dec)
}

// write writes bill.csv and ask-the-holder.csv into out.
func (b *bill) write(out string) error {
	rows := [][]string{{"rights_holder", "organisation", "items", "uses", "unit_price", "currency", "per", "total", "contact", "terms_url"}}
	for _, l := range b.lines() {
		rows = append(rows, []string{l.Holder, l.Organisation, strconv.FormatInt(l.Items, 10), strings.Join(l.Uses, " "),
			l.UnitPrice, l.Currency, l.Per, l.Total, l.Contact, l.Terms})
	}
	if err := writeCSV(filepath.Join(out, "bill.csv"), rows); err != nil {
		return err
	}
	rows = [][]string{{"rights_holder", "organisation", "items", "uses", "contact", "terms_url"}}
	for _, l := range b.askLines() {
		rows = append(rows, []string{l.Holder, l.Organisation, strconv.FormatInt(l.Items, 10), strings.Join(l.Uses, " "), l.Contact, l.Terms})
	}
	return writeCSV(filepath.Join(out, "ask-the-holder.csv"), rows)
}

// writeCSV writes rows to path (through a temporary file), every cell
// neutralised against formula injection.
func writeCSV(path string, rows [][]string) error {
	f, err := os.Create(path + ".partial")
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = neutralise(c)
		}
		w.Write(cells)
	}
	w.Flush()
	if err := errors.Join(w.Error(), f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(path+".partial", path)
}

// neutralise keeps a spreadsheet from reading a cell as a formula: a cell
// that begins with =, +, -, @, a tab or a carriage return (the OWASP CSV
// injection list) gets a leading apostrophe, which spreadsheets hide and
// which shows a reader of the file that the value was neutralised.
func neutralise(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
