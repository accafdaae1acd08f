//go:build linux

// The release script is a Linux tool (GNU tar, date and touch).

package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestReleaseScript runs ../.ci/release for this machine's system (whose
// binary it then runs) and for Windows (the one zip), twice, and checks
// the archives' layout, the checksums, the version stamped in, and that
// the second run gives the same bytes.
func TestReleaseScript(t *testing.T) {
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Fatalf("the release script runs on linux/amd64 or linux/arm64, not %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	for _, tool := range []string{"bash", "git", "tar", "gzip", "sha256sum", "zip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the release script needs %s: %v", tool, err)
		}
	}
	const version = "1.2.3-test.1"
	host := "linux/" + runtime.GOARCH
	run := func(dir string, targets ...string) {
		t.Helper()
		cmd := exec.Command("bash", append([]string{"../.ci/release", version}, targets...)...)
		cmd.Env = append(os.Environ(), "TTX_RELEASE_DIR="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf(".ci/release: %v\n%s", err, out)
		}
	}
	first, second := t.TempDir(), t.TempDir()
	run(first, host, "windows/amd64")

	// The commit and its date, as the script stamps them.
	git := func(args ...string) string {
		out, err := exec.Command("git", args...).Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	commit := git("rev-parse", "HEAD")
	epoch := git("show", "-s", "--format=%ct", "HEAD")
	var secs int64
	if _, err := fmt.Sscan(epoch, &secs); err != nil {
		t.Fatal(err)
	}
	date := time.Unix(secs, 0).UTC().Format("2006-01-02T15:04:05Z")

	linuxName := "ttx_" + version + "_linux_" + runtime.GOARCH
	winName := "ttx_" + version + "_windows_amd64"
	sums := readSums(t, filepath.Join(first, "SHA256SUMS"))
	if got, want := slices.Sorted(maps.Keys(sums)), []string{linuxName + ".tar.gz", winName + ".zip"}; !slices.Equal(got, want) {
		t.Fatalf("SHA256SUMS lists %q, want %q", got, want)
	}
	for name, sum := range sums {
		b, err := os.ReadFile(filepath.Join(first, name))
		if err != nil {
			t.Fatal(err)
		}
		if h := sha256.Sum256(b); hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s: SHA256SUMS says %s, the file hashes to %x", name, sum, h)
		}
	}

	// The tar.gz: one directory named like the archive, the binary and
	// README, owned by root, with fixed modes.
	files := readTarGz(t, filepath.Join(first, linuxName+".tar.gz"))
	wantEntries := []string{linuxName + "/", linuxName + "/README.md", linuxName + "/ttx"}
	if got := slices.Sorted(maps.Keys(files)); !slices.Equal(got, wantEntries) {
		t.Fatalf("%s.tar.gz holds %q, want %q", linuxName, got, wantEntries)
	}
	for name, f := range files {
		wantMode := int64(0o644)
		if !strings.HasSuffix(name, ".md") {
			wantMode = 0o755
		}
		if f.hdr.Mode != wantMode || f.hdr.Uid != 0 || f.hdr.Gid != 0 || f.hdr.ModTime.Unix() != secs {
			t.Errorf("%s: mode %o uid %d gid %d time %v; want %o, root, the commit's time", name, f.hdr.Mode, f.hdr.Uid, f.hdr.Gid, f.hdr.ModTime, wantMode)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(files[linuxName+"/README.md"].data, readme) {
		t.Error("the archive's README.md is not the repository's")
	}

	// The binary runs and says what was stamped.
	exe := filepath.Join(t.TempDir(), "ttx")
	if err := os.WriteFile(exe, files[linuxName+"/ttx"].data, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(exe, "version", "-json").Output()
	if err != nil {
		t.Fatalf("ttx version: %v", err)
	}
	var got buildInfo
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("ttx version -json: %v: %s", err, out)
	}
	if got.Version != version || strings.TrimSuffix(got.Commit, "-dirty") != commit || got.Date != date || got.Platform != host {
		t.Errorf("ttx version says %+v; want version %s, commit %s, date %s, platform %s", got, version, commit, date, host)
	}

	// The zip: the same layout, ttx.exe, a Windows binary.
	zr, err := zip.OpenReader(filepath.Join(first, winName+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == winName+"/ttx.exe" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			head := make([]byte, 2)
			_, err = io.ReadFull(rc, head)
			rc.Close()
			if err != nil || string(head) != "MZ" {
				t.Errorf("ttx.exe starts with %q (%v), not a Windows executable's MZ", head, err)
			}
		}
	}
	if want := []string{winName + "/README.md", winName + "/ttx.exe"}; !slices.Equal(slices.Sorted(slices.Values(names)), want) {
		t.Errorf("%s.zip holds %q, want %q", winName, names, want)
	}

	// Reproducible: the same commit gives the same archives.
	run(second, host, "windows/amd64")
	again, err := os.ReadFile(filepath.Join(second, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if before, _ := os.ReadFile(filepath.Join(first, "SHA256SUMS")); !bytes.Equal(before, again) {
		t.Errorf("two runs on one commit differ:\n%s\n%s", before, again)
	}
}

type tarFile struct {
	hdr  *tar.Header
	data []byte
}

func readTarGz(t *testing.T, path string) map[string]tarFile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	files := map[string]tarFile{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[hdr.Name] = tarFile{hdr, data}
	}
}

// readSums parses a SHA256SUMS file: "HEX  NAME" per line.
func readSums(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("SHA256SUMS line %q", line)
		}
		sums[name] = sum
	}
	return sums
}
