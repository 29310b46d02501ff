package mra

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// checkStrict refuses, as bad_request, what encoding/json lets through in a
// command: a duplicate key in any object at any depth (encoding/json keeps
// the last), a key that differs only in case from a contract field name or
// from another key of its object (encoding/json matches field names
// ignoring case), and a \u escape that is a lone surrogate (encoding/json
// makes it U+FFFD). Keys are compared as they decode, so "vis\u0069bility"
// is "visibility". The message names the key, never other input. raw must
// be valid UTF-8; if it is not well-formed JSON, checkStrict returns nil and
// leaves it to encoding/json to say why. It reads raw once, from start to
// end, without allocating per byte.
func checkStrict(raw []byte) *Error {
	s := scanStrict(raw)
	if !s.wellFormed {
		return nil
	}
	return s.err
}

// scanStrict is checkStrict's pass, and reports besides whether raw is
// well-formed JSON and where the value of a top-level "text" key is when it
// is a string (text.start < 0 if not).
func scanStrict(raw []byte) strictResult {
	s := strictScan{raw: raw, text: span{-1, -1}}
	ok := s.value(span{})
	s.space()
	return strictResult{wellFormed: ok && s.pos == len(raw), err: s.err, text: s.text}
}

// strictResult is what scanStrict found.
type strictResult struct {
	wellFormed bool
	err        *Error
	text       span // raw[start:end] is the quoted string of a top-level "text"
}

// maxStrictDepth is encoding/json's limit on nesting: deeper is malformed.
const maxStrictDepth = 10000

// strictScan is one pass of checkStrict over raw. Each method scans one
// JSON value or token at pos and returns false if raw is malformed there.
type strictScan struct {
	raw   []byte
	pos   int
	depth int    // objects and arrays open
	keys  []byte // the decoded keys (and their folds) of the objects open
	refs  []key  // the keys of the objects open, the innermost last
	err   *Error // the first problem found; returned only if raw is well-formed
	text  span   // the quoted value of a top-level "text" key, if a string
}

// span is a key's bytes in strictScan.keys.
type span struct{ start, end int }

// key is one key of an open object: as decoded and folded.
type key struct{ name, fold span }

func (s *strictScan) bytes(sp span) []byte { return s.keys[sp.start:sp.end] }

func (s *strictScan) space() {
	for s.pos < len(s.raw) {
		switch s.raw[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value scans one value; member is the key whose value it is (or is
// inside, through arrays), for messages.
func (s *strictScan) value(member span) bool {
	s.space()
	if s.pos >= len(s.raw) {
		return false
	}
	switch c := s.raw[s.pos]; {
	case c == '{':
		return s.object()
	case c == '[':
		return s.array(member)
	case c == '"':
		lone, ok := s.string(false)
		if lone && s.err == nil {
			if member.end > member.start {
				s.err = badRequest("the value of %s holds an invalid \\u escape (a lone surrogate)", s.quote(member))
			} else {
				s.err = badRequest("the command holds an invalid \\u escape (a lone surrogate)")
			}
		}
		return ok
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return false
}

func (s *strictScan) object() bool {
	if s.depth++; s.depth > maxStrictDepth {
		return false
	}
	s.pos++ // {
	base, arena := len(s.refs), len(s.keys)
	var index map[string]int // fold → index in refs, once the object is large
	defer func() {
		s.refs, s.keys = s.refs[:base], s.keys[:arena]
		s.depth--
	}()
	s.space()
	if s.pos < len(s.raw) && s.raw[s.pos] == '}' {
		s.pos++
		return true
	}
	for {
		s.space()
		if s.pos >= len(s.raw) || s.raw[s.pos] != '"' {
			return false
		}
		start := len(s.keys)
		lone, ok := s.string(s.err == nil)
		if !ok {
			return false
		}
		name := span{start, len(s.keys)}
		if s.err == nil {
			if lone {
				s.err = badRequest("a key holds an invalid \\u escape (a lone surrogate)")
			} else {
				index = s.add(base, name, index)
			}
		}
		s.space()
		if s.pos >= len(s.raw) || s.raw[s.pos] != ':' {
			return false
		}
		s.pos++
		s.space()
		at := s.pos
		if !s.value(name) {
			return false
		}
		if s.depth == 1 && s.raw[at] == '"' && s.err == nil && string(s.bytes(name)) == "text" {
			s.text = span{at, s.pos}
		}
		s.space()
		if s.pos >= len(s.raw) {
			return false
		}
		switch s.raw[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return true
		default:
			return false
		}
	}
}

// smallObject is how many keys an object has before add indexes them.
const smallObject = 16

// add checks the key name against the contract's field names and the
// other keys of the object whose keys start at refs[base], records a
// problem in s.err, and adds the key. It returns the object's index.
func (s *strictScan) add(base int, name span, index map[string]int) map[string]int {
	s.keys = appendFold(s.keys, s.bytes(name))
	k := key{name: name, fold: span{name.end, len(s.keys)}}
	fold := s.bytes(k.fold)
	if field, ok := contractNames()[string(fold)]; ok && field != string(s.bytes(name)) {
		s.err = badRequest("key %s differs only in case from the field %q", s.quote(name), field)
		return index
	}
	other := -1
	if index == nil && len(s.refs)-base < smallObject {
		for i := base; i < len(s.refs); i++ {
			if bytes.Equal(s.bytes(s.refs[i].fold), fold) {
				other = i
				break
			}
		}
	} else {
		if index == nil {
			index = make(map[string]int, 2*smallObject)
			for i := base; i < len(s.refs); i++ {
				index[string(s.bytes(s.refs[i].fold))] = i
			}
		}
		if i, ok := index[string(fold)]; ok {
			other = i
		} else {
			index[string(fold)] = len(s.refs)
		}
	}
	switch {
	case other < 0:
		s.refs = append(s.refs, k)
	case bytes.Equal(s.bytes(s.refs[other].name), s.bytes(name)):
		s.err = badRequest("duplicate key %s", s.quote(name))
	default:
		s.err = badRequest("keys %s and %s differ only in case", s.quote(s.refs[other].name), s.quote(name))
	}
	return index
}

func (s *strictScan) array(member span) bool {
	if s.depth++; s.depth > maxStrictDepth {
		return false
	}
	defer func() { s.depth-- }()
	s.pos++ // [
	s.space()
	if s.pos < len(s.raw) && s.raw[s.pos] == ']' {
		s.pos++
		return true
	}
	for {
		if !s.value(member) {
			return false
		}
		s.space()
		if s.pos >= len(s.raw) {
			return false
		}
		switch s.raw[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return true
		default:
			return false
		}
	}
}

// string scans the string at pos (at its opening quote), appending its
// decoded bytes to s.keys if keep, and reports whether it holds a lone
// surrogate (decoded as U+FFFD, as encoding/json does).
func (s *strictScan) string(keep bool) (lone, ok bool) {
	raw := s.raw
	i := s.pos + 1
	for {
		run := i
		i = plainEnd(raw, i)
		if keep {
			s.keys = append(s.keys, raw[run:i]...)
		}
		if i >= len(raw) || raw[i] < 0x20 {
			return lone, false
		}
		if raw[i] == '"' {
			s.pos = i + 1
			return lone, true
		}
		// An escape: raw[i] is the backslash.
		if i+1 >= len(raw) {
			return lone, false
		}
		c := raw[i+1]
		i += 2
		if c != 'u' {
			var b byte
			switch c {
			case '"', '\\', '/':
				b = c
			case 'b':
				b = '\b'
			case 'f':
				b = '\f'
			case 'n':
				b = '\n'
			case 'r':
				b = '\r'
			case 't':
				b = '\t'
			default:
				return lone, false
			}
			if keep {
				s.keys = append(s.keys, b)
			}
			continue
		}
		r, ok := hex4(raw, i)
		if !ok {
			return lone, false
		}
		i += 4
		switch {
		case 0xD800 <= r && r < 0xDC00: // high: a low one must follow
			if lo, ok := hex4(raw, i+2); ok && raw[i] == '\\' && raw[i+1] == 'u' && 0xDC00 <= lo && lo < 0xE000 {
				r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				i += 6
			} else {
				r, lone = utf8.RuneError, true
			}
		case 0xDC00 <= r && r < 0xE000: // low, alone
			r, lone = utf8.RuneError, true
		}
		if keep {
			s.keys = utf8.AppendRune(s.keys, r)
		}
	}
}

// unquote decodes the well-formed JSON string q (quotes included) that
// holds no lone surrogate, as encoding/json would.
func unquote(q []byte) string {
	s := strictScan{raw: q, keys: make([]byte, 0, len(q))}
	s.string(true)
	return unsafe.String(unsafe.SliceData(s.keys), len(s.keys))
}

// plain tells the bytes a string holds as they are: not a quote, a
// backslash or a control character.
var plain = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return t
}()

// hex4 decodes the four hex digits at raw[i:].
func hex4(raw []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(raw) {
		return 0, false
	}
	var r rune
	for _, c := range raw[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func (s *strictScan) literal(word string) bool {
	if !bytes.HasPrefix(s.raw[s.pos:], []byte(word)) {
		return false
	}
	s.pos += len(word)
	return true
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *strictScan) number() bool {
	raw, i := s.raw, s.pos
	digits := func() bool {
		start := i
		for i < len(raw) && '0' <= raw[i] && raw[i] <= '9' {
			i++
		}
		return i > start
	}
	if raw[i] == '-' {
		i++
	}
	switch {
	case i < len(raw) && raw[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(raw) && raw[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(raw) && (raw[i] == 'e' || raw[i] == 'E') {
		i++
		if i < len(raw) && (raw[i] == '+' || raw[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	s.pos = i
	return true
}

// quote is a key for a message: quoted, and cut after 64 characters.
func (s *strictScan) quote(sp span) string {
	k := s.bytes(sp)
	if utf8.RuneCount(k) > 64 {
		n := 0
		for range 64 {
			_, size := utf8.DecodeRune(k[n:])
			n += size
		}
		return fmt.Sprintf("%q…", k[:n])
	}
	return fmt.Sprintf("%q", k)
}

// appendFold appends the fold of k to dst: each rune replaced by the
// smallest rune of its case-folding orbit (unicode.SimpleFold). Two keys
// fold alike exactly when bytes.EqualFold holds, which is when
// encoding/json matches them to the same field.
func appendFold(dst, k []byte) []byte {
	for i := 0; i < len(k); {
		if c := k[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(k[i:])
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		dst = utf8.AppendRune(dst, least)
		i += n
	}
	return dst
}

// contractNames maps the fold of every JSON field name of a command (the
// json tags of Command and of the structs inside it: Since, Focus) to that
// name. It is computed once, on first use.
var contractNames = sync.OnceValue(func() map[string]string {
	names := map[string]string{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			switch {
			case tag == "-" || !f.IsExported() && !f.Anonymous:
				continue
			case f.Anonymous && name == "":
				walk(f.Type) // its fields are promoted
				continue
			case name == "":
				name = f.Name
			}
			names[string(appendFold(nil, []byte(name)))] = name
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[Command]())
	return names
})
