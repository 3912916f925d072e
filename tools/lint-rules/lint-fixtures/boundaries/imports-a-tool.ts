// Linted as if it were libs/<lib>/src/ (shipped code) and as if it were a test.
import { start } from '@lb/kube-sim';

export const sim = start;
