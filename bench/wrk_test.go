package bench

import (
	"testing"
	"time"
)

const wrkSample = `Running 1s test @ http://127.0.0.1:18777/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   102.31us   50.27us   2.36ms   93.02%
    Req/Sec    38.51k     2.13k   42.65k    72.00%
  Latency Distribution
     50%   94.00us
     75%  110.00us
     90%  129.00us
     99%  283.00us
  383243 requests in 5.00s, 54.46MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 12
Requests/sec:  76631.74
Transfer/sec:     10.89MB
`

func TestParseWrk(t *testing.T) {
	got, err := ParseWrk(wrkSample)
	if err != nil {
		t.Fatal(err)
	}
	want := WrkResult{RPS: 76631.74, P50: 94 * time.Microsecond, P99: 283 * time.Microsecond, Max: 2360 * time.Microsecond, Requests: 383243, Errors: 15}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := ParseWrk("unable to connect to 127.0.0.1:1 Connection refused"); err == nil {
		t.Error("a failed run: got no error, want one")
	}
}
