package mra

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeCanonical decodes JSON that CheckEvent found canonical (no
// whitespace, keys sorted and unique, integers only) into v, a pointer to
// one of the shapes appendTyped writes: what encoding/json would make of
// it, in one pass and without its validation scan (the check did that).
// Unknown keys are skipped; anything it does not expect is an error.
func decodeCanonical(b []byte, v any) error {
	d := canonDecoder{b: b}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("decode: want a pointer")
	}
	if err := d.value(rv.Elem()); err != nil {
		return err
	}
	if d.i != len(b) {
		return d.fail("bytes after the value")
	}
	return nil
}

type canonDecoder struct {
	b []byte
	i int
}

func (d *canonDecoder) fail(what string) error {
	return fmt.Errorf("decode at byte %d: %s", d.i, what)
}

func (d *canonDecoder) null() bool {
	if d.i+4 <= len(d.b) && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

func (d *canonDecoder) value(v reflect.Value) error {
	if d.i >= len(d.b) {
		return d.fail("unexpected end")
	}
	switch v.Kind() {
	case reflect.Pointer:
		if d.null() {
			v.SetZero()
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.value(v.Elem())
	case reflect.String:
		s, err := d.str()
		if err != nil {
			return err
		}
		v.SetString(s)
		return nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := d.int()
		if err != nil {
			return err
		}
		v.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint64, reflect.Uint32:
		n, err := d.int()
		if err != nil || n < 0 {
			return d.fail("want an unsigned integer")
		}
		v.SetUint(uint64(n))
		return nil
	case reflect.Bool:
		switch {
		case d.i+4 <= len(d.b) && string(d.b[d.i:d.i+4]) == "true":
			d.i += 4
			v.SetBool(true)
		case d.i+5 <= len(d.b) && string(d.b[d.i:d.i+5]) == "false":
			d.i += 5
			v.SetBool(false)
		default:
			return d.fail("want a bool")
		}
		return nil
	case reflect.Slice:
		if d.null() {
			v.SetZero()
			return nil
		}
		if d.b[d.i] != '[' {
			return d.fail("want an array")
		}
		d.i++
		s := reflect.MakeSlice(v.Type(), 0, 4)
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
			v.Set(s)
			return nil
		}
		for {
			s = reflect.Append(s, reflect.Zero(v.Type().Elem()))
			if err := d.value(s.Index(s.Len() - 1)); err != nil {
				return err
			}
			if d.i >= len(d.b) {
				return d.fail("unexpected end")
			}
			if d.b[d.i] == ']' {
				d.i++
				v.Set(s)
				return nil
			}
			if d.b[d.i] != ',' {
				return d.fail("want , or ]")
			}
			d.i++
		}
	case reflect.Struct:
		if v.Type() == timeType {
			s, err := d.str()
			if err != nil {
				return err
			}
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return d.fail("a time: " + err.Error())
			}
			v.Set(reflect.ValueOf(t))
			return nil
		}
		return d.object(v)
	}
	return d.fail("cannot decode into " + v.Type().String())
}

// object decodes a struct's members; its fields and the keys are both in
// canonical order, so each key is found by walking forward.
func (d *canonDecoder) object(v reflect.Value) error {
	if d.null() {
		v.SetZero()
		return nil
	}
	if d.b[d.i] != '{' {
		return d.fail("want an object")
	}
	d.i++
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return nil
	}
	fields := fieldsOf(v.Type())
	f := 0
	for {
		key, err := d.str()
		if err != nil {
			return err
		}
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return d.fail("want :")
		}
		d.i++
		for f < len(fields) && compareUTF16(fields[f].name, key) < 0 {
			f++
		}
		if f < len(fields) && fields[f].name == key {
			if err := d.value(v.Field(fields[f].index)); err != nil {
				return err
			}
			f++
		} else if err := d.skip(); err != nil {
			return err
		}
		if d.i >= len(d.b) {
			return d.fail("unexpected end")
		}
		if d.b[d.i] == '}' {
			d.i++
			return nil
		}
		if d.b[d.i] != ',' {
			return d.fail("want , or }")
		}
		d.i++
	}
}

// skip passes over one value (of a key the target does not have).
func (d *canonDecoder) skip() error {
	c := canonChecker{b: d.b, i: d.i}
	if err := c.value(1); err != nil {
		return err
	}
	d.i = c.i
	return nil
}

func (d *canonDecoder) int() (int64, error) {
	start := d.i
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	n, err := strconv.ParseInt(string(d.b[start:d.i]), 10, 64)
	if err != nil {
		return 0, d.fail("want an integer")
	}
	return n, nil
}

// str decodes a string: canonical escapes only (\" \\ \b \f \n \r \t and
// \u00xx), but any \u escape is read right.
func (d *canonDecoder) str() (string, error) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return "", d.fail("want a string")
	}
	d.i++
	start := d.i
	for d.i < len(d.b) && d.b[d.i] != '"' && d.b[d.i] != '\\' {
		d.i++
	}
	if d.i < len(d.b) && d.b[d.i] == '"' {
		s := string(d.b[start:d.i])
		d.i++
		return s, nil
	}
	out := append([]byte(nil), d.b[start:d.i]...)
	for d.i < len(d.b) {
		ch := d.b[d.i]
		switch {
		case ch == '"':
			d.i++
			return string(out), nil
		case ch != '\\':
			out = append(out, ch)
			d.i++
			continue
		}
		if d.i+1 >= len(d.b) {
			break
		}
		switch e := d.b[d.i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n := d.unicode(d.i)
			if n == 0 {
				return "", d.fail("a bad \\u escape")
			}
			out = utf8.AppendRune(out, r)
			d.i += n
			continue
		default:
			return "", d.fail("a bad escape")
		}
		d.i += 2
	}
	return "", d.fail("unterminated string")
}

// unicode reads the \u escape at i (a surrogate pair as one rune) and how
// many bytes it took; n is 0 for a malformed one.
func (d *canonDecoder) unicode(i int) (rune, int) {
	hex := func(i int) (rune, bool) {
		if i+6 > len(d.b) || d.b[i] != '\\' || d.b[i+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(d.b[i+2:i+6]), 16, 16)
		return rune(v), err == nil
	}
	r, ok := hex(i)
	if !ok {
		return 0, 0
	}
	if utf16.IsSurrogate(r) {
		if r2, ok := hex(i + 6); ok {
			if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
				return c, 12
			}
		}
		return utf8.RuneError, 6
	}
	return r, 6
}
