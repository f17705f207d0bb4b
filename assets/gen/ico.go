package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
)

// encodeICO writes images as a Windows icon file, each as a 32-bit BGRA
// bitmap with its 1-bit mask (the format every Windows version, and Wine,
// loads; PNG entries need Vista and are not loaded everywhere).
// fyne.io/systray on Windows takes ICO only: a PNG gives "unable to set
// icon".
func encodeICO(imgs []image.Image) []byte {
	var head, body bytes.Buffer
	le := binary.LittleEndian
	binary.Write(&head, le, [3]uint16{0, 1, uint16(len(imgs))}) // reserved, type 1 = icon, count
	offset := 6 + 16*len(imgs)
	for _, img := range imgs {
		bmp := dib(img)
		w, h := img.Bounds().Dx(), img.Bounds().Dy()
		head.Write([]byte{byte(w), byte(h), 0, 0}) // 256 would be 0; the icons are smaller
		binary.Write(&head, le, [2]uint16{1, 32})  // planes, bits per pixel
		binary.Write(&head, le, [2]uint32{uint32(len(bmp)), uint32(offset)})
		body.Write(bmp)
		offset += len(bmp)
	}
	return append(head.Bytes(), body.Bytes()...)
}

// dib is one icon image: a BITMAPINFOHEADER whose height counts the colour
// rows and the mask rows, the BGRA rows bottom up, then the AND mask (1 =
// transparent), each row padded to 32 bits.
func dib(img image.Image) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	maskRow := (w + 31) / 32 * 4
	var out bytes.Buffer
	le := binary.LittleEndian
	binary.Write(&out, le, struct {
		Size                   uint32
		Width, Height          int32
		Planes, BitCount       uint16
		Compression, SizeImage uint32
		XPels, YPels           int32
		ClrUsed, ClrImportant  uint32
	}{40, int32(w), int32(2 * h), 1, 32, 0, uint32(w*h*4 + maskRow*h), 0, 0, 0, 0})
	mask := make([]byte, maskRow*h)
	for y := h - 1; y >= 0; y-- {
		row := h - 1 - y
		for x := 0; x < w; x++ {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			out.Write([]byte{c.B, c.G, c.R, c.A})
			if c.A == 0 {
				mask[row*maskRow+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	out.Write(mask)
	return out.Bytes()
}
