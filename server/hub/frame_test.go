package hub

import (
	"bytes"
	"fmt"
	"testing"
)

func TestEncodeFrameMatchesNewFrame(t *testing.T) {
	other := []byte("elsewhere")
	for _, n := range []int{0, 1, 125, 126, 127, 65535, 65536, 70000} {
		payload := bytes.Repeat([]byte{'a'}, n)
		for _, tc := range []struct {
			name string
			hint int
			enc  func(b []byte) []byte
		}{
			{"fits", n, func(b []byte) []byte { return append(b, payload...) }},
			{"roomy", n + 100, func(b []byte) []byte { return append(b, payload...) }},
			{"outgrows", n / 2, func(b []byte) []byte { return append(b, payload...) }},
			{"no hint", 0, func(b []byte) []byte { return append(b, payload...) }},
			{"negative hint", -5, func(b []byte) []byte { return append(b, payload...) }},
			{"in two appends", n, func(b []byte) []byte {
				b = append(b, payload[:n/2]...)
				return append(b, payload[n/2:]...)
			}},
		} {
			t.Run(fmt.Sprintf("%d/%s", n, tc.name), func(t *testing.T) {
				want := NewFrame(7, payload)
				got := EncodeFrame(7, tc.hint, tc.enc)
				if !bytes.Equal(got.wire, want.wire) || got.hdr != want.hdr || got.Seq() != 7 || got.Len() != n {
					t.Fatalf("EncodeFrame: hdr %d, len %d, wire %.20q; NewFrame: hdr %d, wire %.20q",
						got.hdr, got.Len(), got.wire, want.hdr, want.wire)
				}
			})
		}
	}
	// An encoder that returns bytes other than those it was given.
	got := EncodeFrame(0, 64, func([]byte) []byte { return other })
	if !bytes.Equal(got.payload(), other) {
		t.Fatalf("payload %q, want %q", got.payload(), other)
	}
	other[0] = 'E'
	if got.payload()[0] != 'e' {
		t.Fatal("the frame shares the encoder's foreign bytes instead of copying them")
	}
}
