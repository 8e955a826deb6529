package exchsim

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAdminPostCalls(t *testing.T) {
	tests := map[string]struct {
		body       string
		wantStatus int
		wantErr    string
		want       []Call
	}{
		"adds and changes, keeps the rest": {
			body:       `{"calls":[{"id":"c","state":"Connected"},{"id":"a","state":"Disconnected","cause":"Other"}]}`,
			wantStatus: http.StatusOK,
			want:       []Call{{ID: "a", State: "Disconnected", Cause: "Other"}, {ID: "b", State: "Alerted"}, {ID: "c", State: "Connected"}},
		},
		"a bad call changes nothing": {
			body:       `{"calls":[{"id":"c","state":"Connected"},{"id":"d","state":"Ringing"}]}`,
			wantStatus: http.StatusBadRequest, wantErr: `unknown state "Ringing"`,
			want: []Call{{ID: "a", State: "Connected"}, {ID: "b", State: "Alerted"}},
		},
		"unknown field": {
			body:       `{"calls":[{"id":"c","state":"Connected","colour":"red"}]}`,
			wantStatus: http.StatusBadRequest, wantErr: `unknown field "colour"`,
			want: []Call{{ID: "a", State: "Connected"}, {ID: "b", State: "Alerted"}},
		},
		"duplicate id": {
			body:       `{"calls":[{"id":"c","state":"Connected"},{"id":"c","state":"Idle"}]}`,
			wantStatus: http.StatusBadRequest, wantErr: `duplicate call id "c"`,
			want: []Call{{ID: "a", State: "Connected"}, {ID: "b", State: "Alerted"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := newTestServer(t, Options{Calls: []Call{{ID: "a", State: "Connected"}, {ID: "b", State: "Alerted"}}})
			c := newClient(t)
			resp, err := c.Post(s.URL+"/_exchsim/calls", "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.wantStatus, body)
			}
			if !strings.Contains(string(body), tc.wantErr) {
				t.Errorf("answer %q lacks %q", body, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, s.Calls()); diff != "" {
				t.Errorf("call table (-want +got):\n%s", diff)
			}
		})
	}
}
