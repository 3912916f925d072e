// The kube-proxy stand-in of a lab node: answers every HTTP request, on every address the node
// accepts (its own and the Service ranges routed to it locally), with the node's name.
// usage: node node-http.mjs NAME PORT[,PORT...]
// stdin takes one command per line, acknowledged on stdout with "mode <mode>":
//   serve   answer 200 with the name (the default)
//   refuse  close the listening sockets, so connections are refused (no local endpoint)
//   error   answer 503 "<name> no endpoint" (a distinct status)
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

const [name, portList] = process.argv.slice(2);
if (!name || !portList) {
  console.error('usage: node node-http.mjs NAME PORT[,PORT...]');
  process.exit(2);
}
const ports = portList.split(',').map(Number);
let mode = 'serve';
let servers = [];

function handle(req, res) {
  req.resume();
  const ok = mode === 'serve';
  res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain', 'x-node': name, connection: 'close' });
  res.end(ok ? `${name}\n` : `${name} no endpoint\n`);
}

function listenAll() {
  return Promise.all(
    ports.map(
      (port) =>
        new Promise((resolve, reject) => {
          // `::` without ipv6Only takes IPv4 too; local routes for the Service ranges deliver their traffic here.
          const server = createServer(handle);
          server.keepAliveTimeout = 0;
          server.once('error', reject);
          server.listen({ port, host: '::' }, () => resolve(server));
        }),
    ),
  );
}

function closeAll() {
  const closing = servers.map((s) => new Promise((resolve) => {
    s.close(() => resolve());
    s.closeAllConnections();
  }));
  servers = [];
  return Promise.all(closing);
}

async function setMode(next) {
  if (!['serve', 'refuse', 'error'].includes(next)) {
    console.log(`unknown mode ${next}`);
    return;
  }
  if (next === 'refuse' && servers.length > 0) await closeAll();
  if (next !== 'refuse' && servers.length === 0) servers = await listenAll();
  mode = next;
  console.log(`mode ${mode}`);
}

servers = await listenAll().catch((error) => {
  console.error(`node-http ${name}: ${error.message}`);
  process.exit(1);
});
console.log(`ready ${name} ${ports.join(',')}`);
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, arg] = line.trim().split(/\s+/);
  if (command === 'mode' && arg) void setMode(arg);
});
process.stdin.on('end', () => process.exit(0));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
