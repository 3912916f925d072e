import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:https';
import { createServingPair } from '@lb/certs';
import { CONVERSION_PATH, WebhookServer, validationPath, validationPaths, webhookConfiguration } from './webhook.js';

const pool = (name: string, addresses: string[]) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace: 'metallb-system' },
  spec: { addresses },
});

describe('webhook paths', () => {
  it("uses MetalLB's paths, one per served kind and version, status kinds excluded", () => {
    const paths = validationPaths().map((p) => p.path);
    expect(paths).toContain('/validate-metallb-io-v1beta1-ipaddresspool');
    expect(paths).toContain('/validate-metallb-io-v1beta2-bgppeer');
    expect(paths).toContain('/validate-metallb-io-v1beta1-bgppeer');
    expect(paths).toContain('/validate-network-deckhouse-io-v1alpha1-metalloadbalancerclass');
    expect(paths.some((p) => p.includes('configurationstate'))).toBe(false);
    expect(validationPath('metallb.io', 'v1beta1', 'L2Advertisement')).toBe('/validate-metallb-io-v1beta1-l2advertisement');
  });

  it('builds a webhook configuration reaching a Service or a URL', () => {
    const bySvc = webhookConfiguration({ name: 'w', service: { namespace: 'lb', name: 'webhook' } }) as { webhooks: Array<{ clientConfig: Record<string, unknown>; rules: unknown[] }> };
    expect(bySvc.webhooks.length).toBe(validationPaths().length);
    expect(bySvc.webhooks[0]?.clientConfig['service']).toMatchObject({ namespace: 'lb', name: 'webhook' });
    const byUrl = webhookConfiguration({ name: 'w', url: 'https://127.0.0.1:9443/' }) as { webhooks: Array<{ clientConfig: { url?: string } }> };
    expect(byUrl.webhooks.every((w) => w.clientConfig.url?.startsWith('https://127.0.0.1:9443/validate-'))).toBe(true);
  });
});

describe('WebhookServer', () => {
  let server: WebhookServer;
  let port: number;
  let ca: string;
  const existing = [pool('first', ['10.0.0.0/24'])];

  beforeAll(async () => {
    const pair = await createServingPair(['localhost', '127.0.0.1'], 'localhost');
    ca = pair.ca.cert;
    server = new WebhookServer({ port: 0, host: '127.0.0.1', cert: pair.serving.cert, key: pair.serving.key, existing: () => existing });
    port = await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  const post = (path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> =>
    new Promise((resolve, reject) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(text);
    });
  const review = (object: unknown, operation = 'CREATE') => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u-1', operation, object } });

  it('admits a pool that fits', async () => {
    const { body } = await post('/validate-metallb-io-v1beta1-ipaddresspool', review(pool('second', ['10.0.1.0/24'])));
    expect(body['response']).toEqual({ uid: 'u-1', allowed: true });
  });

  it('denies an overlapping pool with the configuration message', async () => {
    const { body } = await post('/validate-metallb-io-v1beta1-ipaddresspool', review(pool('second', ['10.0.0.128/25'])));
    const response = body['response'] as { allowed: boolean; status: { code: number; message: string } };
    expect(response.allowed).toBe(false);
    expect(response.status.code).toBe(403);
    expect(response.status.message).toContain('overlaps');
    expect(response.status.message).toContain('10.0.0.128/25');
  });

  it('converts a BGPPeer between versions', async () => {
    const peer = { apiVersion: 'metallb.io/v1beta1', kind: 'BGPPeer', metadata: { name: 'p', namespace: 'metallb-system' }, spec: { myASN: 64512, peerASN: 64513, peerAddress: '10.0.0.1' } };
    const { body } = await post(CONVERSION_PATH, { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'c-1', desiredAPIVersion: 'metallb.io/v1beta2', objects: [peer] } });
    const response = body['response'] as { uid: string; result: { status: string }; convertedObjects: Array<{ apiVersion: string; spec: Record<string, unknown> }> };
    expect(response.result.status).toBe('Success');
    expect(response.convertedObjects[0]?.apiVersion).toBe('metallb.io/v1beta2');
    expect(response.convertedObjects[0]?.spec['peerAddress']).toBe('10.0.0.1');
  });

  it('answers bad requests with a clear error, never a crash', async () => {
    expect((await post('/validate-metallb-io-v1beta1-ipaddresspool', '{not json')).status).toBe(400);
    expect((await post('/nowhere', {})).status).toBe(404);
    const { body } = await post('/validate-metallb-io-v1beta1-ipaddresspool', { kind: 'AdmissionReview' });
    expect((body['response'] as { allowed: boolean }).allowed).toBe(false);
  });
});
