// What a Kubernetes API request asks RBAC for (its request attributes, as kube-apiserver's
// RequestInfoFactory derives them from method and path), and whether a set of rules grants it.

export interface RequestAttributes {
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
}

export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

const METHOD_VERBS: Readonly<Record<string, string>> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete', GET: 'get', HEAD: 'get' };

/** The attributes of a resource request; undefined for discovery and other non-resource paths. */
export function requestAttributes(method: string, url: string): RequestAttributes | undefined {
  const parsed = new URL(url, 'http://x');
  const parts = parsed.pathname.split('/').filter(Boolean);
  let rest: string[];
  let apiGroup: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    apiGroup = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    apiGroup = parts[1] as string;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace = '';
  // /namespaces/{ns}/{resource}/... is namespaced; /namespaces and /namespaces/{name}[/status] are the Namespace kind.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1] as string;
    rest = rest.slice(2);
  }
  const [resource = '', name = '', subresource = ''] = rest;
  let verb = METHOD_VERBS[method.toUpperCase()] ?? method.toLowerCase();
  const watch = parsed.searchParams.get('watch');
  if (verb === 'get' && name === '') verb = watch === 'true' || watch === '1' ? 'watch' : 'list';
  if (verb === 'delete' && name === '') verb = 'deletecollection';
  // A list or watch of one object by field selector is authorized against that name.
  const byName = /^metadata\.name=([^,]+)$/.exec(parsed.searchParams.get('fieldSelector') ?? '')?.[1];
  return { verb, apiGroup, resource, subresource, namespace, name: name || (byName ?? '') };
}

/** The first rule granting the request, or undefined. */
export function grantingRule(rules: readonly PolicyRule[], a: RequestAttributes): PolicyRule | undefined {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return rules.find(
    (r) =>
      (r.verbs.includes(a.verb) || r.verbs.includes('*')) &&
      (r.apiGroups ?? []).some((g) => g === a.apiGroup || g === '*') &&
      (r.resources ?? []).some((x) => x === resource || x === '*' || (a.subresource !== '' && x === `*/${a.subresource}`)) &&
      (!r.resourceNames || r.resourceNames.length === 0 || r.resourceNames.includes(a.name)),
  );
}

/** "verb group/resource[/sub] ns/name", for messages. */
export function describeRequest(a: RequestAttributes): string {
  const resource = `${a.apiGroup || 'core'}/${a.resource}${a.subresource ? `/${a.subresource}` : ''}`;
  return `${a.verb} ${resource}${a.namespace || a.name ? ` ${a.namespace ? `${a.namespace}/` : ''}${a.name}` : ''}`;
}
