package match

import (
	"fmt"
	"math"
	"math/big"
	"slices"
)

// UnitType names a kind of content code. Codes of different types are never
// compared with each other.
type UnitType string

// Unit types of ISCC (ISO 24138 §5: Meta, Content subtypes, Data) and PDQ.
const (
	ISCCMeta         UnitType = "iscc-meta"
	ISCCContentText  UnitType = "iscc-content-text"
	ISCCContentImage UnitType = "iscc-content-image"
	ISCCContentAudio UnitType = "iscc-content-audio"
	ISCCContentVideo UnitType = "iscc-content-video"
	ISCCContentMixed UnitType = "iscc-content-mixed"
	ISCCData         UnitType = "iscc-data"
	PDQ              UnitType = "pdq"
)

// Kind is a unit type at a code size: ISCC units come as 64-bit units and
// as 256-bit extended units; PDQ hashes are 256-bit.
type Kind struct {
	Type UnitType
	Bits int // 64 or 256
}

func (k Kind) String() string { return fmt.Sprintf("%s/%d", k.Type, k.Bits) }

// Unit is one content code of an item.
type Unit struct {
	Kind
	Code Code256 // a 64-bit code is Code[0]; the other words are zero
}

// Unit64 returns a 64-bit unit.
func Unit64(t UnitType, code uint64) Unit {
	return Unit{Kind: Kind{t, 64}, Code: Code256{code}}
}

// Unit256 returns a 256-bit unit.
func Unit256(t UnitType, code Code256) Unit {
	return Unit{Kind: Kind{t, 256}, Code: code}
}

func (u Unit) distance(v Unit) int {
	if u.Bits == 64 {
		return Distance64(u.Code[0], v.Code[0])
	}
	return Distance256(u.Code, v.Code)
}

// Thresholds gives, per kind of unit, the largest Hamming distance at which
// two codes count as the same work (inclusive). Kinds absent from the table
// are ignored when confirming.
type Thresholds map[Kind]int

// DefaultThresholds returns the thresholds of DESIGN §4: 8 of 64 bits for
// ISCC units, 32 of 256 bits for extended ISCC units (the same fraction),
// and 31 of 256 bits for PDQ (ThreatExchange's recommended starting point).
// Their false-match rates are in the package documentation.
func DefaultThresholds() Thresholds {
	t := Thresholds{{PDQ, 256}: 31}
	for _, u := range []UnitType{ISCCMeta, ISCCContentText, ISCCContentImage, ISCCContentAudio, ISCCContentVideo, ISCCContentMixed, ISCCData} {
		t[Kind{u, 64}] = 8
		t[Kind{u, 256}] = 32
	}
	return t
}

// Confidence grades a candidate match after confirmation.
type Confidence string

const (
	// Confirmed: the unit the candidate was found on and every other unit
	// both sides have are within their thresholds, and either there are at
	// least two such units or the unit found on is 256 bits wide.
	Confirmed Confidence = "confirmed"
	// Unconfirmed: only one 64-bit unit is shared, so nothing could confirm
	// it; at registry scale such a match may be chance (DESIGN §4).
	Unconfirmed Confidence = "unconfirmed"
	// Rejected: some shared unit is beyond its threshold.
	Rejected Confidence = "rejected"
)

// Evidence is the comparison of one unit both sides have.
type Evidence struct {
	Kind
	Distance  int
	Threshold int
	Within    bool // Distance <= Threshold
}

// Confirmation is the outcome of Confirm.
type Confirmation struct {
	Confidence Confidence
	// Units holds the unit the candidate was found on first, then every
	// other kind both sides have and the table lists, in kind order.
	Units []Evidence
	// RandomRate is the probability that unrelated uniformly random codes
	// pass every compared unit: the product over Units of
	// P(Binomial(bits, 1/2) <= threshold). Real codes are not uniform; see
	// the measured rates in the package documentation.
	RandomRate float64
}

// Confirm checks a candidate found by a search on the unit of kind found
// against every other unit that the query and the candidate both have
// (DESIGN §4: retrieve on 64-bit units, confirm on 256-bit units or on a
// second unit). Each side holds at most one unit per kind. It returns an
// error if found has no threshold or is missing on either side, or if a side
// lists a kind twice.
func (t Thresholds) Confirm(found Kind, query, candidate []Unit) (Confirmation, error) {
	q, err := byKind(query, "query")
	if err != nil {
		return Confirmation{}, err
	}
	c, err := byKind(candidate, "candidate")
	if err != nil {
		return Confirmation{}, err
	}
	if _, ok := t[found]; !ok {
		return Confirmation{}, fmt.Errorf("match: confirm: no threshold for unit %s", found)
	}
	if _, ok := q[found]; !ok {
		return Confirmation{}, fmt.Errorf("match: confirm: query has no unit %s", found)
	}
	if _, ok := c[found]; !ok {
		return Confirmation{}, fmt.Errorf("match: confirm: candidate has no unit %s", found)
	}
	var kinds []Kind
	for k := range q {
		if _, ok := c[k]; ok && k != found {
			if _, ok := t[k]; ok {
				kinds = append(kinds, k)
			}
		}
	}
	slices.SortFunc(kinds, func(a, b Kind) int {
		if a.Type != b.Type {
			if a.Type < b.Type {
				return -1
			}
			return 1
		}
		return a.Bits - b.Bits
	})
	kinds = append([]Kind{found}, kinds...)
	conf := Confirmation{Confidence: Confirmed, RandomRate: 1}
	for _, k := range kinds {
		d := q[k].distance(c[k])
		e := Evidence{Kind: k, Distance: d, Threshold: t[k], Within: d <= t[k]}
		conf.Units = append(conf.Units, e)
		conf.RandomRate *= RandomRate(k.Bits, t[k])
		if !e.Within {
			conf.Confidence = Rejected
		}
	}
	if conf.Confidence == Confirmed && len(kinds) == 1 && found.Bits == 64 {
		conf.Confidence = Unconfirmed
	}
	return conf, nil
}

func byKind(units []Unit, side string) (map[Kind]Unit, error) {
	m := make(map[Kind]Unit, len(units))
	for _, u := range units {
		if u.Bits != 64 && u.Bits != 256 {
			return nil, fmt.Errorf("match: confirm: %s unit %s: want 64 or 256 bits", side, u.Kind)
		}
		if _, ok := m[u.Kind]; ok {
			return nil, fmt.Errorf("match: confirm: %s lists unit %s twice", side, u.Kind)
		}
		m[u.Kind] = u
	}
	return m, nil
}

// RandomRate returns P(Binomial(bits, 1/2) <= threshold): the probability
// that two independent uniformly random codes of bits bits are within
// threshold of each other.
func RandomRate(bits, threshold int) float64 {
	if threshold < 0 {
		return 0
	}
	if threshold >= bits {
		return 1
	}
	sum := new(big.Int)
	c := big.NewInt(1)
	for k := 0; k <= threshold; k++ {
		sum.Add(sum, c)
		c.Mul(c, big.NewInt(int64(bits-k)))
		c.Quo(c, big.NewInt(int64(k+1)))
	}
	f, _ := new(big.Float).SetInt(sum).Float64()
	return f * math.Pow(2, -float64(bits))
}
