package scenario

import (
	"net/mail"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// EmailDomainParam is the parameter whose value is the company's email
// domain; personas of the company get addresses there.
const EmailDomainParam = "email_domain"

// ValidEmail reports whether s is one bare email address (local@domain, no
// display name, no angle brackets).
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1
}

// PersonaEmail is the address an email from persona p shows, given the
// rendered name and org and the render function of the exercise:
//
//   - the persona's `email`, rendered, when it is set and renders to a valid
//     address (its domain in lower case);
//   - otherwise one derived from the name and org: the name's words in lower
//     case without accents, joined by dots ("Tomás Herrera" → tomas.herrera),
//     at the company's domain (the `email_domain` parameter) when the org
//     names the company ({{company}}), else at the org's letters and digits
//     plus ".example" ("ByteWatch News" → bytewatchnews.example), else at
//     the name's own letters plus ".example".
func PersonaEmail(p *Persona, name, org string, render func(string) string, params map[string]string) string {
	if p.Email != "" {
		if e := render(p.Email); ValidEmail(e) {
			at := strings.LastIndexByte(e, '@')
			return e[:at+1] + strings.ToLower(e[at+1:])
		}
	}
	local := slug(name, ".")
	if local == "" {
		local = slug(p.ID, ".")
	}
	var domain string
	if d := strings.ToLower(strings.TrimSpace(params[EmailDomainParam])); d != "" && mentionsParam(p.Org, "company") && ValidEmail("x@"+d) {
		domain = d
	} else if o := slug(org, ""); o != "" {
		domain = o + ".example"
	} else if n := slug(name, ""); n != "" {
		domain = n + ".example"
	} else {
		domain = "example.com"
	}
	if e := local + "@" + domain; ValidEmail(e) {
		return e
	}
	return ""
}

// mentionsParam reports whether text holds the placeholder {{id}} (spaces
// inside the braces allowed).
func mentionsParam(text, id string) bool {
	return strings.Contains(Render(text, map[string]string{id: "\x00"}), "\x00")
}

// slug keeps a text's letters and digits, folded to lower-case ASCII
// (accents dropped), with sep between words; at most 64 bytes.
func slug(s, sep string) string {
	folded := norm.NFKD.String(s)
	var b strings.Builder
	pending := false
	for _, r := range folded {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if f := foldExtra(r); f != "" {
			if pending && b.Len() > 0 {
				b.WriteString(sep)
			}
			pending = false
			b.WriteString(f)
			continue
		}
		r = unicode.ToLower(r)
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if pending && b.Len() > 0 {
				b.WriteString(sep)
			}
			pending = false
			b.WriteRune(r)
			continue
		}
		if r == '\'' || r == '’' {
			continue // O'Connell → oconnell
		}
		pending = true
	}
	out := b.String()
	if len(out) > 64 {
		out = strings.TrimRight(out[:64], sep)
	}
	return out
}

// foldExtra folds the Latin letters that do not decompose into a base
// letter and a mark; "" for any other rune.
func foldExtra(r rune) string {
	switch r {
	case 'ø', 'Ø':
		return "o"
	case 'æ', 'Æ':
		return "ae"
	case 'œ', 'Œ':
		return "oe"
	case 'ß':
		return "ss"
	case 'đ', 'Đ', 'ð', 'Ð':
		return "d"
	case 'ł', 'Ł':
		return "l"
	case 'þ', 'Þ':
		return "th"
	case 'ı':
		return "i"
	}
	return ""
}

// paramDefaults maps each parameter declared so far to its default.
func (d *decoder) paramDefaults() map[string]string {
	m := make(map[string]string, len(d.sc.Parameters))
	for _, p := range d.sc.Parameters {
		m[p.ID] = p.Default
	}
	return m
}
