// Preloaded into the test provider (node --require) by the benchmark: it
// times every HTTP request the provider serves, from the 'request' event to
// the response's 'finish', without touching server.js. GET /__bench/timings
// returns what was recorded since the last call (and clears it); that path
// never reaches the provider. Only method, path (no query) and status are
// kept: never a code, a token or a body. BENCH_TOKEN_DELAY_MS holds every
// POST /token that long before the provider sees it (a slow provider).
'use strict';
const http = require('node:http');

const records = [];
const tokenDelay = Number(process.env.BENCH_TOKEN_DELAY_MS || 0);
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, res) {
  if (event !== 'request') {
    return emit.apply(this, arguments);
  }
  if (req.url === '/__bench/timings') {
    const body = JSON.stringify(records.splice(0));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
    return true;
  }
  if (tokenDelay > 0 && req.method === 'POST' && req.url === '/token') {
    // A slow token endpoint, for stress runs (BENCH_TOKEN_DELAY_MS).
    const args = arguments;
    const self = this;
    setTimeout(() => timed(self, args), tokenDelay);
    return true;
  }
  return timed(this, arguments);
};

function timed(server, args) {
  const [, req, res] = args;
  const start = process.hrtime.bigint();
  const startMS = performance.timeOrigin + performance.now(); // ms since the epoch, µs resolution
  res.once('finish', () => {
    const ns = Number(process.hrtime.bigint() - start);
    records.push({ method: req.method, path: req.url.split('?')[0], status: res.statusCode, start_ms: startMS, dur_ns: ns });
  });
  return emit.apply(server, args);
}
