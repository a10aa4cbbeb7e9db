package iscc_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/iscc"
)

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// sampleText returns about n bytes of mixed-language prose.
func sampleText(n int) string {
	words := strings.Fields("The quick brown fox jumps over the lazy dog. Die Unendliche Geschichte, von Michael Ende; Ïñtërnâtiônàlizætiøn ☃ — Λόγος καὶ ΜΥΘΟΣ. 日本語のテキスト も 少し。")
	r := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
		if r.IntN(12) == 0 {
			b.WriteString("\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func BenchmarkGenDataCode(b *testing.B) {
	for _, size := range []int{64 << 10, 16 << 20} {
		data := randomBytes(size)
		b.Run(byteSize(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := iscc.GenDataCode(bytes.NewReader(data), 64); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGenInstanceCode(b *testing.B) {
	for _, size := range []int{64 << 10, 16 << 20} {
		data := randomBytes(size)
		b.Run(byteSize(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := iscc.GenInstanceCode(bytes.NewReader(data), 64); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDataAndInstance feeds both hashers in one pass, as askfirst id does.
func BenchmarkDataAndInstance(b *testing.B) {
	const size = 16 << 20
	data := randomBytes(size)
	buf := make([]byte, 1<<20)
	b.SetBytes(size)
	for b.Loop() {
		dh, _ := iscc.NewDataHasher(64)
		ih, _ := iscc.NewInstanceHasher(64)
		if _, err := io.CopyBuffer(io.MultiWriter(dh, ih), bytes.NewReader(data), buf); err != nil {
			b.Fatal(err)
		}
		if _, err := dh.Code(); err != nil {
			b.Fatal(err)
		}
		if _, err := ih.Code(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenTextCode(b *testing.B) {
	for _, size := range []int{10 << 10, 1 << 20} {
		text := sampleText(size)
		b.Run(byteSize(size), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if _, err := iscc.GenTextCode(text, 64); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGenMetaCode(b *testing.B) {
	meta := map[string]any{"title": "Die Unendliche Geschichte", "creator": "Michael Ende", "year": 1979}
	b.Run("name", func(b *testing.B) {
		for b.Loop() {
			if _, err := iscc.GenMetaCode("Die Unendliche Geschichte", "", nil, 64); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("name+description", func(b *testing.B) {
		for b.Loop() {
			if _, err := iscc.GenMetaCode("Die Unendliche Geschichte", "Von Michael Ende", nil, 64); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("name+meta", func(b *testing.B) {
		for b.Loop() {
			if _, err := iscc.GenMetaCode("Die Unendliche Geschichte", "", meta, 64); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkGenImageCode(b *testing.B) {
	px := randomBytes(1024)
	b.SetBytes(1024)
	for b.Loop() {
		if _, err := iscc.GenImageCode(px, 64); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenAudioCode(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	cv := make([]int32, 8*60*5) // about 5 minutes of Chromaprint
	for i := range cv {
		cv[i] = int32(r.Uint32())
	}
	b.SetBytes(int64(4 * len(cv)))
	for b.Loop() {
		if _, err := iscc.GenAudioCode(cv, 256); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenVideoCode(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	sigs := make([][]int, 5*60*5) // 5 minutes at 5 fps
	for i := range sigs {
		sigs[i] = make([]int, iscc.FrameSigLen)
		for j := range sigs[i] {
			sigs[i][j] = r.IntN(3)
		}
	}
	b.SetBytes(int64(len(sigs) * iscc.FrameSigLen))
	for b.Loop() {
		if _, err := iscc.GenVideoCode(sigs, 256); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenMixedCode(b *testing.B) {
	codes := []string{"EUA6GIKXN42IQV3S", "EIAUKMOUIOYZCKA5", "EQA6JK5IEKO6E732", "EIAU2XRWOT4AKMTZ"}
	for b.Loop() {
		if _, err := iscc.GenMixedCode(codes, 64); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenISCCCode(b *testing.B) {
	codes := []string{"AAAYPXW445FTYNJ3", "EAARMJLTQCUWAND2", "GABVVC5DMJJGYKZ4ZBYVNYABFFYXG", "IADWIK7A7JTUAQ2D6QARX7OBEIK3OOUAM42LOBLCZ4ZOGDLRHMDL6TQ"}
	for b.Loop() {
		if _, err := iscc.GenISCCCode(codes, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	for b.Loop() {
		if _, err := iscc.Decode("ISCC:KACYPXW445FTYNJ3CYSXHAFJMA2HUWULUNRFE3BLHRSCXYH2M5AEGQY"); err != nil {
			b.Fatal(err)
		}
	}
}

func byteSize(n int) string {
	if n >= 1<<20 {
		return strconv.Itoa(n>>20) + "MiB"
	}
	return strconv.Itoa(n>>10) + "KiB"
}
