// Validating admission webhooks over HTTPS: a real webhook server (its own CA, reached through a
// Service's EndpointSlice) judges MetalLB IPAddressPools; kube-sim sends admission.k8s.io/v1
// AdmissionReviews, honours the verdict and failurePolicy, and kubectl shows the webhook's message.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate, type KubeSim, start } from '../src/index.js';
import { kubectls, requireKubectl, runKubectl } from './helpers.js';
import { metallbCrdsDir } from '@lb/testdata';

interface Review {
  apiVersion: string;
  kind: string;
  request: {
    uid: string;
    kind: { group: string; version: string; kind: string };
    resource: { group: string; version: string; resource: string };
    name: string;
    namespace?: string;
    operation: string;
    userInfo: { username: string };
    requestKind: { group: string; version: string; kind: string };
    object: { apiVersion: string; metadata: { name: string }; spec: { addresses?: string[] } } | null;
    oldObject: unknown;
  };
}

/** Refuses ranges whose end is below their start, as MetalLB's own webhook does. */
function reversedRange(addresses: readonly string[]): string | undefined {
  const toNum = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  return addresses.find((a) => {
    const [from, to] = a.split('-');
    return from !== undefined && to !== undefined && toNum(to) < toNum(from);
  });
}

const pool = (name: string, range: string): string =>
  JSON.stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: 'metallb-system' }, spec: { addresses: [range] } });

describe('validating admission webhooks', () => {
  let sim: KubeSim;
  let webhook: Server;
  const reviews: Review[] = [];
  const webhookCa = createCertificateAuthority('webhook-test-ca');

  beforeAll(async () => {
    const serving = issueCertificate(webhookCa, ['pool-webhook.metallb-system.svc', '127.0.0.1']);
    webhook = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const review = JSON.parse(body) as Review;
        reviews.push(review);
        const bad = reversedRange(review.request.object?.spec.addresses ?? []);
        const response = bad
          ? { uid: review.request.uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: `invalid range ${bad}: end is before start` } }
          : { uid: review.request.uid, allowed: true };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    const port = (webhook.address() as AddressInfo).port;

    // MetalLB's webhook names, paths and rules for one kind, served by the test's webhook server.
    const webhookEntry = (kind: string, operations: string[]): string => `- name: ${kind}validationwebhook.metallb.io
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: Fail
  clientConfig:
    caBundle: ${Buffer.from(webhookCa.cert).toString('base64')}
    service: {name: pool-webhook, namespace: metallb-system, path: /validate-metallb-io-v1beta1-${kind}}
  rules:
  - {apiGroups: [metallb.io], apiVersions: [v1beta1], operations: [${operations.join(', ')}], resources: [${kind}s]}`;
    sim = await start();
    for (const crd of ['ipaddresspools', 'bgppeers']) {
      await sim.store.apply(readFileSync(join(metallbCrdsDir(), `metallb.io_${crd}.yaml`), 'utf8'));
    }
    await sim.store.apply(`apiVersion: v1
kind: Namespace
metadata: {name: metallb-system}
---
apiVersion: v1
kind: Service
metadata: {name: pool-webhook, namespace: metallb-system}
spec: {ports: [{port: 443, targetPort: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: pool-webhook-1, namespace: metallb-system, labels: {kubernetes.io/service-name: pool-webhook}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1]}]
ports: [{port: ${port}}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: metallb-webhook-configuration}
webhooks:
${webhookEntry('ipaddresspool', ['CREATE', 'UPDATE'])}
${webhookEntry('bgppeer', ['CREATE'])}
`);
  });
  afterAll(async () => {
    await sim?.stop();
    await new Promise((r) => webhook?.close(r));
  });

  it.each(kubectls)('shows $name the webhook’s refusal, and lets good objects through', async (k) => {
    requireKubectl(k);
    const tag = k === kubectls[0] ? 'a' : 'b';
    const refused = await runKubectl(k, sim, ['apply', '-f', '-'], pool(`cheap-${tag}`, '172.16.16.150-172.16.16.20'));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('admission webhook "ipaddresspoolvalidationwebhook.metallb.io" denied the request: invalid range 172.16.16.150-172.16.16.20: end is before start');
    const accepted = await runKubectl(k, sim, ['apply', '-f', '-'], pool(`good-${tag}`, '172.16.16.150-172.16.16.200'));
    expect(accepted).toMatchObject({ code: 0, stderr: '' });
  });

  it('sends a complete admission.k8s.io/v1 AdmissionReview, with oldObject on UPDATE', async () => {
    reviews.length = 0;
    await runKubectl(kubectls[0]!, sim, ['label', 'ipaddresspools', 'good-a', '-n', 'metallb-system', 'x=y']);
    const update = reviews.find((r) => r.request.operation === 'UPDATE');
    expect(update).toMatchObject({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
        kind: { group: 'metallb.io', version: 'v1beta1', kind: 'IPAddressPool' },
        resource: { group: 'metallb.io', version: 'v1beta1', resource: 'ipaddresspools' },
        name: 'good-a',
        namespace: 'metallb-system',
        operation: 'UPDATE',
        userInfo: { username: expect.any(String) as unknown },
        object: { metadata: { name: 'good-a', labels: { x: 'y' } } },
        oldObject: { metadata: { name: 'good-a' } },
      },
    });
  });

  it('calls a webhook registered for an equivalent version (matchPolicy Equivalent) in its version', async () => {
    reviews.length = 0;
    const peer = { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'p', namespace: 'metallb-system' }, spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' } };
    expect(await runKubectl(kubectls[1]!, sim, ['create', '-f', '-'], JSON.stringify(peer))).toMatchObject({ code: 0 });
    expect(reviews).toHaveLength(1);
    expect(reviews[0]?.request).toMatchObject({
      kind: { group: 'metallb.io', version: 'v1beta1', kind: 'BGPPeer' },
      requestKind: { group: 'metallb.io', version: 'v1beta2', kind: 'BGPPeer' },
      object: { apiVersion: 'metallb.io/v1beta1', metadata: { name: 'p' } },
    });
  });

  it('fails closed (failurePolicy Fail) and open (Ignore) when the webhook cannot be reached or trusted', async () => {
    const config = sim.store.get('validatingwebhookconfigurations', 'metallb-webhook-configuration') as { webhooks: Array<Record<string, unknown>> } & Record<string, unknown>;
    const wrongCa = createCertificateAuthority('not-the-webhook-ca');
    const hook = { ...config.webhooks[0], clientConfig: { ...(config.webhooks[0]?.['clientConfig'] as object), caBundle: Buffer.from(wrongCa.cert).toString('base64') } };
    await sim.store.update({ ...config, webhooks: [hook] });
    const k = kubectls[1]!;
    requireKubectl(k);
    const closed = await runKubectl(k, sim, ['apply', '-f', '-'], pool('untrusted', '10.0.0.1-10.0.0.2'));
    expect(closed.code).not.toBe(0);
    expect(closed.stderr).toMatch(/Internal error occurred: failed calling webhook "ipaddresspoolvalidationwebhook\.metallb\.io": failed to call webhook: .*certificate/);
    await sim.store.update({ ...(sim.store.get('validatingwebhookconfigurations', 'metallb-webhook-configuration') as object), webhooks: [{ ...hook, failurePolicy: 'Ignore' }] } as never);
    const open = await runKubectl(k, sim, ['apply', '-f', '-'], pool('untrusted', '10.0.0.1-10.0.0.2'));
    expect(open).toMatchObject({ code: 0, stderr: '' });
  });

  it('skips webhooks whose namespaceSelector does not match', async () => {
    const config = sim.store.get('validatingwebhookconfigurations', 'metallb-webhook-configuration') as { webhooks: Array<Record<string, unknown>> } & Record<string, unknown>;
    const hook = { ...config.webhooks[0], failurePolicy: 'Fail', clientConfig: { ...(config.webhooks[0]?.['clientConfig'] as object), caBundle: Buffer.from(webhookCa.cert).toString('base64') }, namespaceSelector: { matchLabels: { webhooks: 'on' } } };
    await sim.store.update({ ...config, webhooks: [hook] });
    reviews.length = 0;
    const r = await runKubectl(kubectls[1]!, sim, ['apply', '-f', '-'], pool('unchecked', '10.0.0.9-10.0.0.1'));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(reviews).toHaveLength(0);
  });
});
