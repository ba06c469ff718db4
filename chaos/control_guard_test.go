package chaos

import (
	"net/http"
	"strings"
	"testing"
)

// TestControlRefusesBrowserRequests sends the requests a web page could
// make to the control endpoint (issue 12): none may set a fault.
func TestControlRefusesBrowserRequests(t *testing.T) {
	e := NewEngine(EngineOptions{})
	c := startControl(t, e)
	url := "http://" + c.Addr + pathFaults
	body := `{"Kind":"reset","Probability":1}`
	for _, tc := range []struct {
		name   string
		host   string
		header map[string]string
		status int
	}{
		{"form post (CSRF, no preflight)", "", map[string]string{"Content-Type": "text/plain"}, http.StatusUnsupportedMediaType},
		{"urlencoded post", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType},
		{"no content type", "", nil, http.StatusUnsupportedMediaType},
		{"cross-origin json", "", map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"dns rebinding", "evil.example:19099", map[string]string{"Content-Type": "application/json"}, http.StatusForbidden},
	} {
		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if tc.host != "" {
			req.Host = tc.host
		}
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.status)
		}
	}
	if got := e.List(); len(got) != 0 {
		t.Fatalf("a refused request set faults: %+v", got)
	}
	// kq's own client, and a plain JSON request to localhost, still work.
	for _, host := range []string{"", "localhost:1", "[::1]:1"} {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("host %q: status %d, want 201", host, resp.StatusCode)
		}
	}
}

func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:19099": true, "localhost:80": true, "LOCALHOST": true, "[::1]:9": true, "127.0.0.2": true,
		"evil.example:19099": false, "10.0.0.1:19099": false, "": false, "localhost.evil.example": false,
	} {
		if got := loopbackHost(host); got != want {
			t.Errorf("loopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}
