// Package pdftext reads PDFs back for tests with poppler-utils
// (pdftotext, pdfinfo, pdftoppm; make test installs them through
// .ci/ensure-poppler.sh).
package pdftext

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// Text extracts a PDF's text with poppler's pdftotext (-layout keeps
// each table row on one line); the tests need poppler-utils (make test
// installs it: .ci/ensure-poppler.sh).
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (install poppler-utils: make ensure-poppler): %v", err)
	}
	return string(out)
}

// Pages is the page count pdfinfo reports.
func Pages(t testing.TB, pdf []byte) int {
	t.Helper()
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", in).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("pdfinfo gave no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// PNG renders the first page of pdf at dpi into path (pdftoppm) so a
// reviewer can look at it.
func PNG(t testing.TB, pdf []byte, path string, dpi int) {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, "page")
	if out, err := exec.Command("pdftoppm", "-png", "-r", strconv.Itoa(dpi), "-f", "1", "-l", "1", "-singlefile", in, base).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	b, err := os.ReadFile(base + ".png")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
