// A kube-sim restarted with the CA it had (`ca` option, `--ca-dir`) is trusted by a client that
// kept the first one's kubeconfig, as a restarted kube-apiserver is.
import { get } from 'node:https';
import { createCertificateAuthority } from '@lb/certs';
import { describe, expect, it } from 'vitest';
import { start } from '../src/index.js';

function version(url: string, ca: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`${url}/version`, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('kube-sim with a given CA', () => {
  it('signs its serving certificate with it, across restarts', async () => {
    const ca = createCertificateAuthority('kept-ca');
    const first = await start({ ca, token: 't' });
    expect(first.ca).toBe(ca.cert);
    const port = first.port;
    await first.stop();
    const second = await start({ ca, token: 't', port });
    try {
      expect(await version(second.url, ca.cert, 't')).toBe(200);
    } finally {
      await second.stop();
    }
  });
});
