package mra

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"
)

// withHash gives an object the hash its chain (after prev "") would give.
func withHash(t testing.TB, members string) []byte {
	t.Helper()
	body := []byte("{" + members + "}")
	return bytes.Replace(body, []byte(`"HASH"`), []byte(`"`+ChainHash("", bytes.Replace(body, []byte(`,"hash":"HASH"`), nil, 1))+`"`), 1)
}

func TestCheckEventForm(t *testing.T) {
	ok := `"a":1,"hash":"HASH","negotiation":"n-1","seq":3,"stream":"shared"`
	if h, err := CheckEvent("", withHash(t, ok)); err != nil || h.Seq != 3 || h.Negotiation != "n-1" || h.Stream != Shared {
		t.Fatalf("canonical event refused: %+v %v", h, err)
	}
	bad := []struct{ name, members string }{
		{"unsorted keys", `"b":1,"a":2,"hash":"HASH","seq":1`},
		{"a duplicate key", `"a":1,"a":1,"hash":"HASH","seq":1`},
		{"whitespace", `"a": 1,"hash":"HASH","seq":1`},
		{"an escaped slash", `"a":"\/","hash":"HASH","seq":1`},
		{"an escaped letter", `"a":"\u0041","hash":"HASH","seq":1`},
		{"an upper-case escape", `"a":"\u001F","hash":"HASH","seq":1`},
		{"\\u000a for \\n", `"a":"\u000a","hash":"HASH","seq":1`},
		{"a raw control character", "\"a\":\"\x01\",\"hash\":\"HASH\",\"seq\":1"},
		{"a fraction", `"a":1.5,"hash":"HASH","seq":1`},
		{"an exponent", `"a":1e3,"hash":"HASH","seq":1`},
		{"a leading zero", `"a":01,"hash":"HASH","seq":1`},
		{"minus zero", `"a":-0,"hash":"HASH","seq":1`},
		{"nested unsorted", `"a":{"y":1,"x":2},"hash":"HASH","seq":1`},
		{"no hash", `"a":1,"seq":1`},
	}
	for _, tt := range bad {
		if _, err := CheckEvent("", withHash(t, tt.members)); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	if _, err := CheckEvent("", append(withHash(t, ok), ' ')); err == nil {
		t.Error("trailing space accepted")
	}
	if _, err := CheckEvent("x", withHash(t, ok)); err == nil {
		t.Error("accepted after the wrong previous hash")
	}
}

var integer = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// canonicalOracle: b is canonical when it is what Canonical writes of its
// own decoding, and every number is an integer (but -0, which RFC 8785
// writes as 0).
func canonicalOracle(b []byte) bool {
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if d.Decode(&v) != nil || d.InputOffset() != int64(len(b)) {
		return false
	}
	if _, ok := v.(map[string]any); !ok {
		return false
	}
	ints := true
	var walk func(any)
	walk = func(x any) {
		switch y := x.(type) {
		case json.Number:
			ints = ints && integer.MatchString(string(y)) && y != "-0"
		case []any:
			for _, e := range y {
				walk(e)
			}
		case map[string]any:
			for _, e := range y {
				walk(e)
			}
		}
	}
	walk(v)
	return ints && bytes.Equal(Canonical(v), b)
}

// FuzzCheckCanonical: CheckEvent's one-pass form check agrees with the
// definition on every object (the hash is TestCheckEventForm's business).
func FuzzCheckCanonical(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":[true,null,"x\n"],"b":{"c":-3}}`, `{"😀":0,"ﬀ":1}`, `{"a":"\u0001"}`, `{"a":1.0}`, `{"b":1,"a":2}`, `{"a":"é<>&\u2028"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' || bytes.Contains(b, []byte(`"hash"`)) {
			return
		}
		want := canonicalOracle(b)
		c := canonChecker{b: b}
		err := c.object(0, true)
		got := err == nil && c.i == len(b) && utfValid(b)
		if got != want {
			t.Fatalf("form check %v (%v), definition %v, for %s", got, err, want, b)
		}
	})
}

func utfValid(b []byte) bool { return json.Valid(b) && bytes.Equal(b, bytes.ToValidUTF8(b, nil)) }
