package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"
)

func TestAcceptsEncodings(t *testing.T) {
	for _, tc := range []struct {
		header string
		br, gz float64
	}{
		{"", 0, 0},
		{"gzip, deflate, br, zstd", 1, 1},
		{"gzip", 0, 1},
		{"br;q=0.5, gzip;q=0.8", 0.5, 0.8},
		{"BR ; Q=1, GZIP;q=0", 1, 0},
		{"*", 1, 1},
		{"*;q=0.3, br", 1, 0.3},
		{"br;q=0, *", 0, 1},
		{"identity", 0, 0},
		{"br;q=2, gzip;q=abc", 0, 0}, // malformed weights accept nothing
		{"x-gzip", 0, 1},
	} {
		br, gz := acceptsEncodings(tc.header)
		if br != tc.br || gz != tc.gz {
			t.Errorf("%q: br %v gz %v, want %v %v", tc.header, br, gz, tc.br, tc.gz)
		}
	}
}

func unbrotli(t *testing.T, b string) string {
	t.Helper()
	out, err := io.ReadAll(brotli.NewReader(strings.NewReader(b)))
	if err != nil {
		t.Fatalf("brotli body: %v", err)
	}
	return string(out)
}

func ungzip(t *testing.T, b string) string {
	t.Helper()
	r, err := gzip.NewReader(strings.NewReader(b))
	if err != nil {
		t.Fatalf("gzip body: %v", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("gzip body: %v", err)
	}
	return string(out)
}

// TestAssetsCompressed: every file of the UI, index.html included, is sent
// in the encoding the client accepts, with Vary, the right type and an ETag
// per encoding that turns a revalidation into a 304; a build's
// precompressed NAME.br / NAME.gz is what is sent (not recompressed) and is
// never served as a file of its own.
func TestAssetsCompressed(t *testing.T) {
	js := strings.Repeat("export const ttx = 'tabletop exercise';\n", 200)
	css := strings.Repeat(".card { margin: 0 auto; padding: 1rem; }\n", 100)
	index := `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ttx</title>` +
		`<link rel="stylesheet" href="/assets/app.css"><script type="module" src="/assets/app.js"></script>` +
		strings.Repeat("<!-- padding so that compression pays -->", 10) + `</head><body><div id="app"></div></body></html>`
	// The build's brotli of app.js, at another level than the server's, so
	// that its bytes tell whether it was used.
	var prebuilt bytes.Buffer
	w := brotli.NewWriterLevel(&prebuilt, 11)
	if _, err := w.Write([]byte(js)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if own, _ := brotliBytes([]byte(js)); bytes.Equal(own, prebuilt.Bytes()) {
		t.Fatal("test setup: the prebuilt brotli must differ from the server's own")
	}
	ui := fstest.MapFS{
		"index.html":       {Data: []byte(index)},
		"assets/app.js":    {Data: []byte(js)},
		"assets/app.js.br": {Data: prebuilt.Bytes()},
		"assets/app.css":   {Data: []byte(css)},
		"favicon.svg":      {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
	}
	e := newEnv(t, withUI(ui))

	type want struct {
		status   int
		encoding string // Content-Encoding
		ctype    string
		plain    string // the decoded body must contain it
	}
	for _, tc := range []struct {
		name, url, accept string
		want              want
	}{
		{"js as brotli", "/assets/app.js", "gzip, deflate, br", want{200, "br", "javascript", "tabletop exercise"}},
		{"js as gzip", "/assets/app.js", "gzip", want{200, "gzip", "javascript", "tabletop exercise"}},
		{"js preferring gzip", "/assets/app.js", "br;q=0.5, gzip", want{200, "gzip", "javascript", "tabletop exercise"}},
		{"js identity", "/assets/app.js", "identity", want{200, "", "javascript", "tabletop exercise"}},
		{"js brotli refused", "/assets/app.js", "br;q=0", want{200, "", "javascript", "tabletop exercise"}},
		{"css as brotli", "/assets/app.css", "br", want{200, "br", "text/css", "margin: 0 auto"}},
		{"index as brotli", "/", "br, gzip", want{200, "br", "text/html", `href="/assets/app.css?v=`}},
		{"index as gzip", "/join", "gzip", want{200, "gzip", "text/html", `<div id="app">`}},
		{"tiny svg stays plain", "/favicon.svg", "br, gzip", want{200, "", "image/svg+xml", "<svg"}},
		{"a build's sibling is no file", "/assets/app.js.br", "br", want{404, "", "text/plain", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(nil, "GET", tc.url, nil, map[string]string{"Accept-Encoding": tc.accept})
			if r.status != tc.want.status {
				t.Fatalf("status %d, want %d", r.status, tc.want.status)
			}
			if got := r.header.Get("Content-Encoding"); got != tc.want.encoding {
				t.Errorf("Content-Encoding %q, want %q", got, tc.want.encoding)
			}
			if got := r.header.Get("Content-Type"); !strings.Contains(got, tc.want.ctype) {
				t.Errorf("Content-Type %q, want %q", got, tc.want.ctype)
			}
			if r.status != 200 {
				return
			}
			body := r.body
			switch tc.want.encoding {
			case "br":
				body = unbrotli(t, r.body)
			case "gzip":
				body = ungzip(t, r.body)
			}
			if !strings.Contains(body, tc.want.plain) {
				t.Errorf("decoded body lacks %q: %.200s", tc.want.plain, body)
			}
			if tc.want.encoding != "" && len(r.body) >= len(body) {
				t.Errorf("%s body is %d bytes for %d plain", tc.want.encoding, len(r.body), len(body))
			}
			if tc.url == "/assets/app.js" && tc.want.encoding == "br" && r.body != prebuilt.String() {
				t.Errorf("the build's app.js.br was not the body sent (got %d bytes, prebuilt %d)", len(r.body), prebuilt.Len())
			}
			if tc.want.encoding != "" || tc.accept == "identity" {
				if !strings.Contains(r.header.Get("Vary"), "Accept-Encoding") && tc.url != "/favicon.svg" {
					t.Errorf("Vary %q lacks Accept-Encoding", r.header.Get("Vary"))
				}
			}
			etag := r.header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			again := e.do(nil, "GET", tc.url, nil, map[string]string{"Accept-Encoding": tc.accept, "If-None-Match": etag})
			if again.status != 304 || again.body != "" {
				t.Errorf("revalidation with %s: status %d body %d bytes, want 304 and none", etag, again.status, len(again.body))
			}
		})
	}

	// Each encoding has its own ETag: a cache holding the gzip bytes must
	// not be told that they are the brotli ones.
	tags := map[string]string{}
	for _, acc := range []string{"br", "gzip", "identity"} {
		tag := e.do(nil, "GET", "/assets/app.js", nil, map[string]string{"Accept-Encoding": acc}).header.Get("ETag")
		if prev, dup := tags[tag]; dup {
			t.Errorf("%s and %s share the ETag %s", prev, acc, tag)
		}
		tags[tag] = acc
	}
	// A HEAD carries the headers without a body.
	if r := e.do(nil, "HEAD", "/assets/app.js", nil, map[string]string{"Accept-Encoding": "br"}); r.status != 200 || r.body != "" || r.header.Get("Content-Encoding") != "br" {
		t.Errorf("HEAD: status %d, %d bytes, encoding %q", r.status, len(r.body), r.header.Get("Content-Encoding"))
	}
}

// TestVersionRefs: index.html's stylesheet and classic script references
// carry the content version; a module script or modulepreload link keeps
// the plain URL that importing chunks resolve, or the browser would run the
// entry twice (two instances of the app) or fetch a chunk twice.
func TestVersionRefs(t *testing.T) {
	for _, tc := range []struct{ in, ref, want string }{
		{`<script type="module" crossorigin src="/assets/app.js"></script>`, "/assets/app.js",
			`<script type="module" crossorigin src="/assets/app.js"></script>`},
		{`<script src="/assets/legacy.js"></script>`, "/assets/legacy.js",
			`<script src="/assets/legacy.js?v=abc"></script>`},
		{`<link rel="stylesheet" crossorigin href='/assets/app.css'>`, "/assets/app.css",
			`<link rel="stylesheet" crossorigin href='/assets/app.css?v=abc'>`},
		{`<link rel="modulepreload" crossorigin href="/assets/Markdown.js">`, "/assets/Markdown.js",
			`<link rel="modulepreload" crossorigin href="/assets/Markdown.js">`},
		{`<p>"/assets/app.js" in text</p>`, "/assets/app.js", `<p>"/assets/app.js" in text</p>`},
		{`<script src="/assets/app.jsx"></script>`, "/assets/app.js", `<script src="/assets/app.jsx"></script>`},
	} {
		if got := string(versionRefs([]byte(tc.in), tc.ref, "abc")); got != tc.want {
			t.Errorf("versionRefs(%s)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
