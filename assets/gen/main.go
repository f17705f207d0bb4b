// Command gen draws tokentray's icons: the tray icon in each state, for
// light and dark panels and at the sizes panels use, and the application
// icon. Run it from the module root after changing a shape:
//
//	go run ./assets/gen
//
// The shapes are signed distance functions sampled 8×8 times per pixel, so
// every size is drawn from the geometry, not scaled from a bitmap. A state
// is told by the badge's colour and by its outline (circle, ring with an
// arrow, triangle, diamond), so it still reads at 16 px and without colour.
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

// traySizes are the pixel sizes of the tray icons: 16 (Windows, small
// panels), 22 and 24 (GNOME, KDE, XFCE), 32 (HiDPI at 16, macOS @2x),
// 48 and 64 (HiDPI panels).
var traySizes = []int{16, 22, 24, 32, 48, 64}

// States are the overall states the tray shows; assets.TrayIcon names them.
var states = []string{"ok", "refreshing", "login", "error", "idle"}

func main() {
	dir := filepath.Join("assets", "icons")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	for _, st := range states {
		for _, panel := range []string{"light", "dark"} {
			for _, size := range traySizes {
				img := render(size, trayIcon(st, panel == "dark"))
				write(filepath.Join(dir, fmt.Sprintf("tray-%s-%s-%d.png", st, panel, size)), img)
			}
		}
	}
	// Windows' tray takes ICO files: one per state and panel, holding the
	// sizes a Windows taskbar uses (16 at 100 %, 24 at 150 %, 32 at 200 %).
	for _, st := range states {
		for _, panel := range []string{"light", "dark"} {
			var imgs []image.Image
			for _, size := range []int{16, 24, 32, 48} {
				imgs = append(imgs, render(size, trayIcon(st, panel == "dark")))
			}
			path := filepath.Join(dir, fmt.Sprintf("tray-%s-%s.ico", st, panel))
			if err := os.WriteFile(path, encodeICO(imgs), 0o644); err != nil {
				log.Fatal(err)
			}
		}
	}
	for _, size := range []int{64, 256, 512} {
		write(filepath.Join(dir, fmt.Sprintf("app-%d.png", size)), render(size, appIcon()))
	}
}

func write(path string, img image.Image) {
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

// vec is a point in the unit square (y down).
type vec struct{ x, y float64 }

func (a vec) sub(b vec) vec       { return vec{a.x - b.x, a.y - b.y} }
func (a vec) add(b vec) vec       { return vec{a.x + b.x, a.y + b.y} }
func (a vec) mul(k float64) vec   { return vec{a.x * k, a.y * k} }
func (a vec) dot(b vec) float64   { return a.x*b.x + a.y*b.y }
func (a vec) length() float64     { return math.Hypot(a.x, a.y) }
func (a vec) cross(b vec) float64 { return a.x*b.y - a.y*b.x }

// sdf is a signed distance: negative inside.
type sdf func(p vec) float64

func circle(c vec, r float64) sdf { return func(p vec) float64 { return p.sub(c).length() - r } }

// capsule is a segment from a to b with round ends, w wide.
func capsule(a, b vec, w float64) sdf {
	return func(p vec) float64 {
		pa, ba := p.sub(a), b.sub(a)
		h := math.Max(0, math.Min(1, pa.dot(ba)/ba.dot(ba)))
		return pa.sub(ba.mul(h)).length() - w/2
	}
}

func ring(c vec, r, w float64) sdf {
	return func(p vec) float64 { return math.Abs(p.sub(c).length()-r) - w/2 }
}

// arc is the part of a ring from angle a0 to a1 (radians, clockwise on
// screen since y points down), with round ends.
func arc(c vec, r, w, a0, a1 float64) sdf {
	end := func(a float64) vec { return c.add(vec{math.Cos(a), math.Sin(a)}.mul(r)) }
	e0, e1 := end(a0), end(a1)
	return func(p vec) float64 {
		d := p.sub(c)
		a := math.Atan2(d.y, d.x)
		for a < a0 {
			a += 2 * math.Pi
		}
		if a <= a1 {
			return math.Abs(d.length()-r) - w/2
		}
		return math.Min(p.sub(e0).length(), p.sub(e1).length()) - w/2
	}
}

// polygon is a convex polygon (points in either order), rounded by round.
func polygon(round float64, pts ...vec) sdf {
	// Orient counter-clockwise in the maths sense of our y-down plane.
	area := 0.0
	for i := range pts {
		area += pts[i].cross(pts[(i+1)%len(pts)])
	}
	if area < 0 {
		for i, j := 0, len(pts)-1; i < j; i, j = i+1, j-1 {
			pts[i], pts[j] = pts[j], pts[i]
		}
	}
	return func(p vec) float64 {
		// Exact distance to a convex polygon: outside, the nearest edge
		// point; inside, minus the nearest edge distance.
		inside := true
		best := math.Inf(1)
		for i := range pts {
			a, b := pts[i], pts[(i+1)%len(pts)]
			ba, pa := b.sub(a), p.sub(a)
			if ba.cross(pa) < 0 {
				inside = false
			}
			h := math.Max(0, math.Min(1, pa.dot(ba)/ba.dot(ba)))
			best = math.Min(best, pa.sub(ba.mul(h)).length())
		}
		if inside {
			return -best - round
		}
		return best - round
	}
}

func union(fs ...sdf) sdf {
	return func(p vec) float64 {
		d := math.Inf(1)
		for _, f := range fs {
			d = math.Min(d, f(p))
		}
		return d
	}
}

// grow widens a shape by w (a halo for knockouts).
func grow(f sdf, w float64) sdf { return func(p vec) float64 { return f(p) - w } }

// layer paints a shape; knockout layers erase what is under them instead.
type layer struct {
	shape   sdf
	col     color.NRGBA
	erase   bool
	opacity float64 // 0 means 1
}

const samples = 8

func render(size int, layers []layer) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			var r, g, b, a float64 // premultiplied
			for _, l := range layers {
				cov := 0.0
				for sy := range samples {
					for sx := range samples {
						p := vec{(float64(x) + (float64(sx)+0.5)/samples) / float64(size),
							(float64(y) + (float64(sy)+0.5)/samples) / float64(size)}
						if l.shape(p) < 0 {
							cov++
						}
					}
				}
				cov /= samples * samples
				if l.opacity != 0 {
					cov *= l.opacity
				}
				if l.erase {
					r, g, b, a = r*(1-cov), g*(1-cov), b*(1-cov), a*(1-cov)
					continue
				}
				ca := cov * float64(l.col.A) / 255
				r = float64(l.col.R)/255*ca + r*(1-ca)
				g = float64(l.col.G)/255*ca + g*(1-ca)
				b = float64(l.col.B)/255*ca + b*(1-ca)
				a = ca + a*(1-ca)
			}
			if a > 0 {
				img.SetNRGBA(x, y, color.NRGBA{u8(r / a), u8(g / a), u8(b / a), u8(a)})
			}
		}
	}
	return img
}

func u8(v float64) uint8 { return uint8(math.Round(math.Max(0, math.Min(1, v)) * 255)) }

// The key: a ring at the upper left, a shaft to the right, two teeth.
func key() sdf {
	return union(
		ring(vec{0.27, 0.33}, 0.155, 0.115),
		capsule(vec{0.42, 0.33}, vec{0.93, 0.33}, 0.115),
		capsule(vec{0.80, 0.33}, vec{0.80, 0.52}, 0.105),
		capsule(vec{0.93, 0.33}, vec{0.93, 0.47}, 0.105),
	)
}

var (
	white = color.NRGBA{255, 255, 255, 255}
	ink   = color.NRGBA{0x26, 0x26, 0x26, 255}
	paper = color.NRGBA{0xf4, 0xf4, 0xf4, 255}
	green = color.NRGBA{0x1f, 0xa2, 0x4a, 255}
	blue  = color.NRGBA{0x1e, 0x77, 0xe0, 255}
	amber = color.NRGBA{0xf5, 0xa6, 0x0a, 255}
	red   = color.NRGBA{0xdc, 0x2e, 0x2e, 255}
)

// badgeCentre and badgeR place the state badge at the lower right.
var badgeCentre, badgeR = vec{0.70, 0.72}, 0.27

// trayIcon is the key in the panel's ink with the state's badge.
func trayIcon(state string, darkPanel bool) []layer {
	glyph := ink
	if darkPanel {
		glyph = paper
	}
	c, r := badgeCentre, badgeR
	var outline, symbol sdf
	var fill, symCol color.NRGBA
	switch state {
	case "idle":
		// Logged out or nothing configured: the key alone, dimmed.
		return []layer{{shape: key(), col: glyph, opacity: 0.55}}
	case "ok":
		outline, fill, symCol = circle(c, r), green, white
		symbol = union(
			capsule(vec{c.x - 0.13, c.y + 0.005}, vec{c.x - 0.04, c.y + 0.095}, 0.075),
			capsule(vec{c.x - 0.04, c.y + 0.095}, vec{c.x + 0.13, c.y - 0.09}, 0.075))
	case "refreshing":
		// A ring with an arrow head: circular, like a reload sign.
		outline, fill, symCol = circle(c, r), blue, white
		rr := 0.13
		a0, a1 := -0.1*math.Pi, 1.2*math.Pi
		end := c.add(vec{math.Cos(a1), math.Sin(a1)}.mul(rr))
		dir := vec{-math.Sin(a1), math.Cos(a1)} // clockwise on screen
		norm := vec{math.Cos(a1), math.Sin(a1)} // outwards
		symbol = union(
			arc(c, rr, 0.07, a0, a1),
			polygon(0.004, end.add(dir.mul(0.085)), end.add(norm.mul(0.085)).sub(dir.mul(0.02)), end.sub(norm.mul(0.085)).sub(dir.mul(0.02))))
	case "login":
		// A warning triangle: someone has to act.
		outline = polygon(0.035, vec{c.x, c.y - r - 0.02}, vec{c.x + r + 0.02, c.y + r - 0.04}, vec{c.x - r - 0.02, c.y + r - 0.04})
		fill, symCol = amber, ink
		symbol = union(
			capsule(vec{c.x, c.y - 0.085}, vec{c.x, c.y + 0.045}, 0.07),
			circle(vec{c.x, c.y + 0.135}, 0.04))
	case "error":
		// A diamond with a cross: something is broken.
		d := r + 0.03
		outline = polygon(0.03, vec{c.x, c.y - d}, vec{c.x + d, c.y}, vec{c.x, c.y + d}, vec{c.x - d, c.y})
		fill, symCol = red, white
		k := 0.085
		symbol = union(
			capsule(vec{c.x - k, c.y - k}, vec{c.x + k, c.y + k}, 0.07),
			capsule(vec{c.x - k, c.y + k}, vec{c.x + k, c.y - k}, 0.07))
	default:
		log.Fatalf("unknown state %q", state)
	}
	return []layer{
		{shape: key(), col: glyph},
		{shape: grow(outline, 0.07), erase: true}, // a gap between key and badge
		{shape: outline, col: fill},
		{shape: symbol, col: symCol},
	}
}

// appIcon is the white key on a blue rounded square (launchers, windows,
// the .desktop file).
func appIcon() []layer {
	bg := polygon(0.12, vec{0.16, 0.16}, vec{0.84, 0.16}, vec{0.84, 0.84}, vec{0.16, 0.84})
	k := key()
	// The key, scaled into the square and lowered a little.
	placed := func(p vec) float64 { return k(vec{(p.x - 0.12) / 0.76, (p.y - 0.25) / 0.76}) * 0.76 }
	return []layer{
		{shape: bg, col: color.NRGBA{0x22, 0x63, 0xc9, 255}},
		{shape: placed, col: white},
	}
}
