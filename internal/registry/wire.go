package registry

// The registry's rows as the API shows them (package wire): the one place
// that turns store types into wire types.

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/iscc"
	"github.com/askfirst/askfirst/wire"
)

// wireTime formats a time as the wire does (wire.TimeLayout); a zero time
// is empty.
func wireTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(wire.TimeLayout)
}

// AccountOut is an account as the API shows it.
func AccountOut(a store.Account) wire.Account {
	return wire.Account{ID: a.ID, Kind: a.Kind, Name: a.Name, Created: wireTime(a.CreatedAt), LogIndex: a.LogIndex}
}

// UnitsOut puts a work's units in the fields of their kinds. A work has one
// unit of each kind, except works registered with several units of one
// kind before units were an object: the first of each kind is shown.
func UnitsOut(us []store.Unit) wire.Units {
	var out wire.Units
	for _, u := range us {
		var f *string
		switch u.Kind {
		case "meta":
			f = &out.Meta
		case "semantic":
			f = &out.Semantic
		case "content":
			f = &out.Content
		case "data":
			f = &out.Data
		case "instance":
			f = &out.Instance
		}
		if f != nil && *f == "" {
			*f = u.Code
		}
	}
	return out
}

// WorkOut is a work as the API shows it.
func WorkOut(w store.Work) wire.Work {
	out := wire.Work{ID: w.ID, Account: w.AccountID, ISCC: w.ISCC, Units: UnitsOut(w.Units), Datahash: w.Datahash,
		Mediatype: w.Mediatype, Filesize: w.Filesize, Title: w.Title, Creator: w.Creator, Created: wireTime(w.CreatedAt), LogIndex: w.LogIndex}
	if w.RegisteredBy != w.AccountID {
		out.RegisteredBy = w.RegisteredBy
	}
	if w.PDQ != nil {
		out.PDQ = &wire.PDQ{Hash: hex.EncodeToString(w.PDQ), Quality: w.PDQQuality}
	}
	for _, l := range w.Locators {
		out.Locators = append(out.Locators, l.URL)
	}
	return out
}

// DeclarationOut is a declaration as the API shows it.
func DeclarationOut(d store.Declaration) wire.Declaration {
	return wire.Declaration{ID: d.ID, Account: d.AccountID, OnBehalfOf: d.OnBehalfOf, Subject: d.Subject, Terms: d.Terms,
		Supersedes: d.Supersedes, SupersededBy: d.SupersededBy, Signed: d.Signature != nil, Created: wireTime(d.CreatedAt), LogIndex: d.LogIndex}
}

// CampaignOut is a campaign as the API shows it; organiser is the
// organising account's name.
func CampaignOut(c store.Campaign, organiser string) wire.Campaign {
	return wire.Campaign{ID: c.ID, Account: c.AccountID, AccountName: organiser, Title: c.Title, Statement: c.Statement,
		Created: wireTime(c.CreatedAt), LogIndex: c.LogIndex}
}

// entryUnits reads the units of a work's log entry: an object of the
// wire's shape, or, in entries written before it, an array of
// {"Kind","Bits","Code"}.
func entryUnits(raw json.RawMessage) ([]store.Unit, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '[' {
		var old []struct {
			Kind string
			Bits int
			Code string
		}
		if err := json.Unmarshal(raw, &old); err != nil {
			return nil, err
		}
		out := make([]store.Unit, len(old))
		for i, u := range old {
			out[i] = store.Unit{Kind: u.Kind, Bits: u.Bits, Code: u.Code}
		}
		return out, nil
	}
	var us wire.Units
	if err := json.Unmarshal(raw, &us); err != nil {
		return nil, err
	}
	var out []store.Unit
	for _, s := range us.Codes() {
		c, err := iscc.Decode(s)
		if err != nil {
			return nil, fmt.Errorf("unit %q: %w", s, err)
		}
		out = append(out, store.Unit{Kind: unitKind(c), Bits: c.Bits(), Code: c.String()})
	}
	return out, nil
}
