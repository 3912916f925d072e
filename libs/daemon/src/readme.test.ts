import { resolve } from 'node:path';
import { readmeSuite } from '@lb/testdata/readme-suite';

readmeSuite(resolve(import.meta.dirname, '..'));
