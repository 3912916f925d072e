// The kubeconfig clients load: one cluster (the server URL and, for HTTPS, the CA), one user with
// the bearer token, and a current context pointing at them.
import { stringify } from 'yaml';

export interface KubeconfigInput {
  readonly server: string;
  readonly token: string;
  readonly caPem?: string;
  readonly name?: string;
  readonly namespace?: string;
}

export function renderKubeconfig(k: KubeconfigInput): string {
  const name = k.name ?? 'kube-sim';
  const cluster: Record<string, string> = { server: k.server };
  if (k.caPem) cluster['certificate-authority-data'] = Buffer.from(k.caPem).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: { token: k.token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: k.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
