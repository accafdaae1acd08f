package cluster_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/cluster"
)

// TestRouter: two nodes over real HTTP. A request about an exercise the
// other node drives is passed to it once, with the secret, keeping the
// client's Host; a join is routed by its code; other requests, and
// requests already passed on, are served where they arrive; a wrong
// secret is refused in the API's error shape.
func TestRouter(t *testing.T) {
	const secret = "router-test-secret-0123"
	type seen struct{ node, path, host, fwd string }
	got := make(chan seen, 1)
	app := func(node string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			got <- seen{node, r.URL.RequestURI(), r.Host, r.Header.Get(cluster.ForwardedHeader)}
			_, _ = w.Write(body)
		})
	}
	owners := map[string]string{} // exercise -> node URL ("" for none known)
	var a, b *httptest.Server
	mk := func(name string, self func() string) *httptest.Server {
		return httptest.NewServer(cluster.NewRouter(app(name), cluster.RouterConfig{
			Self: "", Secret: secret,
			Owner: func(_ context.Context, id string) (string, error) {
				if o := owners[id]; o != self() {
					return o, nil
				}
				return "", nil
			},
			ByCode: func(_ context.Context, code string) (string, error) {
				return map[string]string{"ABC123": "exb"}[code], nil
			},
		}))
	}
	a = mk("a", func() string { return a.URL })
	defer a.Close()
	b = mk("b", func() string { return b.URL })
	defer b.Close()
	owners["exa"], owners["exb"] = a.URL, b.URL

	for _, tc := range []struct {
		name, method, path, body string
		header                   map[string]string
		wantNode                 string
		wantStatus               int
	}{
		{"own exercise", "GET", "/api/exercises/exa/events?after=3", "", nil, "a", 200},
		{"other's exercise", "GET", "/api/exercises/exb/events?after=3", "", nil, "b", 200},
		{"other's socket", "GET", "/api/ws?exercise=exb&after=0", "", nil, "b", 200},
		{"join by code", "POST", "/api/join", `{"code":"ABC123","name":"n"}`, nil, "b", 200},
		{"unknown code", "POST", "/api/join", `{"code":"ZZZ","name":"n"}`, nil, "a", 200},
		{"not about an exercise", "GET", "/api/exercises", "", nil, "a", 200},
		{"passed on already", "GET", "/api/exercises/exb", "", map[string]string{cluster.ForwardedHeader: secret}, "a", 200},
		{"wrong secret", "GET", "/api/exercises/exb", "", map[string]string{cluster.ForwardedHeader: "guess"}, "", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, a.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Host = "ttx.example"
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.wantStatus {
				t.Fatalf("status %d %s, want %d", res.StatusCode, body, tc.wantStatus)
			}
			if tc.wantNode == "" {
				if !strings.Contains(string(body), `"error":{"code":"forbidden"`) {
					t.Fatalf("refusal %s: want the API's error shape", body)
				}
				return
			}
			s := <-got
			if s.node != tc.wantNode || s.path != tc.path || s.host != "ttx.example" || string(body) != tc.body {
				t.Fatalf("served %+v, body %q; want node %s, path %s, the client's host, the body passed whole", s, body, tc.wantNode, tc.path)
			}
			if s.fwd != "" {
				t.Fatalf("the app sees the cluster header %q", s.fwd)
			}
		})
	}
}

// TestRouterRemembersOwners: a router asks for an exercise's owner once
// per CacheFor, and forgets an owner it could not reach, so the next
// request asks again (and finds the node that took over).
func TestRouterRemembersOwners(t *testing.T) {
	owner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "owner") }))
	asked := 0
	next := owner.URL
	rt := httptest.NewServer(cluster.NewRouter(http.NotFoundHandler(), cluster.RouterConfig{
		Self: "http://self", Secret: "router-test-secret-0123", CacheFor: time.Hour,
		Owner: func(context.Context, string) (string, error) { asked++; return next, nil },
	}))
	defer rt.Close()
	get := func() int {
		t.Helper()
		res, err := http.Get(rt.URL + "/api/exercises/ex/events")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for range 3 {
		if st := get(); st != 200 {
			t.Fatalf("status %d", st)
		}
	}
	if asked != 1 {
		t.Fatalf("asked for the owner %d times in 3 requests; want 1", asked)
	}
	owner.Close() // the owner dies
	if st := get(); st != http.StatusServiceUnavailable {
		t.Fatalf("forward to a dead owner: %d; want 503", st)
	}
	survivor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "survivor") }))
	defer survivor.Close()
	next = survivor.URL
	if st := get(); st != 200 || asked != 2 {
		t.Fatalf("after the failed forward: status %d, asked %d times; want 200 after asking again", st, asked)
	}
}
