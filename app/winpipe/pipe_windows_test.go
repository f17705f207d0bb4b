package winpipe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

func testName(t *testing.T) string {
	return `\\.\pipe\tokentray-test-` + strings.ReplaceAll(t.Name(), "/", "-") + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// echo answers every line with the line upper-cased.
func echo(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			sc := bufio.NewScanner(c)
			for sc.Scan() {
				fmt.Fprintln(c, strings.ToUpper(sc.Text()))
			}
		}()
	}
}

func TestRoundTrips(t *testing.T) {
	name := testName(t)
	l, err := Listen(name)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go echo(l)
	const clients = 20
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := Dial(ctx, name)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			msg := fmt.Sprintf("hello %d", i)
			fmt.Fprintln(c, msg)
			got, err := bufio.NewReader(c).ReadString('\n')
			if want := strings.ToUpper(msg) + "\n"; err != nil || got != want {
				errs <- fmt.Errorf("client %d: got %q, %v, want %q", i, got, err, want)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// underWine tells Wine, which does not enforce FILE_FLAG_FIRST_PIPE_INSTANCE
// (8.0; measured).
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

func TestSecondListenerRefused(t *testing.T) {
	if underWine() {
		t.Skip("Wine 8.0 lets a second process create a first instance")
	}
	name := testName(t)
	l, err := Listen(name)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l2, err := Listen(name); err == nil {
		l2.Close()
		t.Fatalf("got a second listener on %s, want an error: the name is taken", name)
	}
}

func TestCloseEndsAccept(t *testing.T) {
	l, err := Listen(testName(t))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := l.Accept()
		done <- err
	}()
	l.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("got %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept still waits 5 s after Close")
	}
}

// TestServerIsUs checks both ways of telling the server's user, where the
// client's check relies on the first and falls back on the second.
func TestServerIsUs(t *testing.T) {
	name := testName(t)
	l, err := Listen(name)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go echo(l)
	c, err := open(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	me, err := currentUser()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		how string
		get func(windows.Handle) (*windows.SID, error)
	}{{"server process", serverUser}, {"pipe owner", pipeOwner}} {
		sid, err := tc.get(windows.Handle(c.Fd()))
		if err != nil {
			t.Logf("%s: %v", tc.how, err)
			continue
		}
		t.Logf("%s: %v", tc.how, sid)
		if tc.how == "server process" && !sid.Equals(me) {
			t.Errorf("%s: got %v, want %v", tc.how, sid, me)
		}
	}
	if err := checkServer(c); err != nil {
		t.Errorf("got %v, want our own server accepted", err)
	}
}

func TestForeignServerError(t *testing.T) {
	err := error(&ForeignServerError{Pipe: `\\.\pipe\x`, User: "S-1-5-21-1"})
	for _, want := range []string{"another user", "S-1-5-21-1", "sends it nothing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to contain %q", err, want)
		}
	}
}

func TestDialNobody(t *testing.T) {
	_, err := Dial(context.Background(), testName(t))
	if err == nil {
		t.Fatal("got a connection to a pipe nobody serves, want an error")
	}
}

func TestCloseEndsPendingRead(t *testing.T) {
	name := testName(t)
	l, err := Listen(name)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			defer c.Close()
			time.Sleep(10 * time.Second) // never answers
		}
	}()
	c, err := Dial(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(c)
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	c.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a read still waits 5 s after Close")
	}
}
