import { createServer, type Server } from 'node:https';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { KINDS, convertReview, validateAdmission, type AdmissionOperation, type ConversionRequest } from '@lb/config-schema';

/** Where MetalLB's webhook answers for a kind: `/validate-metallb-io-v1beta1-ipaddresspool`. */
export function validationPath(group: string, version: string, kind: string): string {
  return `/validate-${group.replaceAll('.', '-')}-${version}-${kind.toLowerCase()}`;
}

export const CONVERSION_PATH = '/convert';

/** Kinds that only report status: written by MetalLB's components, never validated. */
const STATUS_KINDS = new Set(['ConfigurationState', 'ServiceL2Status', 'ServiceBGPStatus']);

/** Every validation path this webhook serves: each served version of each kind operators write. */
export function validationPaths(): Array<{ path: string; group: string; version: string; kind: string; plural: string }> {
  return KINDS.filter((k) => !STATUS_KINDS.has(k.kind)).flatMap((k) =>
    k.versions.filter((v) => v.served).map((v) => ({ path: validationPath(k.group, v.name, k.kind), group: k.group, version: v.name, kind: k.kind, plural: k.plural })),
  );
}

export interface WebhookOptions {
  readonly port: number;
  readonly host?: string;
  readonly cert: string;
  readonly key: string;
  /** The configuration a change is checked against (from the informer caches). */
  readonly existing: () => readonly unknown[];
  readonly log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

const MAX_BODY = 3 * 1024 * 1024;

/**
 * The validating admission and BGPPeer conversion webhook, over HTTPS. Every kind's messages come
 * from @lb/config-schema, so kubectl shows the same words `compile()` would report.
 */
export class WebhookServer {
  private server: Server | undefined;
  private readonly paths = new Set(validationPaths().map((p) => p.path));

  constructor(private readonly options: WebhookOptions) {}

  async start(): Promise<number> {
    const server = createServer({ cert: this.options.cert, key: this.options.key }, (req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  /** Swaps the serving certificate (a rotated Secret) without dropping the listener. */
  setCertificate(cert: string, key: string): void {
    this.server?.setSecureContext({ cert, key });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) return send(res, 200, { status: 'ok' });
    if (req.method !== 'POST') return send(res, 405, { error: 'POST an AdmissionReview or ConversionReview' });
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      return send(res, 400, { error: `request body is not JSON: ${(error as Error).message}` });
    }
    if (path === CONVERSION_PATH) return send(res, 200, this.convert(body));
    if (this.paths.has(path)) return send(res, 200, this.admit(body));
    return send(res, 404, { error: `no webhook at ${path}` });
  }

  private admit(body: unknown): unknown {
    const review = body as { apiVersion?: string; request?: AdmissionRequest };
    const request = review.request;
    const apiVersion = review.apiVersion ?? 'admission.k8s.io/v1';
    if (!request || typeof request.uid !== 'string') {
      return { apiVersion, kind: 'AdmissionReview', response: { uid: request?.uid ?? '', allowed: false, status: { code: 400, message: 'AdmissionReview without request.uid' } } };
    }
    const operation = request.operation;
    if (operation !== 'CREATE' && operation !== 'UPDATE' && operation !== 'DELETE') {
      return { apiVersion, kind: 'AdmissionReview', response: { uid: request.uid, allowed: true } };
    }
    const result = validateAdmission({
      operation,
      ...(request.object ? { object: request.object } : {}),
      ...(request.oldObject ? { oldObject: request.oldObject } : {}),
      existing: this.options.existing(),
    });
    const target = (request.object ?? request.oldObject) as { kind?: string; metadata?: { name?: string; namespace?: string } } | undefined;
    this.options.log?.(result.allowed ? 'info' : 'warn', result.allowed ? 'admitted' : 'denied', {
      operation,
      kind: target?.kind,
      name: target?.metadata?.name,
      namespace: target?.metadata?.namespace,
      ...(result.allowed ? {} : { reason: result.message }),
    });
    const response: Record<string, unknown> = { uid: request.uid, allowed: result.allowed };
    if (!result.allowed) response['status'] = { code: 403, reason: 'Forbidden', message: result.message };
    if (result.warnings.length > 0) response['warnings'] = result.warnings;
    return { apiVersion, kind: 'AdmissionReview', response };
  }

  private convert(body: unknown): unknown {
    const review = body as { apiVersion?: string; request?: ConversionRequest };
    const apiVersion = review.apiVersion ?? 'apiextensions.k8s.io/v1';
    const request = review.request;
    if (!request || !Array.isArray(request.objects) || typeof request.desiredAPIVersion !== 'string') {
      return { apiVersion, kind: 'ConversionReview', response: { uid: request?.uid ?? '', convertedObjects: [], result: { status: 'Failure', message: 'ConversionReview without request.objects and desiredAPIVersion' } } };
    }
    return { apiVersion, kind: 'ConversionReview', response: convertReview(request) };
  }
}

interface AdmissionRequest {
  readonly uid: string;
  readonly operation?: AdmissionOperation | 'CONNECT';
  readonly object?: unknown;
  readonly oldObject?: unknown;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error(`larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The ValidatingWebhookConfiguration for this webhook: one entry per served kind and version, reached
 * through a Service (in a cluster) or a URL (outside one, e.g. against kube-sim). The caBundle is
 * left for the controller to inject when it generates its certificate.
 */
export function webhookConfiguration(options: {
  name: string;
  service?: { namespace: string; name: string; port?: number };
  url?: string;
  caBundle?: string;
  failurePolicy?: 'Fail' | 'Ignore';
}): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: options.name },
    webhooks: validationPaths().map((p) => ({
      name: `${p.kind.toLowerCase()}${p.version}.${p.group}`,
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: options.failurePolicy ?? 'Fail',
      // One entry per served version, so each request goes to exactly the entry of its version.
      matchPolicy: 'Exact',
      timeoutSeconds: 10,
      rules: [{ apiGroups: [p.group], apiVersions: [p.version], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: [p.plural], scope: '*' }],
      clientConfig: {
        ...(options.url ? { url: `${options.url.replace(/\/$/, '')}${p.path}` } : {}),
        ...(options.service ? { service: { ...options.service, path: p.path } } : {}),
        ...(options.caBundle ? { caBundle: options.caBundle } : {}),
      },
    })),
  };
}
