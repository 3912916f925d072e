// Install script: compiles the addon with the node-gyp bundled in npm. Debian's nodejs package puts
// the Node headers in /usr/include/node; pointing node-gyp there avoids a header download (these
// machines reach only the package registries). Linux only (package.json "os"); when the build
// fails, npm drops this optional package and @lb/arp answers ARP through libpcap instead.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const args = ['rebuild'];
if (!process.env['npm_config_nodedir'] && existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr');
execFileSync('node-gyp', args, { stdio: 'inherit' });
