// Package bench measures tokentray side by side with a baseline and its
// peers: a closed-loop HTTP load generator with an HDR-style latency
// histogram (over TCP and unix sockets), wrappers for wrk and hyperfine,
// /proc sampling for CPU and memory, the test provider with per-request
// timings, and the result table. The harness that uses them is
// bench/cmd/tokentray-bench (`make bench`); BENCHMARKS.md explains the
// method and holds the latest results.
//
// Nothing here runs in the agent. Tests in this package check the tools
// themselves (percentiles, parsers); the testing.B benchmarks of the token
// handler run with `go test -bench . ./bench`.
package bench
