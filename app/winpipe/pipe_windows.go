package winpipe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// bufSize is the pipe's buffer each way; an answer larger than it just
// takes more than one write.
const bufSize = 64 << 10

// Addr is a pipe's name as a net.Addr.
type Addr string

func (Addr) Network() string  { return "pipe" }
func (a Addr) String() string { return string(a) }

// conn is one end of a connected pipe instance.
type conn struct {
	*os.File
	addr Addr
}

func (c *conn) LocalAddr() net.Addr  { return c.addr }
func (c *conn) RemoteAddr() net.Addr { return c.addr }

// SetDeadline and friends do nothing: a synchronous pipe has no deadlines.
// net/http ignores their error; the client bounds its calls with contexts
// and closes the connection, which cancels a pending read.
func (c *conn) SetDeadline(time.Time) error      { return nil }
func (c *conn) SetReadDeadline(time.Time) error  { return nil }
func (c *conn) SetWriteDeadline(time.Time) error { return nil }

// securityAttributes grants full access to the current user's SID and to
// SYSTEM, nobody else, and inherits nothing (D:P). The user's SID is
// written out rather than OW (owner rights): the pipe's owner is the
// token's default owner, which for an administrator is the Administrators
// group, not the user.
func securityAttributes() (*windows.SecurityAttributes, error) {
	sid, err := currentUser()
	if err != nil {
		return nil, err
	}
	sd, err := windows.SecurityDescriptorFromString("D:P(A;;GA;;;" + sid.String() + ")(A;;GA;;;SY)")
	if err != nil {
		return nil, fmt.Errorf("pipe security descriptor: %w", err)
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	return sa, nil
}

// currentUser is the SID of the user this process runs as.
func currentUser() (*windows.SID, error) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("current user: %w", err)
	}
	return u.User.Sid, nil
}

// Listener accepts connections on a named pipe.
type Listener struct {
	name  string
	sa    *windows.SecurityAttributes
	conns chan result
	done  chan struct{}
	once  sync.Once
}

type result struct {
	c   net.Conn
	err error
}

// Listen creates the pipe name, open to the current user only. It fails if
// the name exists already (FILE_FLAG_FIRST_PIPE_INSTANCE): another program,
// perhaps another user's, got there first, and we do not share a name.
func Listen(name string) (*Listener, error) {
	sa, err := securityAttributes()
	if err != nil {
		return nil, err
	}
	h, err := create(name, sa, true)
	if err != nil {
		if errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_PIPE_BUSY) {
			return nil, fmt.Errorf("listening on %s: the pipe exists already, made by another program (another agent, or another user's): %w", name, err)
		}
		return nil, fmt.Errorf("listening on %s: %w", name, err)
	}
	h2, err := create(name, sa, false)
	if err != nil {
		windows.CloseHandle(h)
		return nil, fmt.Errorf("listening on %s: %w", name, err)
	}
	l := &Listener{name: name, sa: sa, conns: make(chan result), done: make(chan struct{})}
	go l.serve(h)
	go l.serve(h2)
	return l, nil
}

func create(name string, sa *windows.SecurityAttributes, first bool) (windows.Handle, error) {
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return windows.InvalidHandle, err
	}
	flags := uint32(windows.PIPE_ACCESS_DUPLEX)
	if first {
		flags |= windows.FILE_FLAG_FIRST_PIPE_INSTANCE
	}
	return windows.CreateNamedPipe(p, flags,
		windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT|windows.PIPE_REJECT_REMOTE_CLIENTS,
		windows.PIPE_UNLIMITED_INSTANCES, bufSize, bufSize, 0, sa)
}

// serve waits for a client on h, makes the instance that takes its place,
// then hands the connection to Accept. Listen runs two of these, so an
// instance always waits: a pipe name without any instance answers "file
// not found", which a client would take for "no agent".
func (l *Listener) serve(h windows.Handle) {
	for {
		err := windows.ConnectNamedPipe(h, nil)
		next, cerr := create(l.name, l.sa, false)
		var r result
		if err != nil && !errors.Is(err, windows.ERROR_PIPE_CONNECTED) {
			windows.CloseHandle(h)
			r.err = fmt.Errorf("accepting on %s: %w", l.name, err)
		} else {
			r.c = &conn{File: os.NewFile(uintptr(h), l.name), addr: Addr(l.name)}
		}
		if !l.send(r) {
			if r.c != nil {
				r.c.Close()
			}
			if cerr == nil {
				windows.CloseHandle(next)
			}
			return
		}
		if cerr != nil {
			l.send(result{err: fmt.Errorf("listening on %s: %w", l.name, cerr)})
			return
		}
		h = next
	}
}

func (l *Listener) send(r result) bool {
	select {
	case l.conns <- r:
		return true
	case <-l.done:
		return false
	}
}

// Accept waits for the next client.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case r := <-l.conns:
		return r.c, r.err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting. The instances waiting in ConnectNamedPipe are
// released by connecting to each once.
func (l *Listener) Close() error {
	l.once.Do(func() {
		close(l.done)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		for range 2 {
			if c, err := open(ctx, l.name); err == nil {
				c.Close()
			}
		}
	})
	return nil
}

// Addr is the pipe's name.
func (l *Listener) Addr() net.Addr { return Addr(l.name) }

// ForeignServerError says that the pipe is served by a process of another
// user: tokentray sends it nothing.
type ForeignServerError struct {
	Pipe string
	User string // the server's SID, or why it is unknown
}

func (e *ForeignServerError) Error() string {
	return fmt.Sprintf("%s is served by another user (%s), not by your agent: tokentray sends it nothing", e.Pipe, e.User)
}

// Dial opens the pipe name, waiting while all its instances are busy
// (bounded by ctx, and 5 s at most), and checks that the server runs as
// the current user before anything is sent.
func Dial(ctx context.Context, name string) (net.Conn, error) {
	c, err := open(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := checkServer(c); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func open(ctx context.Context, name string) (*conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		f, err := os.OpenFile(name, os.O_RDWR, 0)
		if err == nil {
			return &conn{File: f, addr: Addr(name)}, nil
		}
		if !errors.Is(err, windows.ERROR_PIPE_BUSY) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: every instance stays busy: %w", name, err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// checkServer compares the user of the process serving the pipe with ours.
// Where the server's process cannot be opened (another user's, without the
// rights), the pipe's owner decides.
func checkServer(c *conn) error {
	me, err := currentUser()
	if err != nil {
		return err
	}
	h := windows.Handle(c.Fd())
	owner, err := serverUser(h)
	if err != nil {
		owner, err = pipeOwner(h)
	}
	if err != nil {
		return &ForeignServerError{Pipe: string(c.addr), User: "unknown: " + err.Error()}
	}
	if !owner.Equals(me) {
		return &ForeignServerError{Pipe: string(c.addr), User: owner.String()}
	}
	return nil
}

func serverUser(h windows.Handle) (*windows.SID, error) {
	var pid uint32
	if err := windows.GetNamedPipeServerProcessId(h, &pid); err != nil {
		return nil, err
	}
	p, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return nil, err
	}
	defer windows.CloseHandle(p)
	var tok windows.Token
	if err := windows.OpenProcessToken(p, windows.TOKEN_QUERY, &tok); err != nil {
		return nil, err
	}
	defer tok.Close()
	u, err := tok.GetTokenUser()
	if err != nil {
		return nil, err
	}
	return u.User.Sid.Copy()
}

func pipeOwner(h windows.Handle) (*windows.SID, error) {
	sd, err := windows.GetSecurityInfo(h, windows.SE_KERNEL_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return nil, err
	}
	o, _, err := sd.Owner()
	if err != nil {
		return nil, err
	}
	return o.Copy()
}
