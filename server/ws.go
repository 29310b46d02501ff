package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"mra/server/mra"
)

// Socket timings and limits.
const (
	maxFrame   = maxCommand             // a text frame holds one command, a proposed text at most
	hardFrame  = 4 * maxFrame           // beyond this gorilla itself closes with 1009
	writeWait  = 10 * time.Second       // to write one frame
	closeWait  = 250 * time.Millisecond // to tell a socket whose session ended why, then it is cut
	pongWait   = 60 * time.Second       // silence allowed from the client
	pingPeriod = pongWait * 9 / 10

	// A replay is read from the store in pages and sent as the socket
	// drains, so no history is too long to replay.
	replayPageEvents = 512
	replayPageBytes  = 1 << 20
)

// wsConn is one socket: the handler's goroutine reads, one writer goroutine
// writes everything queued, and pings. The queue is bounded in bytes.
type wsConn struct {
	s       *Server
	ws      *websocket.Conn
	user    mra.User
	session string
	expires time.Time

	mu         sync.Mutex
	queue      []outgoing
	queued     int       // bytes in queue and in the batch being written
	frameStart time.Time // when the frame being written began; zero when idle
	closing    bool
	cutting    bool // cut: the connection is closed within closeWait
	flush      bool // write what is queued before the close frame
	code       int
	reason     string
	room       *sync.Cond // on mu: signalled as the writer drains the queue
	wake       chan struct{}
	done       chan struct{} // closed when the writer has finished

	replays sync.WaitGroup  // subscribe replays under way; read waits for them
	gone    context.Context // cancelled when the reader ends: a replay stops waiting
	leave   context.CancelFunc

	// acting is held while a command read from the socket is checked
	// against the session and carried out: ending the session takes it
	// after the session is gone, so once that returns, nothing the socket
	// sent is still being applied, and nothing it sends later ever is.
	acting sync.Mutex
}

// outgoing is one frame to write: prepared once for many sockets, or
// bytes; n is its size.
type outgoing struct {
	pm *websocket.PreparedMessage
	b  []byte
	n  int
}

func (s *Server) upgrader() *websocket.Upgrader {
	return &websocket.Upgrader{
		HandshakeTimeout:  10 * time.Second,
		WriteBufferPool:   &sync.Pool{}, // idle sockets hold no write buffer
		CheckOrigin:       s.originAllowed,
		EnableCompression: false,
	}
}

// handleWS is GET /ws: the session was checked by authed, the Origin by guard.
func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	ws, err := s.wsUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	session := requestSession(r)
	c := &wsConn{
		s: s, ws: ws, user: requestUser(r), session: session, expires: s.sessions.expiry(session),
		wake: make(chan struct{}, 1), done: make(chan struct{}),
	}
	c.room = sync.NewCond(&c.mu)
	c.gone, c.leave = context.WithCancel(context.Background())
	if !s.hub.add(c) {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(writeWait))
		ws.Close()
		return
	}
	go c.write()
	c.read()
}

func (c *wsConn) sendBytes(b []byte) { c.enqueue(outgoing{b: b, n: len(b)}, len(b)) }

func (c *wsConn) sendPrepared(pm *websocket.PreparedMessage, n int) {
	c.enqueue(outgoing{pm: pm, n: n}, n)
}

// enqueue queues a frame. A socket is dropped as too slow when what waits
// for it passes the queue limit while its writer has been stuck on one
// frame for the stall time: a client that stops reading never holds anyone
// else up, and one that reads as fast as it can is never dropped, however
// big a burst of events (it is written as it is read; the frames queued
// are mostly shared by every socket of the room).
func (c *wsConn) enqueue(m outgoing, n int) {
	limit, stall := c.s.cfg.SocketQueueBytes, c.s.cfg.SocketStall
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	writing := !c.frameStart.IsZero()
	stuck := writing && time.Since(c.frameStart) > stall
	if c.queued+n > limit && writing && !stuck {
		// Over the limit: the frame being written gets the stall time in
		// all, and a client that cannot take it in that time is gone.
		c.ws.NetConn().SetWriteDeadline(c.frameStart.Add(stall))
	}
	if c.queued+n > limit && stuck {
		c.queue, c.queued = nil, 0
		c.closing, c.code, c.reason = true, websocket.CloseTryAgainLater, "too slow: events were not read"
		c.room.Broadcast()
		c.mu.Unlock()
		c.s.log.Warn("dropping a socket that does not read", "user", c.user.ID)
		c.poke()
		return
	}
	c.queue = append(c.queue, m)
	c.queued += n
	c.mu.Unlock()
	c.poke()
}

// waitRoom blocks until at most limit bytes wait for the socket; false if
// it closes first.
func (c *wsConn) waitRoom(limit int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.queued > limit && !c.closing {
		c.room.Wait()
	}
	return !c.closing
}

func (c *wsConn) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// shut asks the writer to send what is queued, then a close frame, and to
// close the connection.
func (c *wsConn) shut(code int, reason string) {
	c.mu.Lock()
	if !c.closing {
		c.closing, c.flush, c.code, c.reason = true, true, code, reason
	}
	c.room.Broadcast() // a replay waiting for room gives up
	c.mu.Unlock()
	c.poke()
}

// cut closes the socket at once, without sending what is queued: its
// session ended. Whatever is queued is dropped and a replay stops; the
// writer says why in a close frame if it can within closeWait, and the
// connection is closed by then in any case, even if the writer is stuck on
// a frame the client does not read. It never blocks.
func (c *wsConn) cut(code int, reason string) {
	c.mu.Lock()
	if !c.closing || c.flush {
		c.closing, c.flush, c.code, c.reason = true, false, code, reason
	}
	c.queue, c.queued = nil, 0
	first := !c.cutting
	c.cutting = true
	c.room.Broadcast()
	c.mu.Unlock()
	c.poke()
	if first {
		time.AfterFunc(closeWait, func() { c.ws.Close() }) // a frame in flight fails; closing twice is harmless
	}
}

// live reports whether the socket's session still stands; a socket whose
// session ended is cut.
func (c *wsConn) live() bool {
	if c.s.sessions.valid(c.session) {
		return true
	}
	c.cut(websocket.ClosePolicyViolation, "session ended")
	return false
}

// write is the writer goroutine. It also closes the socket when its session
// expires.
func (c *wsConn) write() {
	ticker := time.NewTicker(pingPeriod)
	expiry := time.NewTimer(c.expires.Sub(c.s.cfg.Now()))
	defer func() {
		ticker.Stop()
		expiry.Stop()
		c.ws.Close() // the reader's next read fails, and it ends
		close(c.done)
	}()
	for {
		select {
		case <-c.wake:
			c.mu.Lock()
			batch, closing, flush, code, reason := c.queue, c.closing, c.flush, c.code, c.reason
			c.queue = nil
			c.mu.Unlock()
			if !closing || flush {
				for _, m := range batch {
					if !c.writeFrame(m) {
						return
					}
				}
			}
			if closing {
				wait := writeWait
				if !flush {
					wait = closeWait
				}
				c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(wait))
				return
			}
		case <-expiry.C:
			c.cut(websocket.ClosePolicyViolation, "session expired")
		case <-ticker.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		}
	}
}

// writeFrame writes one frame and counts it off the queue; false once the
// socket is cut.
func (c *wsConn) writeFrame(m outgoing) bool {
	c.mu.Lock()
	if c.closing && !c.flush {
		c.mu.Unlock()
		return false
	}
	c.frameStart = time.Now()
	c.mu.Unlock()
	// One frame may take writeWait, or twice the stall time a client over
	// the queue limit is given, if that is longer.
	c.ws.SetWriteDeadline(time.Now().Add(max(writeWait, 2*c.s.cfg.SocketStall)))
	var err error
	if m.pm != nil {
		err = c.ws.WritePreparedMessage(m.pm)
	} else {
		err = c.ws.WriteMessage(websocket.TextMessage, m.b)
	}
	c.mu.Lock()
	c.frameStart = time.Time{}
	c.queued = max(0, c.queued-m.n)
	c.room.Broadcast()
	c.mu.Unlock()
	return err == nil
}

// read is the reader: one command per text frame, until the socket fails.
func (c *wsConn) read() {
	defer func() {
		c.s.hub.remove(c)
		c.shut(websocket.CloseNormalClosure, "")
		<-c.done
		c.leave()
		c.replays.Wait()
	}()
	c.ws.SetReadLimit(hardFrame)
	c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		typ, r, err := c.ws.NextReader()
		if err != nil {
			return
		}
		c.ws.SetReadDeadline(time.Now().Add(pongWait))
		data, release, err := c.readFrame(r)
		if err != nil {
			var e *mra.Error
			if !errors.As(err, &e) {
				return // the connection failed
			}
			c.s.cfg.Metrics.command("", e.Code) // refused unread: no type known
			c.sendBytes(errorAnswer("", e))
			if e.Code == mra.CodeTooLarge {
				c.shut(websocket.CloseMessageTooBig, "frame too large")
				return
			}
			continue
		}
		if typ != websocket.TextMessage {
			release()
			c.sendBytes(errorAnswer("", mra.Errorf(mra.CodeBadRequest, "send text frames, one JSON command each")))
			continue
		}
		c.handle(data)
		release()
	}
}

// readFrame reads one frame of at most maxFrame bytes. Up to maxBody it is
// read at once; a larger one first takes maxFrame bytes (its size is not
// known) from the large bodies' budget, as over HTTP: release gives them
// back. A frame refused by the budget is read to its end and dropped
// (rate_limited); one over maxFrame is too_large.
func (c *wsConn) readFrame(r io.Reader) (data []byte, release func(), err error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(r, maxBody+1)); err != nil {
		return nil, nil, err
	}
	if buf.Len() <= maxBody {
		return buf.Bytes(), noRelease, nil
	}
	release, err = c.s.bodies.acquire(context.Background(), c.user.ID, maxFrame)
	if err != nil {
		if _, cerr := io.Copy(io.Discard, r); cerr != nil {
			return nil, nil, cerr
		}
		return nil, nil, err
	}
	big := &buf // grows as the frame comes: a frame of 100 KB holds about that, not its budget
	if _, err := big.ReadFrom(io.LimitReader(r, maxFrame+1-int64(buf.Len()))); err != nil {
		release()
		return nil, nil, err
	}
	if big.Len() > maxFrame {
		release()
		return nil, nil, mra.Errorf(mra.CodeTooLarge, "a frame is at most %d bytes", maxFrame)
	}
	return big.Bytes(), release, nil
}

// handle answers one command: subscriptions and presence here, every other
// command through the one command path, as over HTTP. The session is
// checked for every command, not only when the socket opened: a command
// that arrives after its session ended is never applied.
func (c *wsConn) handle(data []byte) {
	c.acting.Lock()
	defer c.acting.Unlock()
	if !c.live() {
		return
	}
	cmd, perr := mra.ParseCommand(data)
	if perr != nil {
		c.s.cfg.Metrics.command(cmd.Type, perr.Code)
		c.sendBytes(errorAnswer(cmd.ID, perr))
		return
	}
	var err error
	switch cmd.Type {
	case mra.CmdSubscribe:
		err = c.subscribe(cmd)
	case mra.CmdUnsubscribe:
		room := cmd.Negotiation
		if cmd.Partnership != "" {
			room = roomOf(cmd.Partnership)
		}
		if !c.s.hub.leave(c, room) {
			err = mra.Errorf(mra.CodeBadRequest, "not subscribed to %q", room)
		} else {
			c.ack(cmd.ID, map[string]any{})
		}
	case mra.CmdPresence:
		if cmd.Focus != nil && (cmd.Focus.Version < 1 || cmd.Focus.Start < 0 || cmd.Focus.End < cmd.Focus.Start) {
			err = mra.Errorf(mra.CodeBadRequest, "focus needs a version and 0 <= start <= end")
		} else if cmd.Focus != nil && !c.s.hasVersion(c.user, cmd.Negotiation, cmd.Focus.Version) {
			err = mra.Errorf(mra.CodeBadRequest, "focus on version %d, which %q does not have", cmd.Focus.Version, cmd.Negotiation)
		} else if !c.s.hub.focus(c, cmd.Negotiation, cmd.Focus) {
			err = mra.Errorf(mra.CodeBadRequest, "subscribe to %q first", cmd.Negotiation)
		} else {
			c.ack(cmd.ID, map[string]any{})
		}
	default:
		answer, _ := c.s.engine.execute(c.user, c.session, cmd)
		c.sendBytes(answer)
		return
	}
	if err != nil {
		e := asContractError(c.s.log, err, "command", cmd.Type)
		c.s.cfg.Metrics.command(cmd.Type, e.Code)
		c.sendBytes(errorAnswer(cmd.ID, e))
	} else {
		c.s.cfg.Metrics.command(cmd.Type, "")
	}
}

func (c *wsConn) ack(id string, result any) {
	b, _ := json.Marshal(ack{Type: "ack", ID: id, Result: result})
	c.sendBytes(b)
}

// subscribe replays every visible event after since, then acks with the
// heads, then lets live events through. The replay is read from the store
// page by page, each sent as the socket drains, by a goroutine of its own
// (the reader goes on reading); the hub holds live events meanwhile, so none
// is lost at the seam, and drops those the replay already sent, so none
// comes twice. The heads are the committed ones the client now has.
//
// With "partnership" instead of "negotiation" it subscribes to a
// partnership's streams alike (its room is keyed by its id, which no
// negotiation id equals: they start "p-" and "n-").
func (c *wsConn) subscribe(cmd *mra.Command) error {
	id := cmd.Negotiation
	shared, internal := mra.SharedStream, mra.InternalStream(c.user.Party)
	var since mra.Since
	if cmd.Since != nil {
		since = *cmd.Since
	}
	var heads map[mra.StreamKey]mra.Head
	read := c.s.engine.store.Events
	if cmd.Partnership != "" {
		p := c.s.engine.partnerships.get(cmd.Partnership)
		if p == nil || !p.Member(c.user.Party) {
			return mra.Errorf(mra.CodeNotFound, "no partnership %q", cmd.Partnership)
		}
		id, heads = roomOf(cmd.Partnership), map[mra.StreamKey]mra.Head{shared: p.Heads[shared], internal: p.Heads[internal]}
		read = func(_ mra.NegotiationID, key mra.StreamKey, since uint64, limit, maxBytes int) ([][]byte, error) {
			return c.s.engine.store.PartnershipEvents(cmd.Partnership, key, since, limit, maxBytes)
		}
	} else if err := c.s.engine.view(id, c.user, func(n *mra.Negotiation) {
		heads = map[mra.StreamKey]mra.Head{shared: n.Heads[shared], internal: n.Heads[internal]}
	}); err != nil {
		return err
	}
	if !c.s.hub.begin(c, id) {
		return mra.Errorf(mra.CodeBadRequest, "already subscribed to %q", id)
	}
	sent := map[mra.StreamKey]uint64{
		shared:   min(since.Shared, heads[shared].Seq),
		internal: min(since.Internal, heads[internal].Seq),
	}
	c.replays.Add(1)
	go func() {
		defer c.replays.Done()
		if err := c.replay(id, sent, read); err != nil {
			c.s.hub.leave(c, id)
			c.sendBytes(errorAnswer(cmd.ID, asContractError(c.s.log, err, "command", cmd.Type)))
			return
		}
		ok := c.s.hub.finish(c, id, sent, func(sent map[mra.StreamKey]uint64) []byte {
			b, _ := json.Marshal(ack{Type: "ack", ID: cmd.ID, Result: map[string]any{
				"heads": map[string]uint64{"shared": sent[shared], "internal": sent[internal]},
			}})
			return b
		})
		if !ok {
			c.sendBytes(errorAnswer(cmd.ID, mra.Errorf(mra.CodeBadRequest, "unsubscribed from %q before its replay ended", id)))
		}
	}()
	return nil
}

// replay sends the stored events of the user's two streams after sent, page
// by page as the socket drains, and moves sent on.
func (c *wsConn) replay(id mra.NegotiationID, sent map[mra.StreamKey]uint64, read func(mra.NegotiationID, mra.StreamKey, uint64, int, int) ([][]byte, error)) error {
	for _, key := range []mra.StreamKey{mra.SharedStream, mra.InternalStream(c.user.Party)} {
		for {
			// The next page is read only once what waits for the socket is
			// at most one page: a replay holds about two pages, whatever
			// the history's size (the kernel's buffers keep a fast reader fed).
			if !c.waitRoom(min(replayPageBytes, c.s.cfg.SocketQueueBytes/2)) {
				return nil // the socket is closing
			}
			// And it takes its page from the reads' budget, as an events read
			// does, until the page has mostly gone out: past the budget,
			// replays wait their turn (never failing), so many sockets
			// replaying at once hold a bounded amount.
			release, err := c.s.reads.await(c.gone, c.user.ID, replayPageBytes)
			if err != nil {
				return nil // the socket is gone
			}
			raws, err := read(id, key, sent[key], replayPageEvents, replayPageBytes)
			if err != nil {
				release()
				return err
			}
			if len(raws) == 0 {
				release()
				break
			}
			for _, raw := range raws {
				c.sendBytes(raw)
				sent[key]++ // a stream's seqs are gapless
			}
			c.waitRoom(replayPageBytes / 4)
			release()
		}
	}
	return nil
}
