// The admission and conversion webhook through kube-sim: kube-sim calls the controller process
// over HTTPS for every metallb.io write, trusting the CA the controller generated and injected
// (or a certificate from a mounted Secret's directory).
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAdmission } from '@lb/config-schema';
import { parseManifests, type KubeSim } from '@lb/kube-sim';
import {
  CONFIG_NAMESPACE,
  freePort,
  installWebhookConfiguration,
  kubectl,
  kubectlOk,
  seeds,
  TestBed,
  WEBHOOK_CONFIGURATION,
  webhookTrusted,
} from './harness.js';
import { webhookConfiguration } from '../src/index.js';

const SECRET = 'metallb-webhook-service-cert';
const SERVICE_DNS_NAME = 'metallb-webhook-service.metallb-system.svc';

const overlappingPool = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: overlapping
  namespace: metallb-system
spec:
  addresses:
  - 192.168.10.128/25
`;

/** POSTs JSON to the webhook over HTTPS, trusting `ca`. */
function post(port: number, path: string, body: unknown, ca: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', ca, servername: SERVICE_DNS_NAME, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } },
      (res) => {
        let data = '';
        res.setEncoding('utf8').on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as unknown }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** The certificate the webhook serves, verified against `ca` for the Service's DNS name. */
function servedCertificate(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: SERVICE_DNS_NAME }, () => {
      const der = socket.getPeerCertificate().raw;
      socket.end();
      resolve(`-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----`);
    });
    socket.on('error', reject);
  });
}

function secretData(sim: KubeSim): Record<string, string> {
  return (sim.store.get('secrets', SECRET, CONFIG_NAMESPACE)?.['data'] ?? {}) as Record<string, string>;
}

describe('the webhook with a generated certificate', () => {
  const bed = new TestBed();
  let sim: KubeSim;
  let port: number;
  let ca: string;

  beforeAll(async () => {
    sim = await bed.sim();
    port = await freePort();
    await installWebhookConfiguration(sim, port);
    const controller = await bed.controller(sim, { args: ['--webhook-port', String(port)] });
    await controller.ready();
    await webhookTrusted(sim);
    ca = Buffer.from(secretData(sim)['ca.crt'] ?? '', 'base64').toString('utf8');
  });

  afterAll(() => bed.cleanup());

  it('keeps the generated certificate in a Secret and injects its CA into every webhook', async () => {
    const data = secretData(sim);
    expect(Object.keys(data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(ca).toContain('BEGIN CERTIFICATE');
    const webhooks = sim.store.get('validatingwebhookconfigurations', WEBHOOK_CONFIGURATION)?.['webhooks'] as Array<{ clientConfig: { caBundle?: string } }>;
    expect(webhooks.length).toBeGreaterThan(0);
    for (const webhook of webhooks) expect(webhook.clientConfig.caBundle).toBe(data['ca.crt']);
    // What the webhook serves is the Secret's certificate, valid for the Service name under that CA.
    const served = await servedCertificate(port, ca);
    const stored = Buffer.from(data['tls.crt'] ?? '', 'base64').toString('utf8');
    expect(stored.replace(/\s/g, '')).toContain(served.replace(/\s/g, '').replace('-----BEGINCERTIFICATE-----', '').replace('-----ENDCERTIFICATE-----', ''));
  });

  it('admits a valid pool, and refuses with config-schema\'s message a pool overlapping it', async () => {
    expect(await kubectlOk(sim, ['apply', '-f', join(seeds, '002-01-pool-three-ranges.yaml')])).toContain('ipaddresspool.metallb.io/example created');
    const existing = sim.store.get('ipaddresspools.metallb.io', 'example', CONFIG_NAMESPACE);
    const [object] = parseManifests(overlappingPool);
    const expected = validateAdmission({ operation: 'CREATE', object, existing: [existing] });
    expect(expected.allowed).toBe(false);
    expect(expected.message).toContain('192.168.10.128/25');

    const refused = await kubectl(sim, ['apply', '-f', '-'], overlappingPool);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('denied the request');
    expect(refused.stderr).toContain(expected.message);
    expect(sim.store.get('ipaddresspools.metallb.io', 'overlapping', CONFIG_NAMESPACE)).toBeUndefined();
  });

  it('refuses a BGPPeer config-schema finds wrong, with every problem named', async () => {
    const peer = readFileSync(join(seeds, '002-09-peer.yaml'), 'utf8').replace('peerAddress: 172.30.0.3', 'peerAddress: 172.30.0.300');
    const refused = await kubectl(sim, ['apply', '-f', '-'], peer);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('172.30.0.300');
    expect(sim.store.get('bgppeers.metallb.io', 'peer', CONFIG_NAMESPACE)).toBeUndefined();
    expect(await kubectlOk(sim, ['apply', '-f', join(seeds, '002-09-peer.yaml')])).toContain('bgppeer.metallb.io/peer created');
  });

  it('answers a ConversionReview for BGPPeer v1beta2 <-> v1beta1', async () => {
    const [peer] = parseManifests(readFileSync(join(seeds, '002-14-peer-node-selector.yaml'), 'utf8')) as Array<Record<string, unknown>>;
    const down = await post(port, '/convert', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      request: { uid: 'down-1', desiredAPIVersion: 'metallb.io/v1beta1', objects: [peer] },
    }, ca);
    expect(down.status).toBe(200);
    const downResponse = (down.body as { response: { uid: string; result: { status: string }; convertedObjects: Array<Record<string, unknown>> } }).response;
    expect(downResponse.uid).toBe('down-1');
    expect(downResponse.result.status).toBe('Success');
    const legacy = downResponse.convertedObjects[0] as { apiVersion: string; spec: { peerPort: number; nodeSelectors: Array<{ matchLabels: Record<string, string> }> } };
    expect(legacy.apiVersion).toBe('metallb.io/v1beta1');
    expect(legacy.spec.peerPort).toBe(180);
    expect(legacy.spec.nodeSelectors[0]?.matchLabels).toEqual({ rack: 'frontend' });

    const up = await post(port, '/convert', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      request: { uid: 'up-1', desiredAPIVersion: 'metallb.io/v1beta2', objects: [legacy] },
    }, ca);
    const upResponse = (up.body as { response: { uid: string; result: { status: string }; convertedObjects: Array<Record<string, unknown>> } }).response;
    expect(upResponse.result.status).toBe('Success');
    expect(upResponse.convertedObjects[0]?.['apiVersion']).toBe('metallb.io/v1beta2');
    expect(upResponse.convertedObjects[0]?.['spec']).toEqual(peer?.['spec']);

    const impossible = await post(port, '/convert', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      request: { uid: 'bad-1', desiredAPIVersion: 'metallb.io/v2', objects: [peer] },
    }, ca);
    const failure = (impossible.body as { response: { uid: string; result: { status: string; message: string } } }).response;
    expect(failure.uid).toBe('bad-1');
    expect(failure.result.status).toBe('Failure');
    expect(failure.result.message).toContain('metallb.io/v2');

    const garbage = await post(port, '/convert', '{"not json', ca);
    expect(garbage.status).toBe(400);
    expect(JSON.stringify(garbage.body)).toContain('not JSON');
  });
});

describe('the webhook with a certificate from a mounted Secret', () => {
  const bed = new TestBed();
  afterAll(() => bed.cleanup());

  it('serves the files in --webhook-cert-dir, and kube-sim trusting their CA gets the denials', async () => {
    const sim = await bed.sim();
    const dir = bed.tempDir();
    const issued = sim.issueCertificate([SERVICE_DNS_NAME, '127.0.0.1']);
    writeFileSync(join(dir, 'tls.crt'), issued.cert);
    writeFileSync(join(dir, 'tls.key'), issued.key);
    const port = await freePort();
    await sim.store.apply(webhookConfiguration({ name: WEBHOOK_CONFIGURATION, url: `https://127.0.0.1:${port}`, caBundle: Buffer.from(sim.ca ?? '').toString('base64') }));
    const controller = await bed.controller(sim, { args: ['--webhook-port', String(port), '--webhook-cert-dir', dir] });
    await controller.ready();
    const served = await servedCertificate(port, sim.ca ?? '');
    expect(served.replace(/\s/g, '')).toBe(issued.cert.replace(/\s/g, ''));
    expect(sim.store.get('secrets', SECRET, CONFIG_NAMESPACE)).toBeUndefined();

    await kubectlOk(sim, ['apply', '-f', join(seeds, '002-01-pool-three-ranges.yaml')]);
    const refused = await kubectl(sim, ['apply', '-f', '-'], overlappingPool);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('denied the request');
    expect(refused.stderr).toContain('192.168.10.128/25');
  });
});
