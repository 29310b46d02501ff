package mra

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// strictCases are inputs of checkStrict: say is what the message of a
// refused one must hold; "" means accepted.
var strictCases = []struct {
	name, raw, say string
}{
	{"a comment", `{"id":"1","type":"comment","negotiation":"n","version":1,"kind":"note","visibility":"shared","body":"hi"}`, ""},
	{"nested since and focus", `{"id":"1","since":{"shared":1,"internal":2},"focus":{"version":1,"start":0,"end":2}}`, ""},
	{"the same key in different objects", `{"id":"1","since":{"shared":1},"x":{"id":1,"since":{"shared":2}},"y":[{"id":1},{"id":2}]}`, ""},
	{"unknown keys", `{"foo":1,"bar":2,"foo_bar":3}`, ""},
	{"an escaped key that is a field name", `{"vis\u0069bility":"shared"}`, ""},
	{"keys inside a string", `{"body":"\"visibility\":1,\"Visibility\":2,\"visibility\":3"}`, ""},
	{"a valid pair", `{"body":"\ud83d\ude00 and \uD83D\uDE00"}`, ""},
	{"an escaped backslash before ud800", `{"body":"\\ud800"}`, ""},
	{"two escaped backslashes before u", `{"body":"\\\\ud800"}`, ""},
	{"U+FFFD spelled", `{"body":"\ufffd \uFFFD ` + "\uFFFD" + `"}`, ""},
	{"every escape", `{"b\"\\\/\b\f\n\r\t\u00e9":"\"\\\/\b\f\n\r\t\u00e9"}`, ""},
	{"empty objects and arrays", `{"a":{},"b":[],"c":[{}],"d":[[]]}`, ""},
	{"an array of commands", `[{"id":"1"},{"id":"2"}]`, ""},
	{"scalars", `{"a":true,"b":false,"c":null,"d":-0.5e+10,"e":0,"f":12}`, ""},

	{"duplicate", `{"visibility":"internal","visibility":"shared"}`, `duplicate key "visibility"`},
	{"duplicate id", `{"id":"1","type":"reply","id":"2"}`, `duplicate key "id"`},
	{"case variant after the field", `{"visibility":"internal","Visibility":"shared"}`, `key "Visibility" differs only in case from the field "visibility"`},
	{"upper case", `{"VISIBILITY":"shared"}`, `key "VISIBILITY" differs only in case from the field "visibility"`},
	{"Id", `{"Id":"1","type":"reply"}`, `key "Id" differs only in case from the field "id"`},
	{"Required_Approvals", `{"Required_Approvals":2}`, `"required_approvals"`},
	{"duplicate in since", `{"id":"1","since":{"shared":1,"shared":2}}`, `duplicate key "shared"`},
	{"case variant in since", `{"id":"1","since":{"Shared":1}}`, `key "Shared" differs only in case from the field "shared"`},
	{"duplicate in focus", `{"id":"1","focus":{"version":1,"start":0,"version":2}}`, `duplicate key "version"`},
	{"case variant in focus", `{"id":"1","focus":{"START":1}}`, `key "START" differs only in case from the field "start"`},
	{"unknown keys differing in case", `{"foo":1,"FOO":2}`, `keys "foo" and "FOO" differ only in case`},
	{"unknown non-ASCII keys differing in case", `{"état":1,"ÉTAT":2}`, `keys "état" and "ÉTAT" differ only in case`},
	{"escaped duplicate", `{"visibility":"internal","vis\u0069bility":"shared"}`, `duplicate key "visibility"`},
	{"escaped case variant", `{"vi\u0053ibility":"shared"}`, `key "viSibility" differs only in case`},
	{"long s folds to s", `{"viſibility":"shared"}`, `key "viſibility" differs only in case from the field "visibility"`},
	{"Kelvin sign folds to k", `{"\u212aind":"note"}`, `from the field "kind"`},
	{"duplicate in an array", `{"x":[1,{"a":1,"a":2}]}`, `duplicate key "a"`},
	{"duplicate at depth", `[[{"a":{"b":{"c":1,"c":2}}}]]`, `duplicate key "c"`},
	{"lone high", `{"body":"\ud800"}`, `the value of "body" holds an invalid \u escape (a lone surrogate)`},
	{"lone high then text", `{"body":"\uD800x"}`, `lone surrogate`},
	{"two highs", `{"body":"\ud800\ud800"}`, `lone surrogate`},
	{"high then an escaped backslash", `{"body":"\ud800\\udc00"}`, `lone surrogate`},
	{"lone low", `{"body":"\udc00"}`, `lone surrogate`},
	{"pair reversed", `{"body":"\udc00\ud800"}`, `lone surrogate`},
	{"high, pair", `{"body":"\ud800\ud83d\ude00"}`, `lone surrogate`},
	{"in an array", `{"parties":["US","\udfff"]}`, `the value of "parties" holds`},
	{"in a key", `{"\ud800":1}`, `a key holds an invalid \u escape (a lone surrogate)`},
	{"top level", `"\ud800"`, `the command holds an invalid \u escape`},
	{"U+FFFD spelled elsewhere", `{"note":"\ufffd","body":"\ud800"}`, `the value of "body" holds`},
	{"U+FFFD spelled in the same string", `{"body":"` + "\uFFFD" + ` \ud800"}`, `lone surrogate`},

	// Malformed JSON is encoding/json's to report: checkStrict says nothing.
	{"malformed: cut", `{"a":1,"a":2`, ""},
	{"malformed: trailing", `{"a":1,"a":2}}`, ""},
	{"malformed: lone surrogate, cut", `{"a":"\ud800`, ""},
	{"malformed: leading zero", `{"a":1,"a":01}`, ""},
	{"malformed: bad escape", `{"a":1,"a":"\x"}`, ""},
	{"malformed: control character", "{\"a\":1,\"a\":\"\t\"}", ""},
	{"malformed: two values", `{"a":1,"a":2} {}`, ""},
	{"malformed: too deep", strings.Repeat("[", 10001) + `{"a":1,"a":2}` + strings.Repeat("]", 10001), ""},
}

func TestCheckStrict(t *testing.T) {
	for _, c := range strictCases {
		t.Run(c.name, func(t *testing.T) {
			if c.say == "" && !strings.HasPrefix(c.name, "malformed") && !json.Valid([]byte(c.raw)) {
				t.Fatalf("the accepted case is not valid JSON")
			}
			err := checkStrict([]byte(c.raw))
			switch {
			case c.say == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case c.say != "" && err == nil:
				t.Errorf("got nil, want bad_request saying %q", c.say)
			case err != nil && (err.Code != CodeBadRequest || !strings.Contains(err.Message, c.say)):
				t.Errorf("got %v, want bad_request saying %q", err, c.say)
			}
		})
	}
}

func TestCheckStrictDeepButAllowed(t *testing.T) {
	raw := strings.Repeat("[", 10000) + `{"a":1,"a":2}` + strings.Repeat("]", 10000)
	if err := checkStrict([]byte(raw[1 : len(raw)-1])); err == nil || !strings.Contains(err.Message, `duplicate key "a"`) {
		t.Errorf("at depth 10000: got %v, want a duplicate", err)
	}
}

func TestCheckStrictLargeObject(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{`)
	for i := range 1000 {
		b.WriteString(`"k` + strconv.Itoa(i) + `":1,`)
	}
	ok := b.String() + `"last":1}`
	if err := checkStrict([]byte(ok)); err != nil {
		t.Errorf("1000 different keys: got %v, want nil", err)
	}
	for _, c := range []struct{ tail, say string }{
		{`"k500":2}`, `duplicate key "k500"`},
		{`"K999":2}`, `keys "k999" and "K999" differ only in case`},
		{`"Type":2}`, `key "Type" differs only in case from the field "type"`},
	} {
		if err := checkStrict([]byte(b.String() + c.tail)); err == nil || !strings.Contains(err.Message, c.say) {
			t.Errorf("1000 keys then %s: got %v, want %q", c.tail, err, c.say)
		}
	}
}

// TestCheckStrictMessage: a message names the key and nothing else of the input.
func TestCheckStrictMessage(t *testing.T) {
	for _, raw := range []string{
		`{"id":"x","type":"propose_version","text":"Confidential clause","text":"Confidential clause"}`,
		`{"id":"x","type":"propose_version","Text":"Confidential clause"}`,
		`{"id":"x","type":"propose_version","text":"Confidential \ud800 clause"}`,
	} {
		err := checkStrict([]byte(raw))
		if err == nil || strings.Contains(err.Message, "Confidential") || !strings.Contains(strings.ToLower(err.Message), `"text"`) {
			t.Errorf("checkStrict(%s): got %v, want a message naming text and nothing else", raw, err)
		}
	}
	long := strings.Repeat("é", 1000)
	err := checkStrict([]byte(`{"` + long + `":1,"` + long + `":2}`))
	if err == nil || utf8.RuneCountInString(err.Message) > 100 || !utf8.ValidString(err.Message) {
		t.Errorf("a long duplicate key: got %v, want a short message", err)
	}
}

func TestContractNames(t *testing.T) {
	names := contractNames()
	for _, name := range []string{"id", "type", "visibility", "required_approvals", "since", "shared", "internal", "focus", "version", "start", "end"} {
		if got := names[string(appendFold(nil, []byte(name)))]; got != name {
			t.Errorf("contract name %q: got %q", name, got)
		}
	}
}

// TestParseCommandStrict: the contract's example makes no shared thread.
func TestParseCommandStrict(t *testing.T) {
	for _, raw := range []string{
		`{"id":"c1","type":"comment","negotiation":"n","version":1,"kind":"note","visibility":"internal","Visibility":"shared","body":"x"}`,
		`{"id":"c1","type":"comment","negotiation":"n","version":1,"kind":"note","visibility":"internal","visibility":"shared","body":"x"}`,
		`{"id":"c1","type":"reply","negotiation":"n","thread":"t","body":"\ufffd","note":"\ud800"}`,
	} {
		c, err := ParseCommand([]byte(raw))
		if err == nil || err.Code != CodeBadRequest || c == nil || c.ID != "c1" {
			t.Errorf("ParseCommand(%s): got %+v %v, want bad_request naming the id", raw, c, err)
		}
	}
}

// strictReference is checkStrict's slow twin: whether raw (valid UTF-8 and
// well-formed JSON) must be refused. Keys are walked with encoding/json's
// Decoder.Token and compared with strings.EqualFold; \u escapes are found
// by walking the runes of raw.
func strictReference(t *testing.T, raw []byte) bool {
	return referenceKeys(t, raw) || referenceSurrogate(raw)
}

// referenceNames are the json names of Command, Since and Focus.
func referenceNames() []string {
	var names []string
	for _, typ := range []reflect.Type{reflect.TypeFor[Command](), reflect.TypeFor[Since](), reflect.TypeFor[Focus]()} {
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			names = append(names, name)
		}
	}
	return names
}

func referenceKeys(t *testing.T, raw []byte) bool {
	names := referenceNames()
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	type open struct {
		object  bool
		wantKey bool
		keys    []string
	}
	var stack []*open
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			t.Fatalf("reference: %v", err)
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				stack = append(stack, &open{object: v == '{', wantKey: true})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
			continue
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				o := stack[n-1]
				for _, k := range o.keys {
					if strings.EqualFold(k, v) {
						return true
					}
				}
				for _, name := range names {
					if strings.EqualFold(name, v) && name != v {
						return true
					}
				}
				o.keys = append(o.keys, v)
				o.wantKey = false
				continue
			}
		}
		valueDone()
	}
}

func referenceSurrogate(raw []byte) bool {
	inString := false
	for i := 0; i < len(raw); {
		r, n := utf8.DecodeRune(raw[i:])
		switch {
		case !inString:
			inString = r == '"'
			i += n
		case r == '"':
			inString = false
			i++
		case r == '\\' && raw[i+1] == 'u':
			u, _ := strconv.ParseUint(string(raw[i+2:i+6]), 16, 32)
			i += 6
			if !utf16.IsSurrogate(rune(u)) {
				continue
			}
			if i+6 > len(raw) || raw[i] != '\\' || raw[i+1] != 'u' {
				return true
			}
			v, _ := strconv.ParseUint(string(raw[i+2:i+6]), 16, 32)
			if utf16.DecodeRune(rune(u), rune(v)) == utf8.RuneError {
				return true
			}
			i += 6
		case r == '\\':
			i += 2
		default:
			i += n
		}
	}
	return false
}

func TestStrictReference(t *testing.T) {
	for _, c := range strictCases {
		if !json.Valid([]byte(c.raw)) {
			continue
		}
		if got := strictReference(t, []byte(c.raw)); got != (c.say != "") {
			t.Errorf("reference on %s: got refused=%v, want %v", c.name, got, c.say != "")
		}
	}
}

// FuzzCheckStrict compares checkStrict with strictReference on any valid
// UTF-8; on malformed JSON checkStrict must say nothing.
func FuzzCheckStrict(f *testing.F) {
	for _, c := range strictCases {
		if len(c.raw) < 1000 { // the deep one makes mutation slow
			f.Add([]byte(c.raw))
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !utf8.Valid(raw) {
			return
		}
		err := checkStrict(raw)
		if !json.Valid(raw) {
			if err != nil {
				t.Fatalf("checkStrict(%q) on malformed JSON: got %v, want nil", raw, err)
			}
			return
		}
		if want := strictReference(t, raw); (err != nil) != want {
			t.Fatalf("checkStrict(%q) = %v; the reference says refused=%v", raw, err, want)
		}
		if err != nil && (err.Code != CodeBadRequest || err.Message == "" || !utf8.ValidString(err.Message)) {
			t.Fatalf("checkStrict(%q) = %+v, want bad_request with a UTF-8 message", raw, err)
		}
	})
}

// proposal8MiB is a propose_version command whose text is 8 MiB of treaty
// prose, with line breaks, quotes and accented letters escaped as clients do.
func proposal8MiB(b *testing.B) []byte {
	b.Helper()
	clause := "Article 12. The Parties shall recognise each other's \"Authorised Economic Operator\" programmes; the Direction générale des douanes shall notify changes.\n"
	text := strings.Repeat(clause, (8<<20)/len(clause)+1)[:8<<20]
	text = strings.ToValidUTF8(text, "")
	raw, err := json.Marshal(map[string]any{"id": "p1", "type": "propose_version", "negotiation": "n-1", "base": 3, "text": text, "note": "second reading"})
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func BenchmarkCheckStrict8MiB(b *testing.B) {
	raw := proposal8MiB(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if err := checkStrict(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseCommand8MiB is the whole parse, for scale.
func BenchmarkParseCommand8MiB(b *testing.B) {
	raw := proposal8MiB(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCommand(raw); err != nil {
			b.Fatal(err)
		}
	}
}
