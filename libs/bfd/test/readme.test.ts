// The README's example, extracted and run as written in a namespace of its own (it binds
// 127.0.0.1:3784 and 127.0.0.2:3784, which must not collide with anything on the host).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Lab, requireNetworkLab } from '@lb/netlab';

describe('README example', () => {
  it('runs as written', { timeout: 30_000 }, async () => {
    requireNetworkLab();
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const code = /## Example[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const dir = new URL('../tmp/', import.meta.url).pathname;
    mkdirSync(dir, { recursive: true });
    const file = `${dir}readme-example.ts`;
    writeFileSync(file, code as string);
    const lab = new Lab('bfre');
    try {
      const ns = lab.namespace('ex');
      const output = lab.ns(ns, process.execPath, ['--import', 'tsx', '--conditions=development', file], { timeoutMs: 20_000 }).stdout;
      expect(output).toContain('BFD up: single-hop 127.0.0.1 -> 127.0.0.2');
      expect(output).toContain('detection time 900 ms');
      expect(output).toContain('BFD down: single-hop 127.0.0.1 -> 127.0.0.2: administratively disabled here (diagnostic 7: administratively down)');
    } finally {
      await lab.cleanup();
    }
  });
});
