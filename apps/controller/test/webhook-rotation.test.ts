// The webhook certificate keeper against kube-sim: the CA put back into a re-applied webhook
// configuration, and a renewal (the clock moved to within a third of the lifetime) written to the
// shared Secret, served, and trusted next to the previous CA.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type KubeSim } from '@lb/kube-sim';
import { connect, type KubeClient } from '@lb/k8s-watch';
import { createLogger } from '../src/log.js';
import { certificateFromSecret, sharedGeneratedCertificate, type ServingCertificate } from '../src/webhook-certificate.js';
import { WebhookCertificateKeeper, validity } from '../src/webhook-rotation.js';

const NS = 'metallb-system';
const SERVICE = 'metallb-webhook-service';
const CONFIGURATION = 'metallb-webhook-configuration';
const log = createLogger('error', { component: 'test' });

const configuration = {
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name: CONFIGURATION },
  webhooks: [
    {
      name: 'ipaddresspoolvalidationwebhook.metallb.io',
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Fail',
      rules: [{ apiGroups: ['metallb.io'], apiVersions: ['v1beta1'], operations: ['CREATE', 'UPDATE'], resources: ['ipaddresspools'] }],
      clientConfig: { service: { namespace: NS, name: SERVICE, path: '/validate-metallb-io-v1beta1-ipaddresspool' } },
    },
  ],
};

describe('WebhookCertificateKeeper', () => {
  let sim: KubeSim;
  let client: KubeClient;
  let first: ServingCertificate;
  beforeAll(async () => {
    sim = await start({});
    await sim.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } as never);
    await sim.store.create(configuration as never);
    client = await connect({ kubeconfig: sim.kubeconfigPath });
    first = await sharedGeneratedCertificate({ client, namespace: NS, serviceName: SERVICE, log });
  });
  afterAll(async () => {
    client?.close();
    await sim?.stop();
  });

  const caBundle = (): string | undefined => (sim.store.get('validatingwebhookconfigurations.admissionregistration.k8s.io', CONFIGURATION)?.['webhooks'] as Array<{ clientConfig: { caBundle?: string } }>)[0]?.clientConfig.caBundle;

  it('puts the CA back into a webhook configuration re-applied without it, and serves what it served', async () => {
    const served: ServingCertificate[] = [];
    const keeper = new WebhookCertificateKeeper({ client, namespace: NS, serviceName: SERVICE, configurationName: CONFIGURATION, log, registry: new Registry(), serve: (c) => served.push(c) });
    keeper.serving(first);
    expect(caBundle()).toBeUndefined();
    await keeper.check();
    expect(Buffer.from(caBundle() ?? '', 'base64').toString()).toBe(first.ca);
    expect(served).toEqual([]);
  });

  it('renews a third of the lifetime before expiry, serves the new certificate and trusts both CAs', async () => {
    const v = validity(first.cert);
    expect(v).toBeDefined();
    const late = (v?.notAfter ?? 0) - 24 * 3600 * 1000;
    const served: ServingCertificate[] = [];
    const registry = new Registry();
    const keeper = new WebhookCertificateKeeper({ client, namespace: NS, serviceName: SERVICE, configurationName: CONFIGURATION, log, registry, serve: (c) => served.push(c), now: () => late });
    keeper.serving(first);
    await keeper.check();
    expect(served).toHaveLength(1);
    const renewed = served[0] as ServingCertificate;
    expect(renewed.cert).not.toBe(first.cert);
    // Renewal signs with the real clock (only the check's clock is moved ahead), and X.509 times
    // have whole seconds: made within the second of the first, the new one ends the same second.
    expect(validity(renewed.cert)?.notAfter ?? 0).toBeGreaterThanOrEqual(v?.notAfter ?? 0);
    const stored = certificateFromSecret(sim.store.get('secrets', `${SERVICE}-cert`, NS) as never);
    expect(stored?.cert).toBe(renewed.cert);
    expect(stored?.ca?.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(stored?.ca).toContain(first.ca?.trim());
    expect(Buffer.from(caBundle() ?? '', 'base64').toString()).toBe(stored?.ca);
    const text = await registry.metrics();
    expect(text).toMatch(new RegExp(`lb_controller_webhook_certificate_expiry_timestamp_seconds ${(validity(renewed.cert)?.notAfter ?? 0) / 1000}`));
  });
});
