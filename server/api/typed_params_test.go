package api

import (
	"net/http"
	"testing"
	"testing/fstest"

	"github.com/ttxsim/ttx/server/library"
)

// TestCreateExerciseTypedParams: a value the parameter refuses is a 400
// naming the parameter; a valid one creates the exercise.
func TestCreateExerciseTypedParams(t *testing.T) {
	withParams := func(e *envSetup) {
		e.d.Library = library.New(fstest.MapFS{"params.yaml": {Data: readFile(t, "../sim/testdata/params.yaml")}}, nil)
	}
	e := newEnv(t, withParams)
	fac := e.login()
	origin := map[string]string{"Origin": e.ts.URL}
	for _, tc := range []struct {
		value  string
		status int
		msg    string
	}{
		{"lots", http.StatusBadRequest, `parameter "loss_limit" is not a number`},
		{"-5", http.StatusBadRequest, `parameter "loss_limit" is less than 0`},
		{"750", http.StatusCreated, ""},
	} {
		r := e.do(fac, "POST", "/api/exercises", map[string]any{"scenario": "params", "params": map[string]string{"loss_limit": tc.value}}, origin)
		if r.status != tc.status {
			t.Fatalf("%s: %d %s", tc.value, r.status, r.body)
		}
		if tc.msg == "" {
			continue
		}
		var body struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Details struct {
					Param string `json:"param"`
				} `json:"details"`
			} `json:"error"`
		}
		r.json(t, &body)
		if body.Error.Code != "bad_param" || body.Error.Message != tc.msg || body.Error.Details.Param != "loss_limit" {
			t.Errorf("%s: %+v", tc.value, body.Error)
		}
	}
}
