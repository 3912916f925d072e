// `kube-sim --port 6443 --kubeconfig <file> [--data-dir DIR] [files.yaml...]`: runs the server until
// SIGINT/SIGTERM.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type CertificateAuthority, createCertificateAuthority } from '@lb/certs';
import { start } from './server.js';

const usage = `usage: kube-sim [--port 6443] [--host 127.0.0.1] [--kubeconfig FILE] [--token TOKEN] [--http]
                [--ca-dir DIR] [--data-dir DIR] [--history-window N] [--bookmark-interval-ms MS] [files.yaml...]

  --data-dir DIR   keep objects, resourceVersions, the CA, the serving certificate and the token
                   in DIR across restarts (the kubeconfig goes there too unless --kubeconfig)
  --ca-dir DIR     keep only the CA in DIR (ca.crt, ca.key), so a restart keeps clients' trust`;

/** The CA in DIR (ca.crt, ca.key), created there on first use, so a restart keeps clients' trust. */
function caFromDir(dir: string): CertificateAuthority {
  const certFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'ca.key');
  if (existsSync(certFile) && existsSync(keyFile)) return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  const ca = createCertificateAuthority('kube-sim-ca');
  mkdirSync(dir, { recursive: true });
  writeFileSync(keyFile, ca.key, { mode: 0o600 });
  writeFileSync(certFile, ca.cert);
  return ca;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        port: { type: 'string', default: '6443' },
        host: { type: 'string', default: '127.0.0.1' },
        kubeconfig: { type: 'string' },
        token: { type: 'string' },
        http: { type: 'boolean', default: false },
        'ca-dir': { type: 'string' },
        'data-dir': { type: 'string' },
        'history-window': { type: 'string' },
        'bookmark-interval-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`kube-sim: ${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`kube-sim: --port must be 0-65535, got "${values.port}"`);
    process.exit(2);
  }
  const sim = await start({
    port,
    host: values.host,
    https: !values.http,
    files: positionals,
    ...(values.kubeconfig ? { kubeconfigPath: values.kubeconfig } : {}),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(values['ca-dir'] ? { ca: caFromDir(values['ca-dir']) } : {}),
    ...(values['history-window'] ? { historyWindow: Number(values['history-window']) } : {}),
    ...(values['bookmark-interval-ms'] ? { bookmarkIntervalMs: Number(values['bookmark-interval-ms']) } : {}),
  });
  console.log(`kube-sim listening on ${sim.url}`);
  console.log(`kubeconfig: ${sim.kubeconfigPath}`);
  if (sim.dataDir) console.log(`data directory: ${sim.dataDir.path} (${sim.dataDir.restored.objects} objects restored)`);
  const shutdown = (): void => {
    void sim.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(`kube-sim: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
