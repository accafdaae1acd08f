package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
)

// ui serves the built single-page app from an fs.FS rooted at the dist
// directory (index.html, assets/...). The build names assets without a
// content hash, so the server versions them: index.html is rewritten once at
// startup to reference /assets/NAME?v=HASH (stylesheets and classic
// scripts; JavaScript modules keep their plain URL, see versionRefs), and
// only a request carrying the current hash is cached for a year. index.html itself, and any asset asked
// for without the right version, is revalidated every time, so a new
// release shows at the next load. Every file is served compressed (brotli
// or gzip, as the client accepts) with an ETag, from encodings made once
// (see asset).
type ui struct {
	index    []byte            // nil when the UI is not built into this binary
	versions map[string]string // "assets/app.js" -> content hash
	assets   map[string]*asset // every file, index.html rewritten, with its encodings
}

func newUI(files fs.FS) (*ui, error) {
	u := &ui{versions: map[string]string{}}
	if files == nil {
		return u, nil
	}
	idx, err := fs.ReadFile(files, "index.html")
	if errors.Is(err, fs.ErrNotExist) {
		return &ui{}, nil
	}
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(files, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		v := hex.EncodeToString(sum[:6])
		u.versions[p] = v
		idx = versionRefs(idx, "/"+p, v)
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	u.index = idx
	if u.assets, err = loadAssets(files, idx); err != nil {
		return nil, err
	}
	return u, nil
}

// htmlTag is one opening <script> or <link> tag of index.html.
var htmlTag = regexp.MustCompile(`(?i)<(?:script|link)\b[^>]*>`)

// versionRefs adds ?v=version to the quoted references to ref in the
// script and link tags of an index page, except in module scripts and
// modulepreload links. Modules are keyed by their full URL and the chunks
// import the entry and each other by plain relative names: a versioned
// entry would run twice (two app instances) and a versioned preload would
// fetch its chunk twice. Those files are revalidated instead (ETag, 304).
func versionRefs(idx []byte, ref, version string) []byte {
	return htmlTag.ReplaceAllFunc(idx, func(tag []byte) []byte {
		low := bytes.ToLower(tag)
		if bytes.Contains(low, []byte("modulepreload")) || bytes.Contains(low, []byte(`type="module"`)) || bytes.Contains(low, []byte(`type='module'`)) {
			return tag
		}
		for _, q := range []string{`"`, `'`} {
			tag = bytes.ReplaceAll(tag, []byte(q+ref+q), []byte(q+ref+"?v="+version+q))
		}
		return tag
	})
}

// notFound answers every unrouted request: JSON 404 under /api/, the file
// when it exists, and index.html for any other GET so that client-side
// routes (/join, /exercise/123) load the app.
func (s *Server) notFound(c *gin.Context) {
	p := c.Request.URL.Path
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		fail(c, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such API route"})
		return
	}
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		fail(c, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "not found"})
		return
	}
	if s.ui.index == nil {
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("The web UI is not built into this binary.\n"))
		return
	}
	clean := path.Clean("/" + p) // no "..", no double slashes
	name := strings.TrimPrefix(clean, "/")
	if name != "" && name != "index.html" && fs.ValidPath(name) {
		if a := s.ui.assets[name]; a != nil {
			if v := s.ui.versions[name]; v != "" && c.Query("v") == v {
				c.Header("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				c.Header("Cache-Control", "no-cache")
			}
			a.serve(c.Writer, c.Request)
			return
		}
		if strings.HasPrefix(name, "assets/") {
			// A missing hashed asset is a real 404: answering index.html
			// would be cached as JavaScript for a year.
			c.Header("Cache-Control", "no-cache")
			c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("not found\n"))
			return
		}
	}
	c.Header("Cache-Control", "no-cache")
	s.ui.assets["index.html"].serve(c.Writer, c.Request)
}
