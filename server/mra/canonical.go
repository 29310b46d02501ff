package mra

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Canonical encodes a value decoded from JSON (maps, slices, strings,
// json.Number, bools, nil) as canonical JSON in the manner of RFC 8785:
// object keys sorted by code unit, no insignificant whitespace, strings with
// only the escapes JSON requires. Numbers are written as they were read (the
// contract's numbers are integers).
func Canonical(v any) []byte {
	return appendCanonical(nil, v)
}

func appendCanonical(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case json.Number:
		return append(b, x...)
	case string:
		return appendCanonicalString(b, x)
	case []any:
		b = append(b, '[')
		for k, e := range x {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendCanonical(b, e)
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareUTF16[string])
		b = append(b, '{')
		for k, key := range keys {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendCanonicalString(b, key)
			b = append(b, ':')
			b = appendCanonical(b, x[key])
		}
		return append(b, '}')
	}
	panic(fmt.Sprintf("canonical: unexpected %T", v))
}

// compareUTF16 orders strings (or byte strings) by UTF-16 code units, as
// RFC 8785 sorts keys. ASCII (every key we write) compares byte by byte;
// past it, two astral characters compare as their code points do (their
// surrogate pairs order the same way), and an astral character against
// one of the BMP by its high surrogate.
func compareUTF16[S ~string | ~[]byte](x, y S) int {
	i := 0
	for i < len(x) && i < len(y) && x[i] == y[i] && x[i] < utf8.RuneSelf {
		i++
	}
	if i == len(x) || i == len(y) {
		return len(x) - len(y)
	}
	if x[i] < utf8.RuneSelf && y[i] < utf8.RuneSelf {
		return int(x[i]) - int(y[i])
	}
	a, b := string(x[i:]), string(y[i:]) // rare: a copy for byte strings
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			if ra >= 0x10000 && rb >= 0x10000 {
				return int(ra) - int(rb)
			}
			return int(utf16Key(ra)) - int(utf16Key(rb))
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

// utf16Key maps r to a value that orders like its first UTF-16 code unit.
func utf16Key(r rune) rune {
	if r >= 0x10000 {
		return 0xD800 + (r-0x10000)>>10
	}
	return r
}

func appendCanonicalString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		i = plainEnd(s, i) // most bytes stand for themselves
		if i == len(s) {
			break
		}
		c := s[i]
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendTyped appends the canonical JSON of a typed value: the bytes
// Canonical gives for what encoding/json makes of v, without the detour
// through maps. It knows the shapes events hold (structs with json tags and
// omitempty, pointers, slices, maps with string keys, strings, integers,
// bools, time.Time) and fails on anything else.
func appendTyped(b []byte, v any) ([]byte, error) {
	if d, ok := v.(*AnchorsCarried); ok && d != nil {
		return appendCarried(b, d), nil // thousands of entries: worth writing out
	}
	return appendReflect(b, reflect.ValueOf(v))
}

// appendCarried is appendTyped for a carry, without reflection; the keys in
// canonical order.
func appendCarried(b []byte, d *AnchorsCarried) []byte {
	size := 64
	for _, c := range d.Threads {
		size += len(c.Quote) + len(c.Thread) + 96
	}
	b = slices.Grow(b, size)
	b = append(b, `{"threads":`...)
	if d.Threads == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for k, c := range d.Threads {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"end":`...)
			b = strconv.AppendInt(b, int64(c.End), 10)
			b = append(b, `,"flag":`...)
			b = appendCanonicalString(b, string(c.Flag))
			b = append(b, `,"quote":`...)
			b = appendCanonicalString(b, c.Quote)
			b = append(b, `,"start":`...)
			b = strconv.AppendInt(b, int64(c.Start), 10)
			b = append(b, `,"status":`...)
			b = appendCanonicalString(b, string(c.Status))
			b = append(b, `,"thread":`...)
			b = appendCanonicalString(b, string(c.Thread))
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(d.Version), 10)
	return append(b, '}')
}

var timeType = reflect.TypeFor[time.Time]()

func appendReflect(b []byte, v reflect.Value) ([]byte, error) {
	if !v.IsValid() {
		return append(b, "null"...), nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		return appendReflect(b, v.Elem())
	case reflect.String:
		return appendCanonicalString(b, v.String()), nil
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case reflect.Slice:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i := range v.Len() {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendReflect(b, v.Index(i)); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case reflect.Map:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		if v.Type().Key().Kind() != reflect.String {
			return b, fmt.Errorf("canonical: map key %s", v.Type().Key())
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return compareUTF16(x.String(), y.String()) })
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCanonicalString(b, k.String())
			b = append(b, ':')
			var err error
			if b, err = appendReflect(b, v.MapIndex(k)); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case reflect.Struct:
		if v.Type() == timeType {
			return appendTime(b, v.Interface().(time.Time)), nil
		}
		b = append(b, '{')
		first := true
		for _, f := range fieldsOf(v.Type()) {
			fv := v.Field(f.index)
			if f.omitEmpty && isEmptyValue(fv) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendCanonicalString(b, f.name)
			b = append(b, ':')
			var err error
			if b, err = appendReflect(b, fv); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	}
	return b, fmt.Errorf("canonical: unexpected %s", v.Type())
}

// isEmptyValue is encoding/json's omitempty test.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// field is one encoded field of a struct type.
type field struct {
	name      string
	index     int
	omitEmpty bool
}

// structFields caches each struct type's encoded fields in canonical order.
var structFields sync.Map // reflect.Type → []field

func fieldsOf(t reflect.Type) []field {
	if fs, ok := structFields.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		if sf.Anonymous {
			panic(fmt.Sprintf("canonical: embedded field %s.%s", t, sf.Name))
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		fs = append(fs, field{name: name, index: i, omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
	}
	slices.SortFunc(fs, func(a, b field) int { return compareUTF16(a.name, b.name) })
	structFields.Store(t, fs)
	return fs
}
