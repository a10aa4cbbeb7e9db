package match_test

import (
	"bytes"
	"fmt"

	"github.com/askfirst/askfirst/match"
)

func ExampleIndex64_Search() {
	x, err := match.Build64(match.Config{}, []uint64{1, 2, 3}, []uint64{
		0xffff_0000_ffff_0000,
		0xffff_0000_ffff_000f, // 4 bits from the first
		0x0000_ffff_0000_ffff, // 64 bits from the first
	})
	if err != nil {
		panic(err)
	}
	for _, r := range x.Search(0xffff_0000_ffff_0001, 8) {
		fmt.Printf("id %d at distance %d\n", r.ID, r.Distance)
	}
	// Output:
	// id 1 at distance 1
	// id 2 at distance 3
}

func ExampleIndex256_SearchBatch() {
	a, _ := match.ParseCode256("f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95")
	b, _ := match.ParseCode256("b062eb9d2ab170c0567fcb672d9a5548c5612982dd5e374a7424ebbc8b135cb5")
	x, _ := match.New256(match.Config{})
	x.Add(10, a)
	x.Add(20, b)
	res, _ := x.SearchBatch(rctx, []match.Code256{a, b}, match.DefaultRadius256, 0)
	for i, rs := range res {
		fmt.Println("query", i, rs)
	}
	// Output:
	// query 0 [{10 0} {20 10}]
	// query 1 [{20 0} {10 10}]
}

func ExampleIndex64_WriteTo() {
	x, _ := match.New64(match.Config{})
	x.Add(7, 0x00ff)
	x.Add(8, 0xff00)
	x.Remove(8)
	var buf bytes.Buffer
	x.WriteTo(&buf)
	y, err := match.ReadIndex64(&buf, match.Config{})
	if err != nil {
		panic(err)
	}
	fmt.Println(y.Len(), y.Search(0x00fe, 1))
	// Output:
	// 1 [{7 1}]
}

func ExampleThresholds_Confirm() {
	img := match.Kind{Type: match.ISCCContentImage, Bits: 64}
	query := []match.Unit{
		match.Unit64(match.ISCCContentImage, 0x0123456789abcdef),
		match.Unit64(match.ISCCData, 0xfedcba9876543210),
	}
	candidate := []match.Unit{
		match.Unit64(match.ISCCContentImage, 0x0123456789abcdee), // found by an Index64 search
		match.Unit64(match.ISCCData, 0xfedcba987654321f),
	}
	c, err := match.DefaultThresholds().Confirm(img, query, candidate)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Confidence)
	for _, u := range c.Units {
		fmt.Printf("%s: distance %d, threshold %d\n", u.Kind, u.Distance, u.Threshold)
	}
	fmt.Printf("random codes pass both with probability %.1e\n", c.RandomRate)
	// Output:
	// confirmed
	// iscc-content-image/64: distance 1, threshold 8
	// iscc-data/64: distance 4, threshold 8
	// random codes pass both with probability 7.7e-20
}
