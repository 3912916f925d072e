import { describe, expect, it } from 'vitest';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:https';
import { request } from 'node:https';
import { createSecureContext } from 'node:tls';
import { type AddressInfo } from 'node:net';
import { createCertificateAuthority, createServingPair, issueCertificate } from './certificates.js';

describe('certificates', () => {
  it('issues a serving certificate for DNS names and IP addresses that chains to the CA', () => {
    const ca = createCertificateAuthority('test-ca');
    const leaf = issueCertificate(ca, ['webhook.lb-system.svc', '127.0.0.1']);
    const caCert = new X509Certificate(ca.cert);
    const cert = new X509Certificate(leaf.cert);
    expect(caCert.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkHost('webhook.lb-system.svc')).toBe('webhook.lb-system.svc');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('other.example')).toBeUndefined();
  });

  it('serves TLS that a client trusting only the CA accepts', async () => {
    const { ca, serving } = await createServingPair(['localhost', '127.0.0.1'], 'localhost', 'pair-ca');
    expect(new X509Certificate(ca.cert).subject).toContain('CN=pair-ca');
    const server = createServer({ cert: serving.cert, key: serving.key }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, ca: ca.cert, servername: 'localhost' }, (res) => {
          let data = '';
          res.on('data', (chunk: Buffer) => (data += chunk.toString()));
          res.on('end', () => resolve(data));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('ok');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('serial numbers', () => {
  it('are always valid DER (OpenSSL parses every certificate)', () => {
    const ca = createCertificateAuthority('serial-ca');
    expect(() => createSecureContext({ cert: ca.cert, key: ca.key })).not.toThrow();
    // One key for every certificate: the serial is what varies, and RSA key generation is slow.
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (let i = 0; i < 300; i++) {
      const leaf = issueCertificate(ca, ['localhost'], 'localhost', pair);
      const cert = new X509Certificate(leaf.cert);
      expect(cert.serialNumber).toMatch(/^[1-7][0-9A-F]{31}$|^0[1-9A-F][0-9A-F]{30}$/);
      expect(() => createSecureContext({ cert: leaf.cert, key: leaf.key })).not.toThrow();
    }
    // 300 certificates signed with RSA: seconds on a quiet machine, much more on a loaded one.
  }, 180_000);
});
