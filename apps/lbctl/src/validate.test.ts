import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInputs } from './inputs.js';
import { formatLocated, renderValidation, validateDocuments } from './validate.js';
import * as f from '../test/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lbctl-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('validateDocuments', () => {
  const good = write('good.yaml', 'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: p\n  namespace: metallb-system\nspec:\n  addresses: [10.0.0.0/24]\n');
  const bad = write(
    'bad.yaml',
    [
      'apiVersion: metallb.io/v1beta1',
      'kind: IPAddressPool',
      'metadata:',
      '  name: q',
      '  namespace: metallb-system',
      'spec:',
      '  addresses:',
      '  - 10.0.0.9-10.0.0.1',
      '---',
      'apiVersion: metallb.io/v1beta1',
      'kind: L2Advertisement',
      'metadata:',
      '  name: l',
      '  namespace: metallb-system',
      'spec:',
      '  ipAddressPools: [nope]',
      '  bogus: 1',
      '',
    ].join('\n'),
  );

  it('accepts a valid file', () => {
    const read = readInputs([good]);
    const report = validateDocuments({ documents: read.documents });
    expect(report.valid).toBe(true);
    expect(renderValidation(report)).toBe('1 object(s): valid\n');
  });

  it('reports every error at once, each at its file:line:col', () => {
    const read = readInputs([dir]);
    const report = validateDocuments({ documents: read.documents, readIssues: read.issues });
    expect(report.valid).toBe(false);
    const lines = report.errors.map(formatLocated);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => l.startsWith(`${bad}:8:5: error: IPAddressPool metallb-system/q: spec.addresses[0]`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${bad}:17:10: error: L2Advertisement metallb-system/l: spec.bogus`))).toBe(true);
  });

  it('reports unreadable paths and malformed YAML with the rest', () => {
    const broken = write('broken.yml', 'kind: [unclosed\n');
    const read = readInputs([join(dir, 'missing.yaml'), broken]);
    const report = validateDocuments({ documents: read.documents, readIssues: read.issues });
    const text = renderValidation(report);
    expect(text).toMatch(/missing\.yaml:1:1: error: cannot read .*no such file or directory/);
    expect(text).toMatch(/broken\.yml:\d+:\d+: error:/);
    rmSync(broken);
  });

  it('reads stdin for -', () => {
    const read = readInputs(['-'], () => 'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: s, namespace: metallb-system}\nspec: {addresses: [10.1.0.0/24]}\n');
    expect(read.documents).toHaveLength(1);
    expect(read.documents[0]?.source.file).toBe('<stdin>');
  });

  it('with the live configuration, checks the files applied on top of it', () => {
    const live = [f.pool('live', ['10.0.0.0/24']) as never];
    const read = readInputs([good]);
    const report = validateDocuments({ documents: read.documents, live });
    expect(report.valid).toBe(false);
    expect(report.errors.map(formatLocated).join('\n')).toMatch(/overlap/);
  });
});
