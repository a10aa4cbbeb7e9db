// Command iscc is the helper of bench/iscc.sh: it times one ISCC generator
// on a file, or writes the inputs the script needs.
//
// Usage:
//
//	go run ./bench/iscc instance FILE   # Instance-Code, prints MB/s
//	go run ./bench/iscc data FILE       # Data-Code, prints MB/s
//	go run ./bench/iscc text FILE       # Text-Code of the file's text, prints MB/s
//	go run ./bench/iscc gentext FILE MB # write MB megabytes of varied text
//	go run ./bench/iscc genjpegs DIR N  # write N small distinct JPEGs
//
// Timings are wall-clock seconds of the generator alone (the file is opened
// before the clock starts); run it with GOMAXPROCS=1 for per-core figures.
package main

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/askfirst/askfirst/iscc"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: iscc instance|data|text FILE | gentext FILE MB | genjpegs DIR N")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "instance", "data", "text":
		err = timeGenerator(os.Args[1], os.Args[2])
	case "gentext":
		err = genText(os.Args[2], atoi(os.Args[3]))
	case "genjpegs":
		err = genJPEGs(os.Args[2], atoi(os.Args[3]))
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "iscc bench:", err)
		os.Exit(1)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "iscc bench: not a number:", s)
		os.Exit(2)
	}
	return n
}

// timeGenerator prints "MODE BYTES SECONDS MB/s CODE".
func timeGenerator(mode, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	var code string
	var start time.Time
	switch mode {
	case "instance":
		start = time.Now()
		c, err := iscc.GenInstanceCode(f, 64)
		if err != nil {
			return err
		}
		code = c.ISCC
	case "data":
		start = time.Now()
		c, err := iscc.GenDataCode(f, 64)
		if err != nil {
			return err
		}
		code = c.ISCC
	case "text":
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		start = time.Now()
		c, err := iscc.GenTextCode(text, 64)
		if err != nil {
			return err
		}
		code = c.ISCC
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("%s %d %.3f %.1f %s\n", mode, st.Size(), secs, float64(st.Size())/secs/1e6, code)
	return nil
}

// genText writes mb megabytes of text: sentences of words drawn from a
// vocabulary of Latin, Greek and accented words, in paragraphs.
func genText(path string, mb int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	words := strings.Fields("the of and to in consent licence training model work creator right use data " +
		"Übersetzung naïve café façade Straße λόγος ἀρχή σοφία έργο δημιουργός κώδικας " +
		"réservation données œuvre auteur droit accord permission photograph story music")
	r := rand.New(rand.NewPCG(1, 2))
	n := 0
	for n < mb<<20 {
		k := 5 + r.IntN(15)
		for i := 0; i < k; i++ {
			s := words[r.IntN(len(words))]
			if i == 0 {
				rs := []rune(s)
				s = string(unicode.ToUpper(rs[0])) + string(rs[1:])
			}
			m, _ := w.WriteString(s)
			n += m
			if i < k-1 {
				w.WriteByte(' ')
				n++
			}
		}
		w.WriteString(". ")
		n += 2
		if r.IntN(8) == 0 {
			w.WriteString("\n\n")
			n += 2
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// genJPEGs writes n distinct 160×120 JPEGs (gradients and a moving disc).
func genJPEGs(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(3, 4))
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for i := 0; i < n; i++ {
		cx, cy, rad := r.IntN(160), r.IntN(120), 10+r.IntN(40)
		c1, c2 := uint8(r.IntN(256)), uint8(r.IntN(256))
		for y := 0; y < 120; y++ {
			for x := 0; x < 160; x++ {
				v := color.RGBA{uint8(x*255/159) ^ c1, uint8(y*255/119) ^ c2, uint8((x + y + i) & 255), 255}
				if (x-cx)*(x-cx)+(y-cy)*(y-cy) < rad*rad {
					v = color.RGBA{255 - v.R, 255 - v.G, c1, 255}
				}
				img.Set(x, y, v)
			}
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("img%05d.jpg", i)))
		if err != nil {
			return err
		}
		if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 85}); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
