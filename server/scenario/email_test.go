package scenario

import (
	"strings"
	"testing"
)

func TestValidEmail(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"dana.reyes@ledger.example", true},
		{"press@brightloop.example", true},
		{"a@b", true},
		{"", false},
		{"@jpike_bytewatch", false},
		{"Jordan Pike <jpike@bytewatch.example>", false},
		{"<jpike@bytewatch.example>", false},
		{"two words@x.example", false},
		{"no-at.example", false},
		{"trailing@", false},
		{"a@b@c", false},
		{strings.Repeat("a", 250) + "@x.example", false},
	} {
		if got := ValidEmail(c.in); got != c.want {
			t.Errorf("ValidEmail(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestPersonaEmail(t *testing.T) {
	params := map[string]string{"company": "Brightloop", "email_domain": "Brightloop.Example", "agency": "Tallbird Creative", "smm_tool": "SocialDeck"}
	render := func(s string) string { return Render(s, params) }
	for _, c := range []struct {
		name string
		p    Persona
		want string
	}{
		{"declared", Persona{ID: "reporter", Name: "Jordan Pike", Handle: "@jpike_bytewatch", Email: "jpike@bytewatch.example", Org: "ByteWatch News"}, "jpike@bytewatch.example"},
		{"declared with a parameter", Persona{ID: "press", Name: "Press", Email: "press@{{email_domain}}", Org: "{{company}}"}, "press@brightloop.example"},
		{"declared but renders invalid: derived", Persona{ID: "deck", Name: "Deck", Email: "help@{{agency}}.example", Org: "Vendor"}, "deck@vendor.example"},
		{"company persona: company domain", Persona{ID: "amara", Name: "Amara Nwosu", Org: "{{company}} legal"}, "amara.nwosu@brightloop.example"},
		{"accents folded", Persona{ID: "tomas", Name: "Tomás Herrera", Org: "{{ company }} security"}, "tomas.herrera@brightloop.example"},
		{"letters without a decomposition", Persona{ID: "h", Name: "Helena Sørensen", Org: "Ørsted Æble"}, "helena.sorensen@orstedaeble.example"},
		{"apostrophe", Persona{ID: "sam", Name: "Sam O'Connell", Org: "Customer"}, "sam.oconnell@customer.example"},
		{"outside org", Persona{ID: "reporter", Name: "Jordan Pike", Handle: "@jpike_bytewatch", Org: "ByteWatch News"}, "jordan.pike@bytewatchnews.example"},
		{"org from a parameter", Persona{ID: "owen", Name: "Owen Marsh", Org: "{{agency}}"}, "owen.marsh@tallbirdcreative.example"},
		{"no org", Persona{ID: "bot", Name: "BrandPulse"}, "brandpulse@brandpulse.example"},
		{"name without letters", Persona{ID: "caller_x", Name: "?", Org: "Withheld"}, "caller.x@withheld.example"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := PersonaEmail(&c.p, render(c.p.Name), render(c.p.Org), render, params)
			if got != c.want {
				t.Errorf("PersonaEmail = %q, want %q", got, c.want)
			}
		})
	}
	// Without an email_domain parameter a company persona gets its org's domain.
	p := Persona{ID: "ciso", Name: "Sam Okafor", Org: "{{company}}"}
	if got := PersonaEmail(&p, "Sam Okafor", "Northwind Bank", func(s string) string { return s }, map[string]string{"company": "Northwind Bank"}); got != "sam.okafor@northwindbank.example" {
		t.Errorf("without email_domain: %q", got)
	}
}
