package api

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDecodeClientMessage(t *testing.T) {
	for _, tc := range []struct {
		in, code string
		check    func(ClientMessage) bool
	}{
		{`{"type":"answer","id":"a1","decision":"d","option":"o","confidence":3}`, "", func(m ClientMessage) bool {
			return m.Answer != nil && m.Answer.Decision == "d" && m.Answer.Confidence == 3 && m.ID == "a1"
		}},
		{`{"type":"pause","id":"p"}`, "", func(m ClientMessage) bool { return m.Type == "pause" }},
		{`{"type":"speed","id":"s","speed":2.5}`, "", func(m ClientMessage) bool { return m.Speed.Speed == 2.5 }},
		{`{"type":"inject","id":"i","inject":{"channel":"email","body":"b","teams":["soc"]}}`, "", func(m ClientMessage) bool {
			return m.Inject.Inject.Body == "b" && m.Inject.Inject.Teams[0] == "soc"
		}},
		{`{"type":"inject","id":"i","inject":{"body":"b","evil":1}}`, "bad_field", nil},
		{`{"type":"pause","id":"p","speed":2}`, "bad_field", nil},
		{`{"type":"speed","id":"s","speed":11}`, "invalid", nil},
		{`{"type":"speed","id":"s","speed":"fast"}`, "bad_field", nil},
		{`{"type":"presence","id":"p","status":"away"}`, "invalid", nil},
		{`{"type":"note","id":"n","text":"  "}`, "invalid", nil},
		{`{"type":"answer","id":"` + strings.Repeat("x", 65) + `"}`, "bad_id", nil},
		{`{"TYPE":"pause","id":"p"}`, "unknown_type", nil},
		{`{"type":"pause","ID":"p"}`, "bad_id", nil},
		{`{"type":"answer","id":"a","decision":"d","text":"` + strings.Repeat("x", maxClientMessage) + `"}`, "too_large", nil},
		{"{\"type\":\"pause\",\"id\":\"p\xff\"}", "bad_json", nil},
		{`{"type":"extend_decision","id":"x","decision":"d","by":300}`, "", func(m ClientMessage) bool {
			return m.Extend != nil && m.Extend.Decision == "d" && m.Extend.By == 300 && m.Type == msgExtendDecision
		}},
		{`{"type":"extend_decision","id":"x","decision":"d","by":1}`, "", func(m ClientMessage) bool { return m.Extend.By == 1 }},
		{`{"type":"extend_decision","id":"x","decision":"d","by":3600}`, "", func(m ClientMessage) bool { return m.Extend.By == 3600 }},
		{`{"type":"extend_decision","id":"x","decision":"d","by":0}`, "invalid", nil},
		{`{"type":"extend_decision","id":"x","decision":"d","by":-5}`, "invalid", nil},
		{`{"type":"extend_decision","id":"x","decision":"d","by":3601}`, "invalid", nil},
		{`{"type":"extend_decision","id":"x","decision":"d"}`, "invalid", nil},
		{`{"type":"extend_decision","id":"x","by":60}`, "invalid", nil},
		{`{"type":"extend_decision","id":"x","decision":"` + strings.Repeat("d", 101) + `","by":60}`, "invalid", nil},
		{`{"type":"extend_decision","id":"x","decision":"d","by":1.5}`, "bad_field", nil},
		{`{"type":"extend_decision","id":"x","decision":"d","by":"60"}`, "bad_field", nil},
		{`{"type":"extend_decision","id":"x","decision":"d","by":1e30}`, "bad_field", nil},
		{`{"type":"extend_decision","id":"x","decision":"d","by":60,"seconds":60}`, "bad_field", nil},
		{`{"type":"extend_decision","id":"x","decision":"d","By":60}`, "bad_field", nil},
		// Teams in the world: each type takes its own fields only.
		{`{"type":"chat","id":"c","room":"team:comms","body":"hi"}`, "", func(m ClientMessage) bool {
			return m.World.Room == "team:comms" && m.World.Body == "hi"
		}},
		{`{"type":"chat","id":"c","room":"team:comms"}`, "invalid", nil},
		{`{"type":"chat","id":"c","body":"hi"}`, "invalid", nil},
		{`{"type":"chat","id":"c","room":"team:comms","body":"hi","draft":"d"}`, "bad_field", nil},
		{`{"type":"chat","id":"c","room":"` + strings.Repeat("r", 101) + `","body":"hi"}`, "invalid", nil},
		{`{"type":"receipt","id":"r","seq":7,"opened":true}`, "", func(m ClientMessage) bool { return m.World.Seq == 7 && m.World.Opened }},
		{`{"type":"receipt","id":"r","seq":0}`, "invalid", nil},
		{`{"type":"receipt","id":"r","seq":"7"}`, "bad_field", nil},
		{`{"type":"draft","id":"d","action":"publish","outlet":"newsroom","body":""}`, "", func(m ClientMessage) bool { return m.World.Outlet == "newsroom" }},
		{`{"type":"draft","id":"d","body":"x"}`, "invalid", nil},
		{`{"type":"draft","id":"d","action":"publish","team":"comms","body":"x"}`, "bad_field", nil},
		{`{"type":"approve","id":"a","draft":"k","version":2,"comment":"ok"}`, "", func(m ClientMessage) bool { return m.World.Version == 2 }},
		{`{"type":"approve","id":"a","draft":"k"}`, "invalid", nil},
		{`{"type":"reject","id":"a","version":1}`, "invalid", nil},
		{`{"type":"discard_draft","id":"x"}`, "invalid", nil},
		{`{"type":"send","id":"s"}`, "invalid", nil},
		{`{"type":"send","id":"s","draft":"k"}`, "", func(m ClientMessage) bool { return m.World.Draft == "k" }},
		{`{"type":"send","id":"s","action":"reply","inject":"i","body":"b","canned":"c"}`, "bad_field", nil},
		{`{"type":"persona_send","id":"p","persona":"reporter","team":"comms","thread":"t","canned":"quote"}`, "", func(m ClientMessage) bool {
			return m.World.Canned == "quote"
		}},
		{`{"type":"persona_send","id":"p","persona":"reporter","team":"comms","body":"b"}`, "invalid", nil},
		{`{"type":"persona_send","id":"p","persona":"reporter","team":"comms","thread":"t"}`, "invalid", nil},
		{`null`, "bad_json", nil},
		{``, "bad_json", nil},
	} {
		m, perr := DecodeClientMessage([]byte(tc.in))
		if tc.code == "" {
			if perr != nil || !tc.check(m) {
				t.Errorf("%.60s: %v %+v", tc.in, perr, m)
			}
			continue
		}
		if perr == nil || perr.Code != tc.code {
			t.Errorf("%.60s: got %v, want %s", tc.in, perr, tc.code)
		}
	}
}

// FuzzDecodeClientMessage: the decoder never panics, and what it accepts
// re-encodes to a message it accepts again with the same meaning.
func FuzzDecodeClientMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"answer","id":"a1","decision":"d","option":"o","confidence":3,"rationale":"r"}`,
		`{"type":"note","id":"n","text":"t","team":"soc","objective":"o"}`,
		`{"type":"presence","id":"p","status":"idle"}`,
		`{"type":"speed","id":"s","speed":2}`,
		`{"type":"inject","id":"i","inject":{"channel":"social","body":"b","engagement":{"likes":1}}}`,
		`{"type":"force","id":"f","state":"x"}`,
		`{"type":"close_decision","id":"c","decision":"x"}`,
		`{"type":"extend_decision","id":"x","decision":"d","by":300}`,
		`{"type":"extend_decision","id":"x","decision":"d","by":3601}`,
		`{"type":"chat","id":"c","room":"team:comms","body":"hi"}`,
		`{"type":"receipt","id":"r","seq":7,"opened":true}`,
		`{"type":"draft","id":"d","draft":"k","action":"publish","outlet":"o","title":"t","body":"b"}`,
		`{"type":"approve","id":"a","draft":"k","version":2,"comment":"ok"}`,
		`{"type":"send","id":"s","action":"reply","inject":"i","thread":"i","body":"b"}`,
		`{"type":"persona_send","id":"p","persona":"x","team":"comms","thread":"t","canned":"q"}`,
		`{"type":"end","id":"e","reason":"r"}`,
		`{"type":"start","id":"s"}`,
		`{"type":"answer","id":"a","decision":"d","text":"\u0000\ud800"}`,
		`[]`, `{"type":{"x":1},"id":"a"}`, `{"id":"a","type":"answer","decision":"d","option":"o"} x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, perr := DecodeClientMessage(data)
		if perr != nil {
			if perr.Code == "" || perr.Message == "" {
				t.Fatalf("error without code or message: %+v", perr)
			}
			if _, err := json.Marshal(errorFrame{Type: "error", ID: perr.ID, Code: perr.Code, Message: perr.Message}); err != nil {
				t.Fatalf("error frame does not encode: %v", err)
			}
			return
		}
		if !validMessageID(m.ID) || m.Type == "" {
			t.Fatalf("accepted a message without a valid id/type: %+v", m)
		}
		var body any
		switch {
		case m.Answer != nil:
			body = m.Answer
		case m.Note != nil:
			body = m.Note
		case m.Presence != nil:
			body = m.Presence
		case m.Speed != nil:
			body = m.Speed
		case m.Inject != nil:
			body = m.Inject
		case m.Force != nil:
			body = m.Force
		case m.Decision != nil:
			body = m.Decision
		case m.End != nil:
			body = m.End
		case m.Extend != nil:
			body = m.Extend
		case m.World != nil:
			body = m.World
		default:
			body = bareMsg{Type: m.Type, ID: m.ID}
		}
		again, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		m2, perr := DecodeClientMessage(again)
		if perr != nil && perr.Code != "too_large" {
			t.Fatalf("re-encoded %s refused: %v", again, perr)
		}
		if perr == nil && (m2.Type != m.Type || m2.ID != m.ID) {
			t.Fatalf("round trip changed the message: %+v vs %+v", m, m2)
		}
	})
}
