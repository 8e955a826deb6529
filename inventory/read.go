package inventory

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"
)

// Format is an inventory's encoding.
type Format string

const (
	JSONLines Format = "jsonl"
	JSON      Format = "json"
	CSV       Format = "csv"
)

// Formats lists the valid formats, for messages.
var Formats = []Format{JSONLines, JSON, CSV}

// FormatForName picks a format by file extension: .json is a JSON array,
// .csv is CSV, and anything else (.jsonl, .ndjson, .log, ...) is JSON
// lines, the format most exports and logs use.
func FormatForName(name string) Format {
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		return JSON
	case ".csv":
		return CSV
	}
	return JSONLines
}

// Limits bound what one inventory may hold.
type Limits struct {
	MaxLineBytes int   // longest JSON line or CSV record
	MaxBytes     int64 // whole input
	MaxRecords   int
}

// DefaultLimits allow a few hundred thousand ordinary records: far beyond
// a dialer's day, yet small enough that a runaway export fails fast.
var DefaultLimits = Limits{MaxLineBytes: 1 << 20, MaxBytes: 256 << 20, MaxRecords: 1_000_000}

// Error is a problem with an inventory's content, at a line of it.
type Error struct {
	Source string // the file name or command, as the policy wrote it
	Line   int    // 1-based; 0 when the problem is not at one line
	Msg    string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Source, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.Source, e.Line, e.Msg)
}

// Record is one decoded record: field name to value, as encoding/json
// decodes with UseNumber (string, json.Number, bool, nil, []any,
// map[string]any). CSV fields are strings.
type Record = map[string]any

func tooBig(source string, lim Limits) error {
	return &Error{Source: source, Msg: fmt.Sprintf("larger than %d bytes, the most an inventory may hold; filter it before callctl reads it", lim.MaxBytes)}
}

// Parse decodes data in format f. source names it in errors. An empty
// input (or one of only blank lines, or a CSV header alone, or []) gives
// no records and no error.
func Parse(data []byte, f Format, source string, lim Limits) ([]Record, error) {
	if int64(len(data)) > lim.MaxBytes {
		return nil, tooBig(source, lim)
	}
	switch f {
	case JSONLines:
		return parseJSONLines(data, source, lim)
	case JSON:
		return parseJSONArray(data, source, lim)
	case CSV:
		return parseCSV(data, source, lim)
	}
	return nil, &Error{Source: source, Msg: fmt.Sprintf("unknown format %q", f)}
}

func tooMany(source string, line int, lim Limits) error {
	return &Error{Source: source, Line: line, Msg: fmt.Sprintf("more than %d records, the most an inventory may hold; filter it before callctl reads it", lim.MaxRecords)}
}

// parallelMin is the size from which an inventory is decoded in
// chunks, one per CPU: a 100,000-line export then loads in about half
// the time on two cores.
const parallelMin = 1 << 20

func parseJSONLines(data []byte, source string, lim Limits) ([]Record, error) {
	return parseLines(data, source, lim, func() func([]byte) (Record, error) { return decodeObject })
}

// parseLines decodes JSON lines with the decoder newDecode returns, one
// per chunk (a decoder may keep per-chunk state, such as an interner).
// From parallelMin bytes the input is decoded in chunks, one per CPU.
func parseLines[T any](data []byte, source string, lim Limits, newDecode func() func([]byte) (T, error)) ([]T, error) {
	workers := runtime.GOMAXPROCS(0)
	if len(data) < parallelMin || workers < 2 {
		return parseLinesFrom(data, 1, source, lim, newDecode())
	}
	// Cut at line ends, noting each chunk's first line number.
	type chunk struct {
		data []byte
		line int
		recs []T
		err  error
	}
	var chunks []*chunk
	line, rest := 1, data
	for len(rest) > 0 {
		n := min(len(rest), len(data)/workers+1)
		if i := bytes.IndexByte(rest[n-1:], '\n'); i >= 0 {
			n += i
		} else {
			n = len(rest)
		}
		chunks = append(chunks, &chunk{data: rest[:n], line: line})
		line += bytes.Count(rest[:n], []byte("\n"))
		rest = rest[n:]
	}
	var wg sync.WaitGroup
	for _, c := range chunks {
		wg.Go(func() { c.recs, c.err = parseLinesFrom(c.data, c.line, source, lim, newDecode()) })
	}
	wg.Wait()
	total := 0
	for _, c := range chunks {
		if c.err != nil {
			return nil, c.err // the earliest chunk's error: the first bad line
		}
		if total+len(c.recs) > lim.MaxRecords {
			return nil, tooMany(source, c.line+countToRecord(c.data, lim.MaxRecords-total), lim)
		}
		total += len(c.recs)
	}
	recs := make([]T, 0, total)
	for _, c := range chunks {
		recs = append(recs, c.recs...)
		c.recs = nil
	}
	return recs, nil
}

// countToRecord returns how many lines into data the (n+1)th non-blank
// line is, for the "more than N records" message.
func countToRecord(data []byte, n int) int {
	line := 0
	for len(data) > 0 {
		l := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(bytes.TrimSpace(l)) > 0 {
			if n == 0 {
				return line
			}
			n--
		}
		line++
	}
	return line
}

func parseLinesFrom[T any](data []byte, firstLine int, source string, lim Limits, decode func([]byte) (T, error)) ([]T, error) {
	var recs []T
	line := firstLine - 1
	for len(data) > 0 {
		line++
		l := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(l) > lim.MaxLineBytes {
			return nil, &Error{Source: source, Line: line, Msg: fmt.Sprintf("line longer than %d bytes", lim.MaxLineBytes)}
		}
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		if len(recs) >= lim.MaxRecords {
			return nil, tooMany(source, line, lim)
		}
		rec, err := decode(l)
		if err != nil {
			return nil, &Error{Source: source, Line: line, Msg: err.Error()}
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

var errNotObject = errors.New("not a JSON object")

// decodeObject decodes exactly one JSON object.
func decodeObject(b []byte) (Record, error) {
	if b[0] != '{' {
		if json.Valid(b) {
			return nil, errNotObject
		}
	}
	if !utf8.Valid(b) {
		return nil, errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var rec Record
	if err := dec.Decode(&rec); err != nil {
		return nil, jsonError(err)
	}
	if rec == nil {
		return nil, errNotObject // null
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("text after the JSON object; put one object on each line")
	}
	return rec, nil
}

// jsonError rewords encoding/json's errors, which name Go types.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON: %s", se.Error())
	case errors.As(err, &te):
		return errNotObject
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errors.New("invalid JSON: unexpected end of line")
	}
	return fmt.Errorf("invalid JSON: %s", err)
}

func parseJSONArray(data []byte, source string, lim Limits) ([]Record, error) {
	lineAt := func(off int64) int { return 1 + bytes.Count(data[:min(off, int64(len(data)))], []byte("\n")) }
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	if !utf8.Valid(data) {
		return nil, &Error{Source: source, Msg: "not valid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if d, ok := tok.(json.Delim); err != nil || !ok || d != '[' {
		return nil, &Error{Source: source, Line: lineAt(dec.InputOffset()), Msg: "not a JSON array; a .json inventory is an array of objects (use format = \"jsonl\" for one object per line)"}
	}
	var recs []Record
	for dec.More() {
		start := dec.InputOffset()
		// Skip the separator and spaces so the line is the element's own.
		for start < int64(len(data)) && strings.IndexByte(", \t\r\n", data[start]) >= 0 {
			start++
		}
		if len(recs) >= lim.MaxRecords {
			return nil, tooMany(source, lineAt(start), lim)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, &Error{Source: source, Line: lineAt(dec.InputOffset()), Msg: jsonError(err).Error()}
		}
		if len(raw) > lim.MaxLineBytes {
			return nil, &Error{Source: source, Line: lineAt(start), Msg: fmt.Sprintf("record longer than %d bytes", lim.MaxLineBytes)}
		}
		rec, err := decodeObject(raw)
		if err != nil {
			return nil, &Error{Source: source, Line: lineAt(start), Msg: err.Error()}
		}
		recs = append(recs, rec)
	}
	if _, err := dec.Token(); err != nil {
		return nil, &Error{Source: source, Line: lineAt(dec.InputOffset()), Msg: jsonError(err).Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{Source: source, Line: lineAt(dec.InputOffset()), Msg: "text after the JSON array"}
	}
	return recs, nil
}

// parseCSV reads CSV with a header row naming the fields. Every value is
// a string, as in Terraform's csvdecode; an empty field is "", not null.
func parseCSV(data []byte, source string, lim Limits) ([]Record, error) {
	if !utf8.Valid(data) {
		return nil, &Error{Source: source, Msg: "not valid UTF-8"}
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // spreadsheet exports begin with a BOM
	r := csv.NewReader(bufio.NewReader(bytes.NewReader(data)))
	r.ReuseRecord = false
	header, err := r.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, csvError(source, err)
	}
	seen := map[string]bool{}
	for i, h := range header {
		if h == "" {
			return nil, &Error{Source: source, Line: 1, Msg: fmt.Sprintf("column %d of the header row is empty; every column needs a name", i+1)}
		}
		if seen[h] {
			return nil, &Error{Source: source, Line: 1, Msg: fmt.Sprintf("the header row names column %q twice", h)}
		}
		seen[h] = true
	}
	var recs []Record
	for {
		fields, err := r.Read()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return nil, csvError(source, err)
		}
		line, _ := r.FieldPos(0)
		n := 0
		for _, f := range fields {
			n += len(f) + 1
		}
		if n > lim.MaxLineBytes {
			return nil, &Error{Source: source, Line: line, Msg: fmt.Sprintf("record longer than %d bytes", lim.MaxLineBytes)}
		}
		if len(recs) >= lim.MaxRecords {
			return nil, tooMany(source, line, lim)
		}
		rec := make(Record, len(header))
		for i, h := range header {
			rec[h] = fields[i]
		}
		recs = append(recs, rec)
	}
}

func csvError(source string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg = "this record has a different number of fields from the header row"
		}
		line := pe.StartLine
		if line == 0 {
			line = pe.Line
		}
		return &Error{Source: source, Line: line, Msg: "invalid CSV: " + msg}
	}
	return &Error{Source: source, Msg: "invalid CSV: " + err.Error()}
}
