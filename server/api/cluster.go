package api

// NormalizeJoinCode is a join code as the store keeps it (what people type:
// lower case, spaces, dashes accepted), or "" when it cannot be one. The
// cluster router uses it to find the exercise a join is for.
func NormalizeJoinCode(s string) string { return normalizeJoinCode(s) }
