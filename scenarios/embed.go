// Package scenarios holds the scenario files that ship with ttx. The YAML
// files in this directory are embedded in the binary so that the server can
// offer them with no files on disk, for example in a classroom with no
// network; authors edit them here and check them with ttx validate, play and
// explore.
package scenarios

import "embed"

// Files holds every shipped scenario (*.yaml at the top of this directory).
// An embed.FS is read-only, so sharing it is safe.
//
//go:embed *.yaml
var Files embed.FS
