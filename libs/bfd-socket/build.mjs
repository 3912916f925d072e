// Install script: builds the addon with the node-gyp that npm provides. Debian's nodejs ships
// its headers in /usr/include/node, so point node-gyp there instead of letting it download them
// (machines here have no network but the registries). A failed build only drops this optional
// package; @lb/bfd then falls back to node:dgram and says which protection is lost.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const args = ['rebuild'];
if (!process.env['npm_config_nodedir'] && existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr');
execFileSync('node-gyp', args, { stdio: 'inherit' });
