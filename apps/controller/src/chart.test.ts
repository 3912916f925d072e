import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseOptions } from './cli.js';
import { validationPaths } from './webhook.js';

const root = join(import.meta.dirname, '..', '..', '..');
const helm = join(root, '.bin', 'helm');

interface Rendered {
  kind: string;
  metadata: { name: string };
  spec?: { template?: { spec?: { containers?: Array<{ args?: string[] }> } } };
  webhooks?: Array<{ clientConfig: { service?: { path?: string } } }>;
}

function render(...values: string[]): Rendered[] {
  if (!existsSync(helm)) throw new Error(`${helm} is missing: run tools/bootstrap.sh (it fetches helm v4)`);
  const out = execFileSync(helm, ['template', 'lb', join(root, 'charts', 'lb'), '-n', 'metallb-system', ...values.flatMap((v) => ['--set', v])], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJSON() as Rendered).filter(Boolean);
}

describe('the chart and the controller agree', () => {
  it('serves the webhook at exactly the paths the controller answers', () => {
    const config = render().find((o) => o.kind === 'ValidatingWebhookConfiguration');
    expect(config?.metadata.name).toBe('metallb-webhook-configuration');
    expect(config?.webhooks?.map((w) => w.clientConfig.service?.path).sort()).toEqual(validationPaths().map((p) => p.path).sort());
  });

  it.each([[], ['controller.replicas=1', 'webhook.enabled=false'], ['loadBalancerClass=metallb', 'webhook.certSecret=my-cert']])(
    'passes the controller flags it understands (%s)',
    async (...values: string[]) => {
      const deployment = render(...values).find((o) => o.kind === 'Deployment');
      const args = deployment?.spec?.template?.spec?.containers?.[0]?.args ?? [];
      expect(args.length).toBeGreaterThan(0);
      const options = await parseOptions(args);
      expect(options.namespaces).toEqual(['metallb-system']);
      expect(options.leaderElect).toBe(!values.includes('controller.replicas=1'));
    },
  );
});
