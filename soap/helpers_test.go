package soap

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "wire", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// node is an XML element reduced to what a namespace-aware reader sees:
// namespace URI (https:// renderings mapped to http://), local name,
// attributes other than namespace declarations, trimmed text, children.
// Prefixes and formatting are deliberately absent, so two documents that
// mean the same are equal.
type node struct {
	Name     xml.Name
	Attrs    []xml.Attr
	Text     string
	Children []*node
}

func parseTree(t testing.TB, data []byte) *node {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*node
	var root *node
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parsing %q: %v", data, err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &node{Name: canonicalName(tk.Name)}
			for _, a := range tk.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" && a.Name.Space == "" {
					continue
				}
				n.Attrs = append(n.Attrs, xml.Attr{Name: canonicalName(a.Name), Value: a.Value})
			}
			sort.Slice(n.Attrs, func(i, j int) bool { return n.Attrs[i].Name.Local < n.Attrs[j].Name.Local })
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
			text.Reset()
		case xml.CharData:
			text.Write(tk)
		case xml.EndElement:
			n := stack[len(stack)-1]
			if len(n.Children) == 0 {
				n.Text = strings.TrimSpace(text.String())
			}
			stack = stack[:len(stack)-1]
			text.Reset()
		}
	}
	return root
}

func canonicalName(n xml.Name) xml.Name {
	if uri, ok := httpsRenderings[n.Space]; ok {
		n.Space = uri
	}
	return n
}

// bodyChild returns the raw bytes of the first element inside soap:Body,
// exactly as they appear in an emitted request.
func bodyChild(t testing.TB, envelope []byte) []byte {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(envelope))
	inBody := false
	depth := 0
	var start int64
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("no body child in %s: %v", envelope, err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if inBody {
				if depth == 0 {
					start = before
				}
				depth++
			} else if tk.Name.Space == NamespaceSOAP && tk.Name.Local == "Body" {
				inBody = true
			}
		case xml.EndElement:
			if inBody && depth > 0 {
				depth--
				if depth == 0 {
					return envelope[start:d.InputOffset()]
				}
			}
		}
	}
}

// recorder is an httptest handler that records each request and replies
// with a fixed answer.
type recorder struct {
	status int
	header http.Header
	body   []byte

	requests chan recorded
}

type recorded struct {
	header http.Header
	body   []byte
}

func newRecorder(status int, body []byte) *recorder {
	return &recorder{status: status, header: http.Header{"Content-Type": {"text/xml; charset=utf-8"}}, body: body, requests: make(chan recorded, 64)}
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rec.requests <- recorded{header: r.Header.Clone(), body: b}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body)
}

func (rec *recorder) last(t testing.TB) recorded {
	t.Helper()
	select {
	case r := <-rec.requests:
		return r
	default:
		t.Fatal("server saw no request")
		return recorded{}
	}
}

func newServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func mustNew(t testing.TB, opts Options) Caller {
	t.Helper()
	c, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}
