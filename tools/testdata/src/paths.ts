import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository's root. */
export const workspaceRoot = resolve(import.meta.dirname, '..', '..', '..');

const vendored = join(import.meta.dirname, '..', 'data');

/**
 * Where the shared test data is: $LB_SHARED_DIR when set, else the `shared/` folder beside the
 * repository (the project's authoritative copy), else the snapshot vendored here, so that a clone
 * on a machine without `../shared` still runs every test. A test checks the snapshot against
 * `../shared` whenever both exist.
 */
export function sharedDir(): string {
  const fromEnv = process.env['LB_SHARED_DIR'];
  if (fromEnv) {
    if (!existsSync(join(fromEnv, 'vectors'))) throw new Error(`LB_SHARED_DIR=${fromEnv} has no vectors/ folder`);
    return fromEnv;
  }
  const beside = join(workspaceRoot, '..', 'shared');
  return existsSync(join(beside, 'vectors')) && existsSync(join(beside, 'reference')) ? beside : vendored;
}

/** The vendored snapshot (for the drift check). */
export const vendoredDir = vendored;

export const vectorsDir = (): string => join(sharedDir(), 'vectors');
export const metallbCrdsDir = (): string => join(sharedDir(), 'reference', 'metallb-crds');
export const metallbSamplesDir = (): string => join(sharedDir(), 'reference', 'metallb-configsamples');
export const seedsDir = (): string => join(sharedDir(), 'seeds');
