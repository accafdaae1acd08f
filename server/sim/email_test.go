package sim

import (
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

// TestEmailSenderAddress: an email shows its sender's address, never the
// social handle ("Jordan Pike <@jpike_bytewatch>"); other channels carry no
// address.
func TestEmailSenderAddress(t *testing.T) {
	m := newMachine(t, "basic.yaml", map[string]string{"company": "Globex"})
	m.Start(0)
	for _, c := range []struct {
		name    string
		channel scenario.Channel
		from    string
		want    string
	}{
		{"email from a persona: derived from name and org", scenario.Email, "reporter", "dana.reyes@dailybyte.example"},
		{"a post from the same persona: no address", scenario.Social, "reporter", ""},
		{"email from free text: no address", scenario.Email, "Somebody", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			evs := m.Inject(time.Minute, AdHoc{Channel: c.channel, From: c.from, Body: "Hello."})
			var got *Event
			for i := range evs {
				if evs[i].Kind == KindInjectDelivered {
					got = &evs[i]
				}
			}
			if got == nil {
				t.Fatalf("no inject delivered: %+v", evs)
			}
			if got.PersonaEmail != c.want {
				t.Errorf("persona_email = %q, want %q", got.PersonaEmail, c.want)
			}
			if got.PersonaEmail == got.PersonaHandle && got.PersonaEmail != "" {
				t.Errorf("the address is the handle %q", got.PersonaHandle)
			}
		})
	}
}

// TestShippedEmailSendersHaveAddresses: every email of the shipped
// scenarios shows a valid address for its persona sender.
func TestShippedEmailSendersHaveAddresses(t *testing.T) {
	for _, name := range []string{"brand-hijack", "outage-comms", "exec-mfa-fatigue", "example"} {
		t.Run(name, func(t *testing.T) {
			sc, err := scenario.Load("../../scenarios/" + name + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			m, err := New(sc, nil)
			if err != nil {
				t.Fatal(err)
			}
			m.Start(0)
			n := 0
			for _, st := range sc.States {
				for _, in := range st.Injects {
					if in.Channel != scenario.Email || sc.Persona(in.From) == nil {
						continue
					}
					n++
					var addr string
					for _, e := range m.Inject(0, AdHoc{Channel: scenario.Email, From: in.From, Body: "x"}) {
						if e.Kind == KindInjectDelivered {
							addr = e.PersonaEmail
						}
					}
					if !scenario.ValidEmail(addr) {
						t.Errorf("inject %s from %s: address %q", in.ID, in.From, addr)
					}
				}
			}
			if n == 0 {
				t.Fatal("no email from a persona")
			}
		})
	}
}
