//go:build window

package window

// The README gallery: a handful of the walk's screenshots at 1280x800 in
// each language, scaled to three quarters, in 256 colours, with the best
// PNG compression (60 to 90 KB each), when WALK_GALLERY names a folder.

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// galleryShots are the screenshots (by name, without the number) the
// gallery keeps, in README order.
// Every step, and the install plan: the README's only screenshots of
// the wizard besides the install at work (make screenshot-install).
var galleryShots = []string{"welcome", "organisation", "server", "readiness", "install", "install-plan", "token",
	"certificates", "configure", "submit", "register", "connect", "connect-plan", "health", "summary"}

// gallery copies this walk's gallery shots into dir as LANG-NAME.png.
func (w *walk) gallery(dir, lang string) {
	w.t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		w.t.Fatal(err)
	}
	readme, _ := os.ReadFile(filepath.Join("..", "..", "README.md"))
	for _, name := range galleryShots {
		m, _ := filepath.Glob(filepath.Join(w.shots, "[0-9][0-9]-"+name+".png"))
		if len(m) == 0 {
			w.t.Errorf("%s: no %s screenshot for the gallery", w.name, name)
			continue
		}
		out := lang + "-" + name + ".png"
		if err := shrink(m[0], filepath.Join(dir, out)); err != nil {
			w.t.Errorf("%s: gallery: %v", w.name, err)
		}
		if !strings.Contains(string(readme), "docs/gallery/"+out) {
			w.t.Errorf("README.md does not show docs/gallery/%s", out)
		}
	}
}

// shrink writes src scaled to 3/4, each new pixel the area-weighted mean
// of the old ones it covers.
func shrink(src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		return err
	}
	b := img.Bounds()
	const num, den = 3, 4
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()*num/den, b.Dy()*num/den))
	// Output pixel (x, y) covers source [x*den/num, (x+1)*den/num): in
	// units of 1/num source pixels, [x*den, (x+1)*den).
	for y := 0; y < out.Bounds().Dy(); y++ {
		for x := 0; x < out.Bounds().Dx(); x++ {
			var r, g, bl, wsum int
			for sy := y * den / num; sy*num < (y+1)*den; sy++ {
				wy := min((sy+1)*num, (y+1)*den) - max(sy*num, y*den)
				for sx := x * den / num; sx*num < (x+1)*den; sx++ {
					wx := min((sx+1)*num, (x+1)*den) - max(sx*num, x*den)
					c := color.RGBAModel.Convert(img.At(b.Min.X+sx, b.Min.Y+sy)).(color.RGBA)
					r += int(c.R) * wx * wy
					g += int(c.G) * wx * wy
					bl += int(c.B) * wx * wy
					wsum += wx * wy
				}
			}
			out.SetRGBA(x, y, color.RGBA{uint8(r / wsum), uint8(g / wsum), uint8(bl / wsum), 255})
		}
	}
	o, err := os.Create(dst)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(o, toPalette(out)); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}

// toPalette maps img to its 256 most common colours (counted at 5 bits a
// channel; each the mean of the pixels it stands for), every other colour
// to the nearest of them: a screen of flat areas and anti-aliased text
// loses next to nothing.
func toPalette(img *image.RGBA) *image.Paletted {
	type sum struct{ r, g, b, n int }
	bin := func(c color.RGBA) int { return int(c.R>>3)<<10 | int(c.G>>3)<<5 | int(c.B>>3) }
	bins := map[int]*sum{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.RGBAAt(x, y)
			s := bins[bin(c)]
			if s == nil {
				s = &sum{}
				bins[bin(c)] = s
			}
			s.r, s.g, s.b, s.n = s.r+int(c.R), s.g+int(c.G), s.b+int(c.B), s.n+1
		}
	}
	keys := make([]int, 0, len(bins))
	for k := range bins {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return bins[keys[i]].n > bins[keys[j]].n || bins[keys[i]].n == bins[keys[j]].n && keys[i] < keys[j]
	})
	if len(keys) > 256 {
		keys = keys[:256]
	}
	pal := make(color.Palette, len(keys))
	index := map[int]uint8{}
	for i, k := range keys {
		s := bins[k]
		pal[i] = color.RGBA{uint8(s.r / s.n), uint8(s.g / s.n), uint8(s.b / s.n), 255}
		index[k] = uint8(i)
	}
	out := image.NewPaletted(b, pal)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.RGBAAt(x, y)
			i, ok := index[bin(c)]
			if !ok {
				i = uint8(pal.Index(c))
				index[bin(c)] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	return out
}

// A flat screen keeps its colours exactly at 3/4 of the size; a picture
// of many colours gets at most 256.
func TestGalleryShrink(t *testing.T) {
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for y := range 20 {
		for x := range 40 {
			c := color.RGBA{30, 30, 34, 255} // the dark theme's background
			if x >= 20 {
				c = color.RGBA{uint8(x * 6), uint8(y * 12), uint8(x*y) % 255, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	src, dst := filepath.Join(dir, "in.png"), filepath.Join(dir, "out.png")
	f, _ := os.Create(src)
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := shrink(src, dst); err != nil {
		t.Fatal(err)
	}
	g, _ := os.Open(dst)
	defer g.Close()
	out, err := png.Decode(g)
	if err != nil {
		t.Fatal(err)
	}
	if b := out.Bounds(); b.Dx() != 30 || b.Dy() != 15 {
		t.Fatalf("size %v, want 30x15", b)
	}
	p, ok := out.(*image.Paletted)
	if !ok || len(p.Palette) > 256 {
		t.Fatalf("not a palette of at most 256 colours: %T", out)
	}
	if r, g, b, _ := out.At(3, 3).RGBA(); r>>8 != 30 || g>>8 != 30 || b>>8 != 34 {
		t.Errorf("the flat area became %d,%d,%d", r>>8, g>>8, b>>8)
	}
}
