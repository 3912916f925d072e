import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServingPair } from '@lb/certs';
import { Secrets, isAlreadyExists, isNotFound, updateWithRetry, type KubeClient, type Secret } from '@lb/k8s-watch';
import { type Logger } from './log.js';
import { CustomResourceDefinitions, ValidatingWebhookConfigurations } from './resources.js';

export interface ServingCertificate {
  readonly cert: string;
  readonly key: string;
  /** The CA that signed it, when known (a generated certificate): what clients must trust. */
  readonly ca: string | undefined;
}

/** Reads `tls.crt` and `tls.key` (and `ca.crt` if present) from a mounted Secret's directory. */
export async function readCertificateDir(dir: string): Promise<ServingCertificate> {
  const read = (name: string): Promise<string> => readFile(join(dir, name), 'utf8');
  const [cert, key] = await Promise.all([read('tls.crt'), read('tls.key')]);
  const ca = await read('ca.crt').catch(() => undefined);
  return { cert, key, ca };
}

/** The certificate a generated-certificate Secret holds; undefined when it lacks tls.crt or tls.key. */
export function certificateFromSecret(secret: Secret): ServingCertificate | undefined {
  const data = secret.data ?? {};
  const decode = (k: string): string | undefined => (data[k] ? Buffer.from(data[k], 'base64').toString('utf8') : undefined);
  const cert = decode('tls.crt');
  const key = decode('tls.key');
  return cert && key ? { cert, key, ca: decode('ca.crt') } : undefined;
}

/** The names a generated certificate is valid for: the Service's DNS names and the loopback. */
export function servingHosts(serviceName: string, namespace: string): string[] {
  return [serviceName, `${serviceName}.${namespace}`, `${serviceName}.${namespace}.svc`, `${serviceName}.${namespace}.svc.cluster.local`, 'localhost', '127.0.0.1'];
}

export interface GeneratedCertificateOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly serviceName: string;
  readonly log: Logger;
}

/**
 * The webhook's certificate, generated once and kept in a Secret so that every replica serves the
 * same one (whichever creates the Secret first wins; the others read it).
 */
export async function sharedGeneratedCertificate(options: GeneratedCertificateOptions): Promise<ServingCertificate> {
  const { client, namespace, serviceName } = options;
  const secretName = `${serviceName}-cert`;
  try {
    const existing = certificateFromSecret(await client.get(Secrets, namespace, secretName));
    if (existing) return existing;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const { ca, serving } = await createServingPair(servingHosts(serviceName, namespace), `${serviceName}.${namespace}.svc`, `${serviceName}-ca`);
  const base64 = (text: string): string => Buffer.from(text).toString('base64');
  try {
    await client.create(Secrets, {
      metadata: { name: secretName, namespace },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': base64(serving.cert), 'tls.key': base64(serving.key), 'ca.crt': base64(ca.cert) },
    } as Secret);
    options.log.info('generated the webhook certificate', { secret: `${namespace}/${secretName}` });
    return { cert: serving.cert, key: serving.key, ca: ca.cert };
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    const winner = certificateFromSecret(await client.get(Secrets, namespace, secretName));
    if (!winner) throw new Error(`Secret ${namespace}/${secretName} exists but holds no tls.crt/tls.key`);
    return winner;
  }
}

/**
 * Puts the CA in every webhook of the ValidatingWebhookConfiguration, and in the BGPPeer CRD's
 * conversion webhook when it has one, so that the API server trusts the webhook.
 */
export async function injectCaBundle(client: KubeClient, configurationName: string, ca: string, log: Logger): Promise<void> {
  const caBundle = Buffer.from(ca).toString('base64');
  try {
    await updateWithRetry(client, ValidatingWebhookConfigurations, undefined, configurationName, (current) => {
      const webhooks = current.webhooks ?? [];
      if (webhooks.every((w) => (w['clientConfig'] as { caBundle?: string } | undefined)?.caBundle === caBundle)) return undefined;
      return { ...current, webhooks: webhooks.map((w) => ({ ...w, clientConfig: { ...(w['clientConfig'] as object), caBundle } })) };
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    log.warn('no ValidatingWebhookConfiguration to inject the CA into', { name: configurationName });
  }
  try {
    await updateWithRetry(client, CustomResourceDefinitions, undefined, 'bgppeers.metallb.io', (crd) => {
      const conversion = crd.spec?.['conversion'] as { strategy?: string; webhook?: { clientConfig?: { caBundle?: string } } } | undefined;
      if (conversion?.strategy !== 'Webhook' || conversion.webhook?.clientConfig?.caBundle === caBundle) return undefined;
      return { ...crd, spec: { ...crd.spec, conversion: { ...conversion, webhook: { ...conversion.webhook, clientConfig: { ...conversion.webhook?.clientConfig, caBundle } } } } };
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
