// Keeps the webhook's generated certificate valid and trusted while the controller runs: renewed
// when a third of its lifetime is left (four months of a year), served by every replica as soon as
// the shared Secret changes, its expiry exported as a metric, and its CA put back into the
// ValidatingWebhookConfiguration (and BGPPeer's conversion) whenever something re-created or
// re-applied them without it. Pure decisions first; the keeper below is the adapter.
import { X509Certificate } from 'node:crypto';
import { Gauge, type Registry } from 'prom-client';
import { createServingPair } from '@lb/certs';
import { Secrets, isConflict, isNotFound, type KubeClient, type Secret } from '@lb/k8s-watch';
import { type Logger } from './log.js';
import { certificateFromSecret, injectCaBundle, servingHosts, type ServingCertificate } from './webhook-certificate.js';

export interface Validity {
  /** Milliseconds since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
}

/** The validity of the first certificate of a PEM text; undefined when it holds none. */
export function validity(pem: string): Validity | undefined {
  try {
    const cert = new X509Certificate(pem);
    return { notBefore: Date.parse(cert.validFrom), notAfter: Date.parse(cert.validTo) };
  } catch {
    return undefined;
  }
}

/** Renew once less than a third of the lifetime is left (or the certificate cannot be read). */
export function renewalDue(v: Validity | undefined, now: number): boolean {
  if (!v) return true;
  return now >= v.notAfter - (v.notAfter - v.notBefore) / 3;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g;

/**
 * The CAs to trust after a renewal: the new one, then the previous one while it is still valid,
 * so that API servers holding the old bundle and replicas still serving the old certificate keep
 * working until both have moved on. Older CAs drop out at the next renewal.
 */
export function caBundleAfterRenewal(newCa: string, previousBundle: string | undefined, now: number): string {
  const previous = (previousBundle?.match(PEM_CERTIFICATE) ?? [])[0];
  const keep = previous && (validity(previous)?.notAfter ?? 0) > now && previous.trim() !== newCa.trim();
  const withNewline = (pem: string): string => (pem.endsWith('\n') ? pem : `${pem}\n`);
  return keep ? withNewline(newCa) + withNewline(previous) : withNewline(newCa);
}

export interface CertificateKeeperOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly serviceName: string;
  readonly configurationName: string;
  readonly log: Logger;
  readonly registry: Registry;
  /** Called with the Secret's certificate whenever it differs from the one being served. */
  readonly serve: (certificate: ServingCertificate) => void;
  readonly now?: () => number;
}

/** The gauge only (a mounted certificate's expiry is exported the same way). */
export function certificateExpiryGauge(registry: Registry): Gauge {
  return new Gauge({
    name: 'lb_controller_webhook_certificate_expiry_timestamp_seconds',
    help: "When the webhook's serving certificate expires (Unix seconds); it is renewed a third of its lifetime before.",
    registers: [registry],
  });
}

export class WebhookCertificateKeeper {
  private served: string | undefined;
  private readonly expiry: Gauge;
  private readonly now: () => number;

  constructor(private readonly options: CertificateKeeperOptions) {
    this.expiry = certificateExpiryGauge(options.registry);
    this.now = options.now ?? Date.now;
  }

  /** Records what is served already (the certificate the server started with). */
  serving(certificate: ServingCertificate): void {
    this.served = certificate.cert;
    const v = validity(certificate.cert);
    if (v) this.expiry.set(v.notAfter / 1000);
  }

  /** One round: renew if due, serve the Secret's certificate, make sure its CA is trusted. */
  async check(): Promise<void> {
    const { client, namespace, serviceName, log } = this.options;
    const secretName = `${serviceName}-cert`;
    let secret: Secret;
    try {
      secret = await client.get(Secrets, namespace, secretName);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      log.warn('the webhook certificate Secret is gone: serving the certificate in memory', { secret: `${namespace}/${secretName}` });
      return;
    }
    let current = certificateFromSecret(secret);
    if (!current || renewalDue(validity(current.cert), this.now())) current = (await this.renew(secret, current)) ?? current;
    if (!current) return;
    if (current.cert !== this.served) {
      this.options.serve(current);
      this.serving(current);
      log.info('serving the webhook certificate from its Secret', { notAfter: new Date((validity(current.cert)?.notAfter ?? 0)).toISOString() });
    }
    if (current.ca) await injectCaBundle(client, this.options.configurationName, current.ca, log);
  }

  /** A new CA and certificate in the Secret; undefined when another replica renewed first. */
  private async renew(secret: Secret, previous: ServingCertificate | undefined): Promise<ServingCertificate | undefined> {
    const { client, namespace, serviceName, log } = this.options;
    const { ca, serving } = await createServingPair(servingHosts(serviceName, namespace), `${serviceName}.${namespace}.svc`, `${serviceName}-ca`);
    const bundle = caBundleAfterRenewal(ca.cert, previous?.ca, this.now());
    const base64 = (text: string): string => Buffer.from(text).toString('base64');
    try {
      const written = await client.update(Secrets, { ...secret, data: { ...secret.data, 'tls.crt': base64(serving.cert), 'tls.key': base64(serving.key), 'ca.crt': base64(bundle) } });
      log.info('renewed the webhook certificate', { secret: `${namespace}/${serviceName}-cert`, previousNotAfter: previous ? new Date(validity(previous.cert)?.notAfter ?? 0).toISOString() : null });
      return certificateFromSecret(written);
    } catch (error) {
      if (isConflict(error)) return undefined; // another replica renewed it: read at the next check
      throw error;
    }
  }
}
