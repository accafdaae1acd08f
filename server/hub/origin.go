package hub

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Origins is the cross-origin rule of every door that checks one: the
// WebSocket upgrade here, and the API's state-changing HTTP requests. A
// browser says where a request comes from twice, in Origin and in
// Sec-Fetch-Site; a request is allowed when what it says names this server
// or an allow-listed origin and the two do not contradict each other:
//
//   - no Origin: allowed unless Sec-Fetch-Site says the request is from
//     another site (a non-browser client sends neither header; the caller
//     must still authenticate it);
//   - Origin naming this server (its host equals the request's Host; the
//     scheme is not compared because TLS may end at a proxy): allowed unless
//     Sec-Fetch-Site says cross-site or same-site;
//   - an allow-listed Origin: allowed whatever Sec-Fetch-Site says (behind a
//     proxy that rewrites Host the public origin is allow-listed and the
//     browser says same-origin; a UI served elsewhere says cross-site);
//   - any other Origin: refused, even with Sec-Fetch-Site: same-origin.
//
// Several Origin or Sec-Fetch-Site headers, an Origin of "null" or one that
// does not parse, and a Sec-Fetch-Site value browsers do not send are
// refused.
type Origins struct {
	trusted map[string]struct{} // normalised scheme://host[:port]
}

// NewOrigins builds the rule with extra allowed origins, each
// scheme://host[:port] (http or https). A malformed entry is an error.
func NewOrigins(allowed []string) (*Origins, error) {
	o := &Origins{trusted: make(map[string]struct{}, len(allowed))}
	for _, a := range allowed {
		key, ok := normalizeOrigin(a)
		if !ok {
			return nil, fmt.Errorf("hub: allowed origin %q: want scheme://host[:port]", a)
		}
		o.trusted[key] = struct{}{}
	}
	return o, nil
}

// Allowed applies the rule to r.
func (o *Origins) Allowed(r *http.Request) bool {
	sites := r.Header.Values("Sec-Fetch-Site")
	if len(sites) > 1 {
		return false
	}
	site := ""
	if len(sites) == 1 {
		site = strings.ToLower(strings.TrimSpace(sites[0]))
	}
	fromHere := false // Sec-Fetch-Site does not say "another site"
	switch site {
	case "", "same-origin", "none":
		fromHere = true
	case "same-site", "cross-site":
	default:
		return false
	}
	values := r.Header.Values("Origin")
	switch len(values) {
	case 0:
		return fromHere
	case 1:
	default:
		return false
	}
	u, err := url.Parse(values[0])
	if err != nil || u.Host == "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return false
	}
	host := stripDefaultPort(strings.ToLower(u.Host), scheme)
	if _, ok := o.trusted[scheme+"://"+host]; ok {
		return true
	}
	return fromHere && r.Host != "" && host == stripDefaultPort(strings.ToLower(r.Host), scheme)
}
