// A relative path into another package instead of its name.
import { parseIp } from '../../../../libs/ip/src/index.js';

export const parse = parseIp;
