package iscc

import (
	"encoding/binary"
	"fmt"
)

// ISCC-ID v1 limits (iscc-core gen_iscc_id_v1).
const (
	// MaxHubID is the largest HUB-ID (12 bits).
	MaxHubID = 1<<12 - 1
	// MaxIDTimestamp is the largest timestamp in microseconds (52 bits).
	MaxIDTimestamp = 1<<52 - 1
)

// GenISCCIDv1 returns the ISCC-ID v1 for a UTC timestamp in microseconds
// since the Unix epoch, the issuing HUB-ID (0..4095) and the realm (0 test,
// 1 operational): a 64-bit body of timestamp<<12 | hub. ISCC-IDs are issued
// and signed by ISCC-HUBs; this only encodes one (iscc-core
// gen_iscc_id_v1). The timestamp is not read from the clock here.
func GenISCCIDv1(timestampMicros uint64, hubID uint16, realm SubType) (Code, error) {
	if timestampMicros > MaxIDTimestamp {
		return Code{}, fmt.Errorf("generate ISCC-ID: timestamp %d exceeds 52 bits", timestampMicros)
	}
	if hubID > MaxHubID {
		return Code{}, fmt.Errorf("generate ISCC-ID: HUB-ID %d exceeds %d", hubID, MaxHubID)
	}
	if realm != SubTypeRealm0 && realm != SubTypeRealm1 {
		return Code{}, fmt.Errorf("generate ISCC-ID: realm %d (want 0 test or 1 operational)", realm)
	}
	body := binary.BigEndian.AppendUint64(nil, timestampMicros<<12|uint64(hubID))
	return Code{mt: MainTypeID, st: realm, version: 1, length: 0, body: body}, nil
}

// IDv1 returns the timestamp (µs since the Unix epoch) and HUB-ID of an
// ISCC-ID v1; ok is false for any other code.
func (c Code) IDv1() (timestampMicros uint64, hubID uint16, ok bool) {
	if c.mt != MainTypeID || c.version != 1 || len(c.body) != 8 {
		return 0, 0, false
	}
	v := binary.BigEndian.Uint64(c.body)
	return v >> 12, uint16(v & 0xfff), true
}
