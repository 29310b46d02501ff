package server

import (
	"fmt"
	"slices"
	"sync"

	"mra/server/mra"
)

// workText returns version v's text of entry's work state, from the entry
// (the latest), the cache or the store. entry.mu must be held.
func (e *engine) workText(entry *negotiation, v int) (*mra.Text, error) {
	n := entry.work
	if v < 1 || v > len(n.Versions) {
		return nil, mra.Errorf(mra.CodeNotFound, "no version %d", v)
	}
	latest := v == len(n.Versions)
	if latest && entry.latest != nil {
		return entry.latest, nil
	}
	t, err := e.text(n.Versions[v-1].SHA256)
	if err != nil {
		return nil, err
	}
	if latest {
		entry.latest = t
	}
	return t, nil
}

// text returns the text with a SHA-256, through the cache.
func (e *engine) text(sha string) (*mra.Text, error) {
	if t := e.texts.get(sha); t != nil {
		return t, nil
	}
	s, err := e.store.Text(sha)
	if err != nil {
		return nil, fmt.Errorf("load text %s: %w", sha, err)
	}
	t := mra.NewText(s)
	e.texts.put(sha, t)
	return t, nil
}

// textCache keeps a bounded number of indexed texts by SHA-256.
type textCache struct {
	mu    sync.Mutex
	max   int
	items map[string]*mra.Text
	order []string // oldest first
}

func newTextCache(max int) *textCache {
	return &textCache{max: max, items: map[string]*mra.Text{}}
}

func (c *textCache) get(sha string) *mra.Text {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.items[sha]
}

func (c *textCache) put(sha string, t *mra.Text) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[sha]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.items, c.order[0])
		c.order = slices.Delete(c.order, 0, 1)
	}
	c.items[sha] = t
	c.order = append(c.order, sha)
}
