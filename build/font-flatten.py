#!/usr/bin/python3
# build/font-flatten.py - make the fonts the PDFs embed (onboarding/printout/font)
# from Debian's fonts-dejavu-core. Run by hand when the font is to change:
#
#   apt-get install fonts-dejavu-core python3-fonttools
#   /usr/bin/python3 build/font-flatten.py
#
# Why: the PDF library (github.com/signintech/gopdf v0.33.0,
# pdf_dictionary_obj.go completeGlyphClosure) puts into a font subset the
# glyphs of the text and the components of those glyphs, but not the
# components of a component. DejaVu builds many letters from composites of
# composites: Ё is Е (itself a composite of the Latin E) and a dieresis,
# bold Ы is Ь and І (itself I): in the PDF the inner part went missing
# ("АРЬ З" for "АРЫЗ"). So every composite glyph that has a composite component is drawn
# out into a simple outline here; the other glyphs, the metrics and the
# names stay as they are (the license allows changes to fonts not named
# Bitstream or Vera). onboarding/printout's tests check that no composite
# in the fonts refers to another.
import gzip, hashlib, os, sys
from fontTools.ttLib import TTFont
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen

SRC = "/usr/share/fonts/truetype/dejavu"
DST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "onboarding", "printout", "font")

for name in ("DejaVuSans", "DejaVuSans-Bold"):
    src = os.path.join(SRC, name + ".ttf")
    font = TTFont(src, recalcTimestamp=False)
    glyf, glyphs = font["glyf"], font.getGlyphSet()
    flat = 0
    for g in font.getGlyphOrder():
        glyph = glyf[g]
        if not glyph.isComposite() or not any(glyf[c.glyphName].isComposite() for c in glyph.components):
            continue
        rec = DecomposingRecordingPen(glyphs)
        glyphs[g].draw(rec)  # components drawn as outlines, all levels
        pen = TTGlyphPen(None)
        rec.replay(pen)
        glyf[g] = pen.glyph()
        flat += 1
    out = os.path.join(DST, name + ".ttf.gz")
    tmp = out + ".ttf"
    font.save(tmp)
    data = open(tmp, "rb").read()
    os.remove(tmp)
    with open(out, "wb") as f:
        f.write(gzip.compress(data, 9, mtime=0))
    print(name, "from", hashlib.sha256(open(src, "rb").read()).hexdigest(), "flattened", flat, "glyphs ->",
          hashlib.sha256(data).hexdigest(), len(data), "bytes", file=sys.stderr)
