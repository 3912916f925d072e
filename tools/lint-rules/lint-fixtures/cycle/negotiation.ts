import { type Family } from './types.js';

export interface Negotiated {
  readonly families: readonly Family[];
}
