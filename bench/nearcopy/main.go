// Command nearcopy measures how the registry's content matching (DESIGN
// §4) treats real photos and their usual edits: the recall of confirmed
// matches per edit, and how often unrelated works match, are confirmed, or
// come out as possible matches (within the threshold of one unit, refuted
// by another). See bench/README.md, section "near copies", and
// bench/nearcopy.sh, which fetches the photos from Debian packages.
//
// Every source image is a work: it is scaled to at most -max pixels on its
// long side and encoded as a JPEG of quality 92, which is the original
// registered (its codes computed by identify, as askfirst id does). Each
// edit is made from the scaled image in Go (golang.org/x/image/draw) and
// encoded again; its codes are looked up with the registry's Match, the
// code path of askfirst lookup, check and audit.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"
	"image/jpeg"
	_ "image/png"
	"io/fs"
	"log"
	"math/bits"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/sync/errgroup"

	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store/sqlite"
	"github.com/askfirst/askfirst/iscc"
	"github.com/askfirst/askfirst/wire"
)

// edit is one of the usual edits of a published photo.
type edit struct {
	name string
	fn   func(image.Image) image.Image
	q    int // JPEG quality of the result
}

var edits = []edit{
	{"recompress q50", identity, 50},
	{"resize 50%", scale(0.5), 85},
	{"resize 25%", scale(0.25), 85},
	{"crop 5% (centred)", crop(0.05, 0.5), 85},
	{"crop 10% (centred)", crop(0.10, 0.5), 85},
	{"crop 20% (centred)", crop(0.20, 0.5), 85},
	{"crop 10% (one corner)", crop(0.10, 0), 85},
	{"mirror", mirror, 85},
	{"brightness +20%", brightness(1.2), 85},
	{"brightness -20%", brightness(0.8), 85},
}

func identity(m image.Image) image.Image { return m }

func scale(f float64) func(image.Image) image.Image {
	return func(m image.Image) image.Image {
		b := m.Bounds()
		dst := image.NewRGBA(image.Rect(0, 0, max(1, int(float64(b.Dx())*f)), max(1, int(float64(b.Dy())*f))))
		draw.CatmullRom.Scale(dst, dst.Bounds(), m, b, draw.Src, nil)
		return dst
	}
}

// crop cuts frac of the width and of the height; at (0.5) the cut is
// shared between opposite edges, at 0 it is all taken from the right and
// bottom.
func crop(frac, at float64) func(image.Image) image.Image {
	return func(m image.Image) image.Image {
		b := m.Bounds()
		cw, ch := int(float64(b.Dx())*frac), int(float64(b.Dy())*frac)
		x0, y0 := b.Min.X+int(float64(cw)*at), b.Min.Y+int(float64(ch)*at)
		r := image.Rect(x0, y0, x0+b.Dx()-cw, y0+b.Dy()-ch)
		dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
		draw.Draw(dst, dst.Bounds(), m, r.Min, draw.Src)
		return dst
	}
}

func mirror(m image.Image) image.Image {
	b := m.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			dst.Set(b.Dx()-1-x, y, m.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

func brightness(f float64) func(image.Image) image.Image {
	return func(m image.Image) image.Image {
		b := m.Bounds()
		dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		c := func(v uint32) uint8 { return uint8(min(255, float64(v>>8)*f)) }
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				r, g, bl, _ := m.At(b.Min.X+x, b.Min.Y+y).RGBA()
				dst.SetRGBA(x, y, color.RGBA{c(r), c(g), c(bl), 255})
			}
		}
		return dst
	}
}

// source is one work: an image file and the family of files that show
// the same picture (sizes of one wallpaper), which never count as false
// matches of each other.
type source struct {
	path, family string
	photo        bool // a photograph, rather than a render or a graphic
	img          image.Image
	codes        *identify.Result
	workID       string
}

func main() {
	dir := flag.String("dir", "", "folder of extracted packages to take images from (required)")
	maxSide := flag.Int("max", 1600, "scale sources to at most this many pixels on the long side")
	minSide := flag.Int("min", 256, "skip images smaller than this on the short side")
	jobs := flag.Int("jobs", 2, "images processed at once")
	verbose := flag.Bool("v", false, "name the unrelated pairs that match and the copies not confirmed")
	flag.Parse()
	if *dir == "" {
		log.Fatal("nearcopy: -dir is required")
	}
	ctx := context.Background()
	srcs, err := collect(*dir)
	if err != nil {
		log.Fatal(err)
	}
	// Load, scale and identify the originals.
	var g errgroup.Group
	g.SetLimit(*jobs)
	for _, s := range srcs {
		g.Go(func() error {
			img, err := load(s.path)
			if err != nil {
				log.Printf("skip %s: %v", s.path, err)
				return nil
			}
			b := img.Bounds()
			if min(b.Dx(), b.Dy()) < *minSide {
				return nil
			}
			if f := float64(*maxSide) / float64(max(b.Dx(), b.Dy())); f < 1 {
				img = scale(f)(img)
			}
			s.img = img
			s.codes, err = codes(ctx, filepath.Base(s.path), img, 92)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		log.Fatal(err)
	}
	srcs = slices.DeleteFunc(srcs, func(s *source) bool { return s.codes == nil })
	families := map[string]bool{}
	for _, s := range srcs {
		families[s.family] = true
	}
	log.Printf("%d images of %d works", len(srcs), len(families))

	reg, err := newRegistry(ctx)
	if err != nil {
		log.Fatal(err)
	}
	_, secret, _, err := reg.CreateAccount(ctx, "bench", "creator")
	if err != nil {
		log.Fatal(err)
	}
	p, err := reg.Authenticate(ctx, secret)
	if err != nil {
		log.Fatal(err)
	}
	byWork := map[string]*source{}
	for _, s := range srcs {
		in := wire.WorkInput{ISCC: s.codes.ISCC, Units: s.codes.Units, Datahash: s.codes.Datahash, PDQ: s.codes.PDQ}
		rs, err := reg.RegisterWorks(ctx, p, "", []wire.WorkInput{in}, nil)
		if err != nil {
			log.Fatalf("register %s: %v", s.path, err)
		}
		s.workID = rs[0].Work.ID
		byWork[s.workID] = s
	}

	// Unrelated pairs of originals: distances on each unit.
	var pairs, c64, p256, both int
	for i, a := range srcs {
		for _, b := range srcs[i+1:] {
			if a.family == b.family {
				continue
			}
			pairs++
			dc, dp := contentDistance(a.codes, b.codes), pdqDistance(a.codes, b.codes)
			if dc <= 8 {
				c64++
			}
			if dp <= 31 {
				p256++
			}
			if dc <= 8 && dp <= 31 {
				both++
			}
			if *verbose && (dc <= 8 || dp <= 31) {
				log.Printf("unrelated pair within a threshold: %s, %s: Image-Code %d, PDQ %d", a.path, b.path, dc, dp)
			}
		}
	}
	fmt.Printf("originals: %d images, %d works, %d pairs of unrelated works\n", len(srcs), len(families), pairs)
	fmt.Printf("  within the Image-Code threshold (8/64): %d (%s)\n", c64, rate(c64, pairs))
	fmt.Printf("  within the PDQ threshold (31/256):      %d (%s)\n", p256, rate(p256, pairs))
	fmt.Printf("  within both (a confirmed match):        %d (%s)\n\n", both, rate(both, pairs))

	// Each edit of each original, looked up.
	type result struct {
		conf, unconf, poss, missed        bool
		dc, dp                            int
		otherConf, otherUnconf, otherPoss int
	}
	results := make([][]result, len(edits))
	for k, e := range edits {
		rs := make([]result, len(srcs))
		results[k] = rs
		var g errgroup.Group
		g.SetLimit(*jobs)
		for i, s := range srcs {
			g.Go(func() error {
				c, err := codes(ctx, "copy.jpg", e.fn(s.img), e.q)
				if err != nil {
					return fmt.Errorf("%s of %s: %w", e.name, s.path, err)
				}
				res, err := reg.Match(ctx, []wire.MatchItem{c.MatchItem()})
				if err != nil {
					return err
				}
				r := &rs[i]
				r.dc, r.dp = contentDistance(s.codes, c), pdqDistance(s.codes, c)
				for _, m := range res[0].Matches {
					if other := byWork[m.Work]; other.family == s.family {
						if m.Work == s.workID {
							r.conf = m.Confidence != wire.ConfidenceUnconfirmed
							r.unconf = m.Confidence == wire.ConfidenceUnconfirmed
						}
					} else if m.Confidence == wire.ConfidenceUnconfirmed {
						r.otherUnconf++
					} else {
						r.otherConf++
						if *verbose {
							log.Printf("%s of %s: confirmed match of the unrelated %s", e.name, s.path, other.path)
						}
					}
				}
				for _, pm := range res[0].PossibleMatches {
					if other := byWork[pm.Work]; other.family == s.family {
						r.poss = r.poss || pm.Work == s.workID
					} else {
						r.otherPoss++
					}
				}
				r.missed = !r.conf && !r.unconf && !r.poss
				if *verbose && !r.conf {
					log.Printf("%s of %s: not confirmed (Image-Code %d, PDQ %d, quality %d)", e.name, s.path, r.dc, r.dp, s.codes.PDQ.Quality)
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			log.Fatal(err)
		}
	}
	for _, kind := range []bool{true, false} {
		n := 0
		for _, s := range srcs {
			n += btoi(s.photo == kind)
		}
		if kind {
			fmt.Printf("edits of the %d photographs, looked up among all %d works:\n\n", n, len(srcs))
		} else {
			fmt.Printf("\nedits of the %d graphics (renders, illustrations, textures, charts):\n\n", n)
		}
		fmt.Println("| edit | confirmed (recall) | unconfirmed | possible only | missed | median distance Image-Code / PDQ | unrelated works confirmed | unconfirmed | possible |")
		fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
		var allQ, allConf, allUnconf, allPoss int
		for k, e := range edits {
			var nConf, nUnconf, nPoss, nMissed, oConf, oUnconf, oPoss int
			var dcs, dps []int
			for i, r := range results[k] {
				if srcs[i].photo != kind {
					continue
				}
				nConf += btoi(r.conf)
				nUnconf += btoi(r.unconf)
				nPoss += btoi(r.poss && !r.conf && !r.unconf)
				nMissed += btoi(r.missed)
				oConf += r.otherConf
				oUnconf += r.otherUnconf
				oPoss += r.otherPoss
				dcs, dps = append(dcs, r.dc), append(dps, r.dp)
			}
			q := n * (len(srcs) - 1)
			allQ, allConf, allUnconf, allPoss = allQ+q, allConf+oConf, allUnconf+oUnconf, allPoss+oPoss
			fmt.Printf("| %s | %d of %d (%.0f %%) | %d | %d | %d | %d / %d | %d | %d | %d |\n", e.name, nConf, n, 100*float64(nConf)/float64(n),
				nUnconf, nPoss, nMissed, median(dcs), median(dps), oConf, oUnconf, oPoss)
		}
		fmt.Printf("\nedited copies against the other works: %d pairs; confirmed %d (%s), unconfirmed %d (%s), possible %d (%s)\n",
			allQ, allConf, rate(allConf, allQ), allUnconf, rate(allUnconf, allQ), allPoss, rate(allPoss, allQ))
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func median(v []int) int {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// rate prints k/n, or an upper bound at 95 % confidence when k is 0 (the
// rule of three).
func rate(k, n int) string {
	if n == 0 {
		return "n/a"
	}
	if k == 0 {
		return fmt.Sprintf("< %.1e at 95 %%", 3/float64(n))
	}
	return fmt.Sprintf("%.1e", float64(k)/float64(n))
}

// photographs names the sources that are photographs (looked at, one by
// one): MATE's nature backgrounds, these Plasma wallpapers and these
// scikit-image samples. The rest are renders, illustrations and charts.
var photographs = map[string]bool{
	"plasma/BytheWater": true, "plasma/ColdRipple": true, "plasma/ColorfulCups": true, "plasma/DarkestHour": true,
	"plasma/EveningGlow": true, "plasma/FallenLeaf": true, "plasma/Grey": true, "plasma/Kite": true,
	"plasma/OneStandsOut": true, "plasma/Path": true, "plasma/summer_1am": true,
	"skimage/astronaut": true, "skimage/brick": true, "skimage/camera": true, "skimage/cell": true, "skimage/chelsea": true,
	"skimage/clock_motion": true, "skimage/coffee": true, "skimage/coins": true, "skimage/grass": true, "skimage/gravel": true,
	"skimage/hubble_deep_field": true, "skimage/ihc": true, "skimage/moon": true, "skimage/motorcycle_left": true,
	"skimage/motorcycle_right": true, "skimage/retina": true, "skimage/rocket": true, "skimage/text": true,
}

// sizeSuffix strips a resolution from a file name ("Elephants_3840x2160").
var sizeSuffix = regexp.MustCompile(`[_-]?\d+x\d+$`)

// collect lists the images under dir: the wallpaper of each Plasma theme
// (its largest light image; dark variants and screenshots skipped), every
// image of the MATE and UKUI
// backgrounds (one family per name without resolution), and the
// photographs among scikit-image's sample data.
func collect(dir string) ([]*source, error) {
	var out []*source
	best := map[string]*source{} // plasma theme → largest image
	size := map[string]int64{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := strings.ToLower(filepath.Ext(path))
		if ext != ".jpg" && ext != ".jpeg" && ext != ".png" && ext != ".webp" {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		switch {
		case strings.Contains(rel, "/wallpapers/") && !strings.Contains(rel, "/contents/images/"):
			// Screenshots and dark variants of a Plasma theme.
		case strings.Contains(rel, "/wallpapers/"):
			theme := strings.Split(rel[strings.Index(rel, "/wallpapers/")+len("/wallpapers/"):], "/")[0]
			info, err := d.Info()
			if err != nil {
				return err
			}
			if info.Size() > size[theme] {
				size[theme] = info.Size()
				best[theme] = &source{path: path, family: "plasma/" + theme}
			}
		case strings.Contains(rel, "/skimage/data/"):
			out = append(out, &source{path: path, family: "skimage/" + base})
		case strings.Contains(rel, "/backgrounds/") || strings.Contains(rel, "/wallpaper"):
			out = append(out, &source{path: path, family: "bg/" + strings.ToLower(sizeSuffix.ReplaceAllString(base, ""))})
		}
		return nil
	})
	for _, s := range best {
		out = append(out, s)
	}
	for _, s := range out {
		s.photo = photographs[s.family] || strings.Contains(s.path, "/backgrounds/mate/nature/")
	}
	slices.SortFunc(out, func(a, b *source) int { return strings.Compare(a.path, b.path) })
	return out, err
}

func load(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	return img, err
}

// codes encodes img as a JPEG of quality q and identifies it.
func codes(ctx context.Context, name string, img image.Image, q int) (*identify.Result, error) {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		return nil, err
	}
	res, err := identify.Reader(ctx, name, &b, identify.Options{})
	if err != nil {
		return nil, err
	}
	if res.PDQ == nil || res.Units.Content == "" {
		return nil, fmt.Errorf("%s: no Image-Code or PDQ", name)
	}
	return res, nil
}

func contentDistance(a, b *identify.Result) int {
	ca, err1 := iscc.Decode(a.Units.Content)
	cb, err2 := iscc.Decode(b.Units.Content)
	if err1 != nil || err2 != nil {
		return 64
	}
	d := 0
	for i := range min(len(ca.Body()), len(cb.Body())) {
		d += bits.OnesCount8(ca.Body()[i] ^ cb.Body()[i])
	}
	return d
}

func pdqDistance(a, b *identify.Result) int {
	ha, _ := hex.DecodeString(a.PDQ.Hash)
	hb, _ := hex.DecodeString(b.PDQ.Hash)
	d := 0
	for i := range min(len(ha), len(hb)) {
		d += bits.OnesCount8(ha[i] ^ hb[i])
	}
	return d
}

// newRegistry is a registry on SQLite in a temporary folder, set up as
// askfirst serve sets it up.
func newRegistry(ctx context.Context) (*registry.Registry, error) {
	tmp, err := os.MkdirTemp("", "nearcopy")
	if err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, filepath.Join(tmp, "r.db"))
	if err != nil {
		return nil, err
	}
	skey, _, err := note.GenerateKey(rand.Reader, "nearcopy.bench/log")
	if err != nil {
		return nil, err
	}
	led, err := ledger.New(skey)
	if err != nil {
		return nil, err
	}
	if err := led.Init(ctx, st); err != nil {
		return nil, err
	}
	return registry.New(ctx, registry.Config{Store: st, Ledger: led})
}
