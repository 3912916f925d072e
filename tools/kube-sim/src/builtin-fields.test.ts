import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { generate, render } from '../scripts/generate-builtin-fields.mjs';

describe('builtin-fields.ts', () => {
  it('is what scripts/generate-builtin-fields.mjs makes from the installed @kubernetes/client-node', () => {
    const committed = readFileSync(join(import.meta.dirname, 'builtin-fields.ts'), 'utf8');
    expect(committed).toBe((render as (t: unknown) => string)((generate as () => unknown)()));
  });
});
