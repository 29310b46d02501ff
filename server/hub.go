package server

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"mra/server/mra"
)

// hub routes committed events, status and presence to the sockets
// subscribed to each negotiation, each frame encoded once for all of them.
// It never blocks on a socket: a full send queue drops that socket.
type hub struct {
	mu     sync.Mutex
	rooms  map[mra.NegotiationID]*room
	conns  map[*wsConn]struct{}
	closed bool
	moves  uint64 // counts focus changes, so the latest of a user's sockets wins
}

// room is one negotiation's subscribers and who is looking at what.
type room struct {
	subs    map[*wsConn]*subscription
	told    []byte      // the presence last sent to the room
	telling *time.Timer // a presence update on its way
}

// presenceDelay gathers presence changes (a burst of joins, a focus moved
// along a paragraph) into one message to the room.
const presenceDelay = 50 * time.Millisecond

// subscription is one socket's interest in one negotiation. While its
// replay is being read, live events wait in pending; sent holds the last
// seq sent on each stream, so nothing goes twice.
type subscription struct {
	replaying bool
	pending   []*mra.Event
	sent      map[mra.StreamKey]uint64
	focus     *mra.Focus
	focusAt   uint64
}

func newHub() *hub {
	return &hub{rooms: map[mra.NegotiationID]*room{}, conns: map[*wsConn]struct{}{}}
}

// add registers a socket; false once the hub is closed.
func (h *hub) add(c *wsConn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.conns[c] = struct{}{}
	return true
}

// remove forgets a socket and tells the rooms it was in that it left.
func (h *hub) remove(c *wsConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns, c)
	for id, r := range h.rooms {
		if _, ok := r.subs[c]; ok {
			delete(r.subs, c)
			h.retellLocked(id, r)
		}
	}
}

// begin starts c's subscription to a negotiation: live events are held
// until finish. It returns false if c is subscribed already.
func (h *hub) begin(c *wsConn, id mra.NegotiationID) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rooms[id]
	if r == nil {
		r = &room{subs: map[*wsConn]*subscription{}}
		h.rooms[id] = r
	}
	if _, ok := r.subs[c]; ok {
		return false
	}
	r.subs[c] = &subscription{replaying: true, sent: map[mra.StreamKey]uint64{}}
	return true
}

// finish ends c's replay: the live events held meanwhile go out, without
// those the replay sent (sent: the last seq sent on each stream), then the
// ack built from the heads sent; from then on live events flow straight to
// c, and the room learns of the new presence. False if c left meanwhile.
func (h *hub) finish(c *wsConn, id mra.NegotiationID, sent map[mra.StreamKey]uint64, ack func(heads map[mra.StreamKey]uint64) []byte) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rooms[id]
	if r == nil || r.subs[c] == nil {
		return false
	}
	sub := r.subs[c]
	for k, v := range sent {
		sub.sent[k] = v
	}
	for _, e := range sub.pending {
		if e.Seq > sub.sent[e.Key()] {
			c.sendBytes(e.JSON)
			sub.sent[e.Key()] = e.Seq
		}
	}
	sub.replaying, sub.pending = false, nil
	c.sendBytes(ack(sub.sent))
	c.sendBytes(presence(id, r))
	h.retellLocked(id, r)
	return true
}

// leave ends c's subscription; false if it had none.
func (h *hub) leave(c *wsConn, id mra.NegotiationID) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rooms[id]
	if r == nil || r.subs[c] == nil {
		return false
	}
	delete(r.subs, c)
	h.retellLocked(id, r)
	return true
}

// focus records where c's user is looking and tells the room; false if c
// is not subscribed.
func (h *hub) focus(c *wsConn, id mra.NegotiationID, f *mra.Focus) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rooms[id]
	if r == nil || r.subs[c] == nil {
		return false
	}
	h.moves++
	r.subs[c].focus, r.subs[c].focusAt = f, h.moves
	h.retellLocked(id, r)
	return true
}

// publish sends one command's committed events to the subscribers that may
// see them, then the readiness if it changed. Called in seal order.
func (h *hub) publish(id mra.NegotiationID, events []*mra.Event, readiness *mra.Readiness) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rooms[id]
	if r == nil {
		return
	}
	for _, e := range events {
		pm, err := websocket.NewPreparedMessage(websocket.TextMessage, e.JSON)
		if err != nil {
			continue
		}
		for c, sub := range r.subs {
			if e.Stream == mra.Internal && c.user.Party != e.Owner {
				continue
			}
			if sub.replaying {
				sub.pending = append(sub.pending, e)
				continue
			}
			if e.Seq > sub.sent[e.Key()] {
				sub.sent[e.Key()] = e.Seq
				c.sendPrepared(pm, len(e.JSON))
			}
		}
	}
	if readiness != nil {
		if b, err := json.Marshal(map[string]any{"type": "status", "negotiation": id, "readiness": readiness}); err == nil {
			h.broadcastLocked(r, b)
		}
	}
}

// retellLocked schedules a presence message to the room, sent only if who
// is there, or where they look, changed; an empty room is forgotten.
func (h *hub) retellLocked(id mra.NegotiationID, r *room) {
	if len(r.subs) == 0 {
		delete(h.rooms, id)
		if r.telling != nil {
			r.telling.Stop()
		}
		return
	}
	if r.telling != nil {
		return
	}
	r.telling = time.AfterFunc(presenceDelay, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		r.telling = nil
		if h.rooms[id] != r {
			return
		}
		if b := presence(id, r); !bytes.Equal(b, r.told) {
			r.told = b
			h.broadcastLocked(r, b)
		}
	})
}

// presence is the room's presence message: each user once (a user with two
// tabs counts once), with the focus last set by any of their sockets.
func presence(id mra.NegotiationID, r *room) []byte {
	type who struct {
		User  mra.UserID  `json:"user"`
		Name  string      `json:"name"`
		Party mra.PartyID `json:"party"`
		Focus *mra.Focus  `json:"focus"`
		at    uint64
	}
	byUser := map[mra.UserID]*who{}
	for c, sub := range r.subs {
		if sub.replaying {
			continue
		}
		w := byUser[c.user.ID]
		if w == nil {
			w = &who{User: c.user.ID, Name: c.user.Name, Party: c.user.Party}
			byUser[c.user.ID] = w
		}
		if sub.focus != nil && sub.focusAt >= w.at {
			w.Focus, w.at = sub.focus, sub.focusAt
		}
	}
	users := make([]*who, 0, len(byUser))
	for _, w := range byUser {
		users = append(users, w)
	}
	slices.SortFunc(users, func(a, b *who) int { return strings.Compare(string(a.User), string(b.User)) })
	b, _ := json.Marshal(map[string]any{"type": "presence", roomField(id): id, "users": users})
	return b
}

// broadcastLocked sends one message to every live subscriber of a room,
// encoded once.
func (h *hub) broadcastLocked(r *room, b []byte) {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, b)
	if err != nil {
		return
	}
	for c, sub := range r.subs {
		if !sub.replaying {
			c.sendPrepared(pm, len(b))
		}
	}
}

// closeSession cuts the sockets of a session that ended (its session is
// already gone): nothing they read from then on is applied. With wait, it
// returns once none of them is still carrying out a command read before.
func (h *hub) closeSession(session string, wait bool) {
	h.mu.Lock()
	var victims []*wsConn
	for c := range h.conns {
		if c.session == session {
			victims = append(victims, c)
		}
	}
	h.mu.Unlock()
	for _, c := range victims {
		c.cut(websocket.ClosePolicyViolation, "session ended")
	}
	if !wait {
		return
	}
	for _, c := range victims {
		c.acting.Lock() // waits for a command under way; later ones find the session gone
		c.acting.Unlock()
	}
}

// close closes every socket, saying the server is going away, and refuses
// new ones.
func (h *hub) close() {
	h.mu.Lock()
	h.closed = true
	victims := make([]*wsConn, 0, len(h.conns))
	for c := range h.conns {
		victims = append(victims, c)
	}
	h.mu.Unlock()
	for _, c := range victims {
		c.shut(websocket.CloseGoingAway, "server shutting down")
	}
	// Each socket gets what is queued for it, then the close frame; one
	// whose client does not read is cut after shutWait, so shutdown never
	// waits on it.
	timer := time.NewTimer(shutWait)
	defer timer.Stop()
	late := false
	for _, c := range victims {
		if !late {
			select {
			case <-c.done:
				continue
			case <-timer.C:
				late = true
			}
		}
		c.cut(websocket.CloseGoingAway, "server shutting down")
		<-c.done
	}
}

// shutWait is how long shutdown lets sockets take what is queued for them.
const shutWait = time.Second
