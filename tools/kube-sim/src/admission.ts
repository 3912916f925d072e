// Validating admission webhooks: finds the ValidatingWebhookConfigurations that match a request,
// sends each the admission.k8s.io/v1 AdmissionReview over HTTPS (trusting its caBundle), and turns
// the verdict into what the client sees, honouring failurePolicy and timeoutSeconds.
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { matchesLabelSelector, type LabelSelector } from '@lb/labels';
import { type AdmissionAttributes, type Admit, type KubeApi } from './api.js';
import { isObject, type Obj } from './objects.js';
import { internalError, webhookDenied } from './status.js';

interface RuleWithOperations {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
}

interface ValidatingWebhook {
  name: string;
  clientConfig?: { url?: string; caBundle?: string; service?: { namespace: string; name: string; path?: string; port?: number } };
  rules?: RuleWithOperations[];
  failurePolicy?: string;
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
  matchPolicy?: string;
}

/** Where a webhook Service really listens; kube-sim has no cluster network to route to it. */
export type ServiceResolver = (namespace: string, name: string, port: number) => { host: string; port: number } | undefined;

function anyMatch(list: readonly string[] | undefined, value: string): boolean {
  return (list ?? []).some((x) => x === '*' || x === value);
}

function resourceMatches(list: readonly string[] | undefined, resource: string, subresource: string): boolean {
  const full = subresource ? `${resource}/${subresource}` : resource;
  return (list ?? []).some((r) => {
    if (r === '*/*') return true;
    if (r === '*') return subresource === '';
    if (r === full) return true;
    const [res, sub] = r.split('/');
    if (sub === '*' && res === resource) return true;
    return res === '*' && sub === subresource && subresource !== '';
  });
}

export function ruleMatches(rule: RuleWithOperations, a: AdmissionAttributes): boolean {
  const type = a.target.resolved.type;
  if (!anyMatch(rule.operations, a.operation)) return false;
  if (!anyMatch(rule.apiGroups, type.group)) return false;
  if (!anyMatch(rule.apiVersions, a.target.resolved.version.name)) return false;
  if (!resourceMatches(rule.resources, type.plural, a.target.subresource)) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Namespaced' && !type.namespaced) return false;
  if (scope === 'Cluster' && type.namespaced) return false;
  return true;
}

function labelsOf(obj: Obj | undefined): Record<string, string> | undefined {
  return obj?.metadata?.labels;
}

/** The request as the webhook sees it: in its own version when only an equivalent one matches. */
function inMatchingVersion(hook: ValidatingWebhook, a: AdmissionAttributes): AdmissionAttributes | undefined {
  const rules = hook.rules ?? [];
  if (rules.some((r) => ruleMatches(r, a))) return a;
  if (hook.matchPolicy === 'Exact') return undefined;
  // matchPolicy Equivalent (the default): another served version of the same resource will do.
  const type = a.target.resolved.type;
  for (const version of type.versions) {
    if (!version.served || version.name === a.target.resolved.version.name) continue;
    const apiVersion = type.group ? `${type.group}/${version.name}` : version.name;
    const convert = (o: Obj | undefined): Obj | undefined => (o ? { ...o, apiVersion } : undefined);
    const converted: AdmissionAttributes = {
      ...a,
      target: { ...a.target, resolved: { ...a.target.resolved, version } },
      object: convert(a.object),
      oldObject: convert(a.oldObject),
    };
    if (rules.some((r) => ruleMatches(r, converted))) return converted;
  }
  return undefined;
}

function webhookApplies(hook: ValidatingWebhook, a: AdmissionAttributes): boolean {
  const type = a.target.resolved.type;
  // A namespaceSelector applies to namespaced objects and to Namespace objects themselves.
  const nsLabels = type.namespaced ? a.namespaceLabels : a.target.resolved.key === 'namespaces' ? labelsOf(a.object ?? a.oldObject) : undefined;
  if ((type.namespaced || a.target.resolved.key === 'namespaces') && !matchesLabelSelector(hook.namespaceSelector ?? {}, nsLabels)) return false;
  if (hook.objectSelector) {
    const matchNew = a.object !== undefined && matchesLabelSelector(hook.objectSelector, labelsOf(a.object));
    const matchOld = a.oldObject !== undefined && matchesLabelSelector(hook.objectSelector, labelsOf(a.oldObject));
    if (!matchNew && !matchOld) return false;
  }
  return true;
}

export function admissionReview(a: AdmissionAttributes, uid: string, username: string, requested: AdmissionAttributes = a): object {
  const type = a.target.resolved.type;
  const version = a.target.resolved.version.name;
  const requestedVersion = requested.target.resolved.version.name;
  const request: Record<string, unknown> = {
    uid,
    kind: { group: type.group, version, kind: type.kind },
    resource: { group: type.group, version, resource: type.plural },
    requestKind: { group: type.group, version: requestedVersion, kind: type.kind },
    requestResource: { group: type.group, version: requestedVersion, resource: type.plural },
    name: a.name,
    operation: a.operation,
    userInfo: { username, groups: ['system:masters', 'system:authenticated'] },
    object: a.object ?? null,
    oldObject: a.oldObject ?? null,
    dryRun: a.dryRun,
    options: {
      kind: a.operation === 'CREATE' ? 'CreateOptions' : a.operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions',
      apiVersion: 'meta.k8s.io/v1',
    },
  };
  if (a.target.subresource) request['subResource'] = a.target.subresource;
  if (type.namespaced) request['namespace'] = a.target.namespace;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

function postJson(url: URL, body: string, ca: string | undefined, servername: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || 443,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
        // SNI carries host names only (RFC 6066); for an IP address the certificate's IP SAN is checked.
        ...(isIP(servername.replace(/^\[|\]$/g, '')) ? {} : { servername }),
        timeout: timeoutMs,
        ...(ca ? { ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if ((res.statusCode ?? 0) >= 300) return reject(new Error(`expected response code 200, got ${res.statusCode}: ${text.slice(0, 200)}`));
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new Error(`received invalid webhook response: ${text.slice(0, 200)}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The default resolver: the first address and port of the Service's EndpointSlices, or its Endpoints. */
export function endpointResolver(api: KubeApi): ServiceResolver {
  return (namespace, name) => {
    for (const stored of api.store.list('endpointslices.discovery.k8s.io', `${namespace}/`)) {
      if (stored.labels?.['kubernetes.io/service-name'] !== name) continue;
      const slice = JSON.parse(stored.json) as { endpoints?: Array<{ addresses?: string[] }>; ports?: Array<{ port?: number }> };
      const host = slice.endpoints?.[0]?.addresses?.[0];
      const port = slice.ports?.[0]?.port;
      if (host && port) return { host, port };
    }
    const ep = api.store.get('endpoints', `${namespace}/${name}`);
    if (ep) {
      const e = JSON.parse(ep.json) as { subsets?: Array<{ addresses?: Array<{ ip?: string }>; ports?: Array<{ port?: number }> }> };
      const host = e.subsets?.[0]?.addresses?.[0]?.ip;
      const port = e.subsets?.[0]?.ports?.[0]?.port;
      if (host && port) return { host, port };
    }
    return undefined;
  };
}

export interface AdmissionOptions {
  readonly resolveService: ServiceResolver;
  readonly username?: string;
}

/** The Admit function the HTTP adapter passes to every write. */
export function validatingWebhooks(api: KubeApi, options: AdmissionOptions): Admit {
  return async (a) => {
    const calls: Array<[ValidatingWebhook, AdmissionAttributes]> = [];
    for (const stored of api.store.list('validatingwebhookconfigurations.admissionregistration.k8s.io')) {
      const config = JSON.parse(stored.json) as { webhooks?: ValidatingWebhook[] };
      for (const hook of config.webhooks ?? []) {
        const seen = inMatchingVersion(hook, a);
        if (seen && webhookApplies(hook, seen)) calls.push([hook, seen]);
      }
    }
    // The real server calls matching validating webhooks in parallel; any denial wins.
    await Promise.all(calls.map(([hook, seen]) => callWebhook(hook, seen, a, options)));
  };
}

async function callWebhook(hook: ValidatingWebhook, a: AdmissionAttributes, requested: AdmissionAttributes, options: AdmissionOptions): Promise<void> {
  const failOpen = hook.failurePolicy === 'Ignore';
  const uid = randomUUID();
  let verdict: { allowed?: boolean; uid?: string; status?: { code?: number; message?: string; reason?: string } };
  try {
    const cc = hook.clientConfig ?? {};
    let url: URL;
    let servername: string;
    if (cc.url) {
      url = new URL(cc.url);
      servername = url.hostname;
    } else if (cc.service) {
      const s = cc.service;
      const port = s.port ?? 443;
      const where = options.resolveService(s.namespace, s.name, port);
      if (!where) throw new Error(`service "${s.name}" has no endpoints (namespace "${s.namespace}")`);
      const host = where.host.includes(':') ? `[${where.host}]` : where.host;
      url = new URL(`https://${host}:${where.port}${s.path ?? '/'}`);
      servername = `${s.name}.${s.namespace}.svc`;
    } else throw new Error('webhook has neither url nor service');
    const ca = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString() : undefined;
    const body = JSON.stringify(admissionReview(a, uid, options.username ?? 'kube-sim-admin', requested));
    const reply = await postJson(url, body, ca, servername, (hook.timeoutSeconds ?? 10) * 1000);
    const response = isObject(reply) ? reply['response'] : undefined;
    if (!isObject(response)) throw new Error('webhook response was absent');
    verdict = response as typeof verdict;
    if (verdict.uid !== uid) throw new Error(`expected response.uid="${uid}", got "${String(verdict.uid)}"`);
  } catch (err) {
    if (failOpen) return;
    const why = err instanceof Error ? err.message : String(err);
    throw internalError(`failed calling webhook "${hook.name}": failed to call webhook: ${why}`);
  }
  if (verdict.allowed !== true) throw webhookDenied(hook.name, verdict.status);
}

