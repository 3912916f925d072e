// The benchmark's API server, in its own process so that the measured process holds only the
// informer: kube-sim plus a writer, told what to do over IPC.
//   populate {count}          → creates `count` LoadBalancer Services in namespace bench
//   churn {rate, seconds}     → updates random Services at `rate` per second, each stamped with the
//                               wall-clock time of the write in annotation bench/sent-at
import { start } from '@lb/kube-sim';

type Command = { cmd: 'populate'; count: number } | { cmd: 'churn'; rate: number; seconds: number } | { cmd: 'stop' };

const send = (msg: unknown): void => void process.send?.(msg);
const wallNow = (): number => performance.timeOrigin + performance.now();

const sim = await start({ historyWindow: 1_000_000, bookmarkIntervalMs: 1000 });
await sim.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } } as never);
let populated = 0;

function service(i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}`, namespace: 'bench', labels: { app: `app-${i % 100}`, tier: 'web' }, annotations: { 'metallb.io/address-pool': 'default' } },
    spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], selector: { app: `app-${i % 100}` } },
  };
}

async function churn(rate: number, seconds: number): Promise<{ sent: number; ms: number }> {
  const started = performance.now();
  const tickMs = 10;
  let sent = 0;
  let seq = 0;
  while (performance.now() - started < seconds * 1000) {
    // Catch up to where the schedule says we should be, then sleep a tick.
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent < due) {
      const i = (seq++ * 7919) % populated;
      const current = sim.store.get('services', `svc-${i}`, 'bench') as { metadata: { annotations?: Record<string, string> } };
      current.metadata.annotations = { ...current.metadata.annotations, 'bench/sent-at': String(wallNow()) };
      await sim.store.update(current as never);
      sent++;
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  return { sent, ms: performance.now() - started };
}

process.on('message', (raw) => {
  const msg = raw as Command;
  void (async () => {
    if (msg.cmd === 'populate') {
      for (let i = populated; i < msg.count; i++) await sim.store.create(service(i) as never);
      populated = Math.max(populated, msg.count);
      send({ done: 'populate', count: populated, resourceVersion: sim.store.resourceVersion });
    } else if (msg.cmd === 'churn') {
      send({ done: 'churn', ...(await churn(msg.rate, msg.seconds)) });
    } else {
      await sim.stop();
      send({ done: 'stop' });
      process.disconnect();
    }
  })();
});

send({ ready: true, kubeconfig: sim.kubeconfigPath });
