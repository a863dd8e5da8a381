//go:build window

package window

// The README gallery: a handful of the walk's screenshots at 1280x800 in
// each language, scaled to three quarters and written with the best PNG
// compression (about 100 KB each), when WALK_GALLERY names a folder.

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
)

// galleryShots are the screenshots (by name, without the number) the
// gallery keeps, in README order.
var galleryShots = []string{"welcome", "readiness", "install-plan", "configure", "token", "submit", "summary"}

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
	if err := enc.Encode(o, out); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}
