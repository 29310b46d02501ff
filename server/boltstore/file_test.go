package boltstore

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// buildDataFile writes, through the Store API, a database that holds data
// in every kind of page (branch pages, leaf pages, a text in overflow
// pages, nested and inline buckets), closes it and returns its path.
func buildDataFile(t *testing.T) string {
	t.Helper()
	path := tempPath(t)
	s := mustOpen(t, path)
	operate(t, s, nil, `{"type":"add_party","party":{"id":"US","name":"U.S. Customs and Border Protection","program":"CTPAT"}}`)
	n1, n2 := newChain("n1"), newChain("n2")
	text := strings.Repeat("Article 1. The Parties recognise each other's programs.\n", 2000)
	c := n1.change(t, []*mra.Event{created(), reply("US", "internal 1")}, record("t1", `{"v":1}`))
	c.Texts = map[string]string{mra.SHA256(text): text}
	mustCommit(t, s, c)
	mustCommit(t, s, n2.change(t, []*mra.Event{created()}))
	var events []*mra.Event
	for i := range 400 {
		events = append(events, reply("", fmt.Sprintf("message %d %s", i, strings.Repeat("x", 120))))
	}
	mustCommit(t, s, n1.change(t, events))
	if err := s.Verify(); err != nil {
		t.Fatalf("Verify of an intact store: got %v, want nil", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return path
}

// highWater returns the page size of the closed database at path and the
// bytes its pages need (bbolt's own view: the high-water mark × page size).
func highWater(t *testing.T, path string) (pageSize int, need int64) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		need = tx.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db.Info().PageSize, need
}

// mustRead returns the bytes of the file at path.
func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustWrite writes b to a new file in the test's directory and returns its path.
func mustWrite(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// openAndVerify opens path and verifies it; the error is the first one met.
func openAndVerify(path string, opts Options) error {
	s, err := Open(path, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Verify()
}

func TestOpenMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	s, err := Open(path, Options{MustExist: true})
	if err == nil {
		s.Close()
	}
	if !errors.Is(err, ErrNoDatabase) || !strings.Contains(err.Error(), path) {
		t.Errorf("Open of a missing file with MustExist: got %v, want ErrNoDatabase naming %s", err, path)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open with MustExist created the file: stat says %v", err)
	}

	// Without MustExist a missing file is a new, intact database.
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("Open of a missing file: got %v, want a new database", err)
	}
	if err := s.Verify(); err != nil {
		t.Errorf("Verify of a new database: got %v, want nil", err)
	}
	s.Close()
	if err := openAndVerify(path, Options{MustExist: true}); err != nil {
		t.Errorf("Open with MustExist of the database it created: got %v, want nil", err)
	}
}

func TestOpenEmpty(t *testing.T) {
	for _, opts := range []Options{{}, {MustExist: true}} {
		path := mustWrite(t, "empty.db", nil)
		s, err := Open(path, opts)
		if err == nil {
			s.Close()
		}
		if !errors.Is(err, ErrNotDatabase) || err.Error() != path+" is empty, not an mra database" {
			t.Errorf("Open(%+v) of an empty file: got %v, want %q", opts, err, path+" is empty, not an mra database")
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
			t.Errorf("after Open the empty file is %v %v, want still 0 bytes", fi.Size(), err)
		}
	}
}

func TestOpenNotDatabase(t *testing.T) {
	good := mustRead(t, buildDataFile(t))
	pageSize, _ := highWater(t, mustWrite(t, "good.db", good))
	// metaWith returns the good file's first two pages with fn applied to
	// both meta pages (the bytes after the page header).
	metaWith := func(fn func(m []byte)) []byte {
		b := bytes.Clone(good[:2*pageSize])
		fn(b[pageHeaderSize:])
		fn(b[pageSize+pageHeaderSize:])
		return b
	}
	for _, c := range []struct {
		name string
		data []byte
		say  string
	}{
		{"a few bytes", []byte("hello"), "too short"},
		{"text", []byte(strings.Repeat("Article 1. The Parties agree.\n", 1000)), "magic number"},
		{"zeros", make([]byte, 64<<10), "magic number"},
		{"another format version", metaWith(func(m []byte) { m[4] ^= 0x01 }), "format version"},
		{"bad checksums", metaWith(func(m []byte) { m[48] ^= 0x01 }), "checksum"},
		{"odd page size", metaWith(func(m []byte) { ne.PutUint32(m[8:], 3000); resum(m) }), "page size"},
		{"root beyond the end", metaWith(func(m []byte) { ne.PutUint64(m[16:], 1<<40); resum(m) }), "root page"},
		{"no stored freelist", metaWith(func(m []byte) { ne.PutUint64(m[32:], noFreelist); resum(m) }), "freelist"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := mustWrite(t, "bad.db", c.data)
			err := openAndVerify(path, Options{MustExist: true})
			if !errors.Is(err, ErrNotDatabase) || !strings.Contains(err.Error(), path+" is not an mra database") || !strings.Contains(err.Error(), c.say) {
				t.Errorf("got %v, want ErrNotDatabase naming %s and saying %q", err, path, c.say)
			}
			if got := mustRead(t, path); !bytes.Equal(got, c.data) {
				t.Errorf("Open changed the file")
			}
		})
	}
}

// resum rewrites the checksum of the meta m (the bytes after a page header).
func resum(m []byte) {
	var sum uint64 = 14695981039346656037 // FNV-1a 64 offset basis
	for _, c := range m[:metaSumSize] {
		sum = (sum ^ uint64(c)) * 1099511628211
	}
	ne.PutUint64(m[metaSumSize:], sum)
}

func TestOpenTruncated(t *testing.T) {
	good := mustRead(t, buildDataFile(t))
	pageSize, need := highWater(t, mustWrite(t, "good.db", good))
	if need < 8*int64(pageSize) {
		t.Fatalf("the data file needs only %d bytes", need)
	}
	for _, cut := range []int64{100, int64(pageSize), 2 * int64(pageSize), 2*int64(pageSize) + 100, need / 2, need - int64(pageSize), need - 1} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			path := mustWrite(t, "cut.db", good[:cut])
			err := openAndVerify(path, Options{MustExist: true})
			want := fmt.Sprintf("%s is truncated: %d bytes, its pages need %d", path, cut, need)
			if !errors.Is(err, ErrTruncated) || err.Error() != want {
				t.Errorf("got %v, want %q", err, want)
			}
			if fi, err := os.Stat(path); err != nil || fi.Size() != cut {
				t.Errorf("after Open the file is %v bytes (%v), want %d", fi.Size(), err, cut)
			}
		})
	}
	// Bytes past the high-water mark are not needed: cutting them is no harm.
	if int64(len(good)) > need {
		if err := openAndVerify(mustWrite(t, "cut.db", good[:need]), Options{MustExist: true}); err != nil {
			t.Errorf("Open and Verify of the file cut at its high-water mark: got %v, want nil", err)
		}
	}
}

// inUse returns the first page id of every page run of the database at
// path that is in use (neither free nor a meta page), with its type.
func inUse(t *testing.T, path string) map[int]string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runs := map[int]string{}
	err = db.View(func(tx *bolt.Tx) error {
		hwm := int(tx.Size() / int64(db.Info().PageSize))
		for id := 2; id < hwm; {
			p, err := tx.Page(id)
			if err != nil {
				return err
			}
			if p.Type != "free" {
				runs[id] = p.Type
			}
			id += 1 + p.OverflowCount
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// TestCorruptPage damages each page in use of a real database in turn, its
// header and then its element array: Open or Verify must say so, and the
// process must not crash.
func TestCorruptPage(t *testing.T) {
	good := mustRead(t, buildDataFile(t))
	pageSize, need := highWater(t, mustWrite(t, "good.db", good))
	good = good[:need]
	runs := inUse(t, mustWrite(t, "good.db", good))
	types := map[string]int{}
	for _, typ := range runs {
		types[typ]++
	}
	if types["branch"] == 0 || types["leaf"] < 3 || types["freelist"] != 1 {
		t.Fatalf("the data file holds pages %v, want branch, leaf and freelist pages", types)
	}
	for id, typ := range runs {
		for _, part := range []struct {
			name     string
			from, to int
		}{
			{"header", 0, pageHeaderSize},
			{"elements", pageHeaderSize, pageHeaderSize + 4*elementSize},
		} {
			t.Run(fmt.Sprintf("%s %d %s", typ, id, part.name), func(t *testing.T) {
				b := bytes.Clone(good)
				for i := id*pageSize + part.from; i < id*pageSize+part.to; i++ {
					b[i] ^= 0xA5
				}
				if err := openAndVerify(mustWrite(t, "bad.db", b), Options{}); err == nil {
					t.Errorf("Open and Verify: got nil, want an error")
				}
			})
		}
	}
}

// TestCorruptPointer points a top-level bucket at a page far beyond the end
// of the file, where bbolt would read through its memory map and fault.
func TestCorruptPointer(t *testing.T) {
	good := mustRead(t, buildDataFile(t))
	pageSize, need := highWater(t, mustWrite(t, "good.db", good))
	good = good[:need]
	m, err := newestMeta(bytes.NewReader(good), need)
	if err != nil {
		t.Fatal(err)
	}
	root := good[m.root*uint64(pageSize):][:pageSize]
	if ne.Uint16(root[8:]) != leafPage {
		t.Fatalf("the root bucket's root page has type %#x, want a leaf", ne.Uint16(root[8:]))
	}
	found := false
	for i := range int(ne.Uint16(root[10:])) {
		e := root[pageHeaderSize+i*elementSize:]
		pos, ksize := int(ne.Uint32(e[4:])), int(ne.Uint32(e[8:]))
		at := pageHeaderSize + i*elementSize + pos
		if string(root[at:at+ksize]) == string(bucketNegotiations) {
			ne.PutUint64(root[at+ksize:], 100_000) // inside the 1 GiB map, far past the file
			found = true
		}
	}
	if !found {
		t.Fatal("no negotiations bucket in the root page")
	}
	err = openAndVerify(mustWrite(t, "bad.db", good), Options{})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "page 100000") {
		t.Errorf("got %v, want ErrCorrupt naming page 100000", err)
	}
}

// TestFaultIsAnError truncates the file under an open store: a read through
// the memory map then faults (SIGBUS), which guard turns into an error, and
// Verify says the file is truncated.
func TestFaultIsAnError(t *testing.T) {
	path := buildDataFile(t)
	pageSize, _ := highWater(t, path)
	s := mustOpen(t, path)
	if err := os.Truncate(path, int64(2*pageSize)); err != nil {
		t.Skipf("cannot truncate an open, mapped file here: %v", err)
	}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketNegotiations).ForEachBucket(func(k []byte) error { return nil })
	})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "faulted") {
		t.Errorf("reading a truncated map: got %v, want ErrCorrupt saying it faulted", err)
	}
	if err := s.Verify(); !errors.Is(err, ErrTruncated) {
		t.Errorf("Verify of a file truncated under it: got %v, want ErrTruncated", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close after a fault: %v", err)
	}
}

// TestEngineCheck damages the file in ways only bbolt's own check sees,
// the page structure staying sound: Verify must name the page problem.
func TestEngineCheck(t *testing.T) {
	good := mustRead(t, buildDataFile(t))
	pageSize, need := highWater(t, mustWrite(t, "good.db", good))
	good = good[:need]
	runs := inUse(t, mustWrite(t, "good.db", good))
	page := func(b []byte, id int) []byte { return b[id*pageSize:][:pageSize] }

	// Two 8-byte keys (event seqs) of a leaf page swapped: out of order.
	swapped := bytes.Clone(good)
	done := false
	for id, typ := range runs {
		p := page(swapped, id)
		if typ != "leaf" || ne.Uint16(p[10:]) < 2 || done {
			continue
		}
		var keys [2][]byte
		for i := range keys {
			e := p[pageHeaderSize+i*elementSize:]
			if ne.Uint32(e) != 0 || ne.Uint32(e[8:]) != 8 {
				break
			}
			at := pageHeaderSize + i*elementSize + int(ne.Uint32(e[4:]))
			keys[i] = p[at : at+8]
		}
		if keys[1] != nil {
			k0 := bytes.Clone(keys[0])
			copy(keys[0], keys[1])
			copy(keys[1], k0)
			done = true
		}
	}
	if !done {
		t.Fatal("no leaf page of event keys")
	}

	// A page dropped from the freelist: neither reachable nor free.
	dropped := bytes.Clone(good)
	fl := -1
	for id, typ := range runs {
		if typ == "freelist" {
			fl = id
		}
	}
	p := page(dropped, fl)
	n := ne.Uint16(p[10:])
	if n == 0 || n == 0xFFFF {
		t.Fatalf("the freelist holds %d pages", n)
	}
	ne.PutUint16(p[10:], n-1)
	lost := ne.Uint64(p[pageHeaderSize+8*(int(n)-1):])

	for _, c := range []struct {
		name string
		data []byte
		say  string
	}{
		{"keys out of order", swapped, "needs to be >"},
		{"a page neither used nor free", dropped, fmt.Sprintf("page %d: unreachable unfreed", lost)},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := openAndVerify(mustWrite(t, "bad.db", c.data), Options{})
			if !errors.Is(err, ErrCorrupt) || !strings.HasPrefix(err.Error(), "verify: ") || !strings.Contains(err.Error(), c.say) {
				t.Errorf("got %v, want a verify error wrapping ErrCorrupt saying %q", err, c.say)
			}
		})
	}
}
