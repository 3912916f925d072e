// Allowed everywhere: libraries import libraries.
import { parseIp } from '@lb/ip';

export const parse = parseIp;
