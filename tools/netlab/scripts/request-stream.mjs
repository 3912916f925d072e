// A client's request stream: one HTTP GET on a new connection every INTERVAL ms to URL, each
// recorded as one JSON line in OUT when it ends: {"t": start, "ms": duration, "node": body} or
// {"t", "ms", "error"}; t is wall-clock milliseconds with sub-millisecond precision, comparable
// with capture timestamps. SIGTERM stops sending, waits for requests in flight, then exits.
// usage: node request-stream.mjs URL INTERVAL_MS TIMEOUT_MS OUT
import { appendFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setInterval } from 'node:timers';

const [url, intervalText, timeoutText, out] = process.argv.slice(2);
const intervalMs = Number(intervalText);
const timeoutMs = Number(timeoutText);
if (!url || !out || !(intervalMs > 0) || !(timeoutMs > 0)) {
  console.error('usage: node request-stream.mjs URL INTERVAL_MS TIMEOUT_MS OUT');
  process.exit(2);
}
writeFileSync(out, '');
const now = () => performance.timeOrigin + performance.now();
let inFlight = 0;
let stopping = false;
let pending = [];

function record(entry) {
  pending.push(JSON.stringify(entry));
  if (pending.length >= 50) flush();
}
function flush() {
  if (pending.length === 0) return;
  appendFileSync(out, pending.join('\n') + '\n');
  pending = [];
}

function send() {
  const t = now();
  inFlight += 1;
  let done = false;
  const finish = (entry) => {
    if (done) return;
    done = true;
    inFlight -= 1;
    record({ t: Math.round(t * 1000) / 1000, ms: Math.round((now() - t) * 1000) / 1000, ...entry });
    if (stopping && inFlight === 0) exit();
  };
  // agent: false — a new connection (and source port) per request, as a stream of new clients.
  const req = request(url, { agent: false, timeout: timeoutMs, headers: { connection: 'close' } }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (body += chunk));
    res.on('end', () => {
      const node = body.trim().split(/\s+/)[0] ?? '';
      finish(res.statusCode === 200 ? { node } : { node, error: `HTTP ${res.statusCode}` });
    });
    res.on('error', (error) => finish({ error: error.code ?? error.message }));
  });
  req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
  req.on('error', (error) => finish({ error: error.code ?? error.message }));
  req.end();
}

function exit() {
  flush();
  process.exit(0);
}

// Sent on a fixed schedule (start + k·interval), so a slow event loop does not stretch the stream.
const start = now();
let sent = 0;
function tick() {
  if (stopping) return;
  send();
  sent += 1;
  setTimeout(tick, Math.max(0, start + sent * intervalMs - now()));
}
setInterval(flush, 200).unref();
console.log('streaming');
tick();
process.on('SIGTERM', () => {
  stopping = true;
  if (inFlight === 0) exit();
});
