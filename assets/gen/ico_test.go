package main

import (
	"encoding/binary"
	"image"
	"image/color"
	"testing"
)

func TestEncodeICO(t *testing.T) {
	var imgs []image.Image
	for _, s := range []int{16, 32} {
		img := image.NewNRGBA(image.Rect(0, 0, s, s))
		img.Set(0, 0, color.NRGBA{R: 10, G: 20, B: 30, A: 255}) // top left, opaque
		imgs = append(imgs, img)
	}
	b := encodeICO(imgs)
	le := binary.LittleEndian
	if got := [3]uint16{le.Uint16(b), le.Uint16(b[2:]), le.Uint16(b[4:])}; got != [3]uint16{0, 1, 2} {
		t.Fatalf("header: got %v, want [0 1 2]", got)
	}
	for i, s := range []int{16, 32} {
		e := b[6+16*i:]
		size, off := int(le.Uint32(e[8:])), int(le.Uint32(e[12:]))
		if int(e[0]) != s || int(e[1]) != s || le.Uint16(e[6:]) != 32 {
			t.Errorf("entry %d: got %dx%d at %d bits, want %dx%d at 32", i, e[0], e[1], le.Uint16(e[6:]), s, s)
		}
		if want := 40 + s*s*4 + (s+31)/32*4*s; size != want || off+size > len(b) {
			t.Errorf("entry %d: got %d bytes at %d of %d, want %d", i, size, off, len(b), want)
		}
		img := b[off:]
		if h := int32(le.Uint32(img[8:])); h != int32(2*s) {
			t.Errorf("entry %d: got bitmap height %d, want %d (colour + mask)", i, h, 2*s)
		}
		// Rows are bottom up: the top left pixel is the first of the last row.
		px := img[40+(s-1)*s*4:]
		if got := [4]byte(px[:4]); got != [4]byte{30, 20, 10, 255} {
			t.Errorf("entry %d: top left pixel got %v, want BGRA [30 20 10 255]", i, got)
		}
		mask := img[40+s*s*4:]
		row := (s + 31) / 32 * 4
		if top := mask[(s-1)*row]; top != 0x7f {
			t.Errorf("entry %d: top row's first mask byte got %#x, want 0x7f (first pixel opaque)", i, top)
		}
	}
}
