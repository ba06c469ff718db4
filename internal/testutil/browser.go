package testutil

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// RequireChromiumEnv, when set to a non-empty value, turns a missing
// Chromium from a skip into a failure: CI sets it, because CI installs
// Chromium and must run the browser tests.
const RequireChromiumEnv = "KQ_REQUIRE_CHROMIUM"

// chromiumNames are the names Debian, Ubuntu and Google give the browser.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Chromium returns the path of a Chromium (or Chrome) binary. When there
// is none it skips the test with the reason, or fails it when
// [RequireChromiumEnv] is set.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, n := range chromiumNames {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := "no chromium on PATH (Debian: apt-get install -y chromium): the real-browser check of the report needs it"
	if os.Getenv(RequireChromiumEnv) != "" {
		t.Fatal(msg + "; " + RequireChromiumEnv + " is set, so it is required")
	}
	t.Skip(msg)
	return ""
}

// Browser is a headless Chromium for one test, with its own profile
// directory and no network use of its own.
type Browser struct {
	t    testing.TB
	path string
	dir  string
}

// NewBrowser finds Chromium (see [Chromium]) for the test.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	return &Browser{t: t, path: Chromium(t), dir: t.TempDir()}
}

// run runs Chromium headless on the file at page with extra flags, bounded
// in time, and returns its standard output.
func (b *Browser) run(page string, flags ...string) []byte {
	b.t.Helper()
	abs, err := filepath.Abs(page)
	if err != nil {
		b.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--user-data-dir=" + filepath.Join(b.dir, "profile"),
	}, flags...)
	args = append(args, "file://"+abs)
	cmd := exec.CommandContext(ctx, b.path, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		b.t.Fatalf("chromium %v: %v\n%s", flags, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// Render loads the page in a window of width by height pixels and returns
// the DOM as Chromium serialises it after loading, and a screenshot.
func (b *Browser) Render(page string, width, height int) (string, image.Image) {
	b.t.Helper()
	out := filepath.Join(b.dir, "shot.png")
	os.Remove(out)
	dom := b.run(page, "--dump-dom", "--hide-scrollbars", "--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height), "--screenshot="+out)
	f, err := os.Open(out)
	if err != nil {
		b.t.Fatalf("chromium wrote no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	return string(dom), img
}

// CountPixels counts the pixels of img within tol (per channel, 0-255) of
// c.
func CountPixels(img image.Image, c color.Color, tol int) int {
	want := color.NRGBAModel.Convert(c).(color.NRGBA)
	n := 0
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			got := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if near(got.R, want.R, tol) && near(got.G, want.G, tol) && near(got.B, want.B, tol) {
				n++
			}
		}
	}
	return n
}

func near(a, b uint8, tol int) bool {
	d := int(a) - int(b)
	return d <= tol && d >= -tol
}
