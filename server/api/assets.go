package api

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
)

// asset is one file of the web UI held ready to serve: its bytes as built,
// and brotli and gzip encodings of them, each made once (by the frontend
// build, which writes NAME.br and NAME.gz beside each file, or at startup
// for whatever the build did not compress, such as the rewritten
// index.html). The encodings are kept only when they are smaller.
type asset struct {
	ctype string
	tag   string // content hash; the ETag of each encoding derives from it
	plain []byte
	br    []byte // nil: not offered
	gz    []byte
}

// Encodings a build writes beside a file, and the level used when the
// server compresses at startup instead (brotli 11 costs seconds for a
// large bundle; 6 is within a few per cent of it at a tenth of the time).
const (
	brotliStartLevel = 6
	minCompressSize  = 256 // below this the headers cost more than they save
)

// compressible reports whether a content type is text-like, worth
// compressing; images and fonts are compressed already.
func compressible(ctype string) bool {
	mt, _, _ := strings.Cut(ctype, ";")
	mt = strings.TrimSpace(mt)
	return strings.HasPrefix(mt, "text/") || mt == "application/json" || mt == "application/manifest+json" ||
		mt == "image/svg+xml" || strings.HasSuffix(mt, "javascript") || mt == "application/wasm"
}

// newAsset prepares one file: siblings are the build's precompressed
// versions of it (nil when absent).
func newAsset(name string, plain, br, gz []byte) (*asset, error) {
	a := &asset{plain: plain}
	a.ctype = mime.TypeByExtension(path.Ext(name))
	if a.ctype == "" {
		a.ctype = http.DetectContentType(plain)
	}
	sum := sha256.Sum256(plain)
	a.tag = hex.EncodeToString(sum[:12])
	if !compressible(a.ctype) || len(plain) < minCompressSize {
		return a, nil
	}
	var err error
	if br == nil {
		if br, err = brotliBytes(plain); err != nil {
			return nil, fmt.Errorf("brotli %s: %w", name, err)
		}
	}
	if gz == nil {
		if gz, err = gzipBytes(plain); err != nil {
			return nil, fmt.Errorf("gzip %s: %w", name, err)
		}
	}
	if len(br) < len(plain) {
		a.br = br
	}
	if len(gz) < len(plain) {
		a.gz = gz
	}
	return a, nil
}

func brotliBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, brotliStartLevel)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// loadAssets reads every file of the UI once. A file NAME.br or NAME.gz
// beside NAME is taken as NAME's encoding, not served on its own. index
// replaces the bytes of index.html (the server rewrites it).
func loadAssets(files fs.FS, index []byte) (map[string]*asset, error) {
	names := map[string]bool{}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			names[p] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	read := func(p string) ([]byte, error) {
		if !names[p] {
			return nil, nil
		}
		return fs.ReadFile(files, p)
	}
	out := map[string]*asset{}
	for p := range names {
		if base, ok := strings.CutSuffix(p, ".br"); ok && names[base] {
			continue
		}
		if base, ok := strings.CutSuffix(p, ".gz"); ok && names[base] {
			continue
		}
		var plain, br, gz []byte
		if p == "index.html" {
			plain = index // rewritten: the build's encodings are of the old bytes
		} else {
			if plain, err = fs.ReadFile(files, p); err != nil {
				return nil, err
			}
			if br, err = read(p + ".br"); err != nil {
				return nil, err
			}
			if gz, err = read(p + ".gz"); err != nil {
				return nil, err
			}
		}
		a, err := newAsset(p, plain, br, gz)
		if err != nil {
			return nil, err
		}
		out[p] = a
	}
	return out, nil
}

// acceptsEncodings reads an Accept-Encoding header: the q-value the client
// gives brotli and gzip ("*" stands for any coding not named; absent: 0).
func acceptsEncodings(header string) (br, gz float64) {
	br, gz = -1, -1
	star := 0.0
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a malformed weight accepts nothing
				}
				q = f
			}
		}
		switch name {
		case "br":
			br = q
		case "gzip", "x-gzip":
			gz = q
		case "*":
			star = q
		}
	}
	if br < 0 {
		br = star
	}
	if gz < 0 {
		gz = star
	}
	return br, gz
}

// serve writes the asset in the best encoding the request accepts, with
// validators (a strong ETag per encoding) so that a revalidation is a 304,
// and Vary so that caches keep the encodings apart. Range and HEAD are
// handled by http.ServeContent, on the bytes sent.
func (a *asset) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	body, etag := a.plain, a.tag
	if a.br != nil || a.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		br, gz := acceptsEncodings(r.Header.Get("Accept-Encoding"))
		switch {
		case a.br != nil && br > 0 && (br >= gz || a.gz == nil):
			body, etag = a.br, a.tag+"-br"
			h.Set("Content-Encoding", "br")
		case a.gz != nil && gz > 0:
			body, etag = a.gz, a.tag+"-gz"
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}
