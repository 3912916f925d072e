// helm lint on the chart, and the CRDs as helm installs them validated as Kubernetes objects.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { workspaceRoot } from './helpers.js';

const helm = join(workspaceRoot, '.bin', 'helm');
const chart = join(workspaceRoot, 'charts', 'lb');

function run(args: string[]): string {
  if (!existsSync(helm)) throw new Error(`helm is not at ${helm}: run tools/bootstrap.sh (npm test does) to fetch it`);
  return execFileSync(helm, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

describe('the lb chart', () => {
  it('passes helm lint --strict', () => {
    expect(run(['lint', '--strict', chart])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('renders CRDs and templates that validate as Kubernetes objects', () => {
    const rendered = run(['template', 'lb', chart, '--namespace', 'lb-system', '--include-crds']);
    const objects = parseAllDocuments(rendered).map((d) => d.toJS() as { kind?: string } | null).filter((o): o is { kind?: string } => o !== null);
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds).toHaveLength(11); // the generated ten and frr-k8s's BGPSessionState
    for (const crd of crds) expect(() => new CustomResourceDefinition(crd as ConstructorParameters<typeof CustomResourceDefinition>[0]).validate()).not.toThrow();
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount');
    expect(accounts).toHaveLength(2);
    for (const account of accounts) expect(() => new ServiceAccount(account as ConstructorParameters<typeof ServiceAccount>[0]).validate()).not.toThrow();
  });
});
