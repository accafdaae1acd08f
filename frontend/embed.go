// Package frontend holds the browser UI of ttx, built from the Svelte sources
// in this directory by `npm run build` and embedded in the binary, so a fresh
// clone builds and serves the real UI with Go alone.
package frontend

import "embed"

// Dist is the built UI: dist/index.html, dist/favicon.svg and dist/assets/
// (app.js and app.css, which the join and feed pages need, and the chunks
// the staff pages load on demand), each text asset with NAME.br and NAME.gz
// beside it (compressed once by the build). File names carry no content
// hash, so the server sets the cache headers; paths inside the FS start
// with "dist/" (use fs.Sub). It is never written to.
//
//go:embed all:dist
var Dist embed.FS
