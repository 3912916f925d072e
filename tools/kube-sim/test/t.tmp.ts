import { start } from '../src/index.js';
const s = await start({ https: false });
const t = performance.now();
for (let i = 0; i < 10000; i++) await s.store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: 'default', labels: { app: 'x' } }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
console.log('core creates/s', 10000 / (performance.now() - t) * 1000);
await s.stop();
