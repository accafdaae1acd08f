package engine

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkText rejects text that is too long, not UTF-8, or holds control
// characters (names and titles are shown on one line).
func checkText(field, s string, maxChars int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return invalid("%s is required", field)
	}
	if !utf8.ValidString(s) {
		return invalid("%s is not valid UTF-8", field)
	}
	if utf8.RuneCountInString(s) > maxChars {
		return invalid("%s is longer than %d characters", field, maxChars)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return invalid("%s must be one line without control characters", field)
		}
	}
	return nil
}

// cleanName trims and checks a participant's display name.
func cleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := checkText("name", name, MaxNameLen, true); err != nil {
		return "", err
	}
	return name, nil
}

func validClientID(id string) bool {
	if id == "" || len(id) > MaxClientIDLen {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._:-", r)) {
			return false
		}
	}
	return true
}
