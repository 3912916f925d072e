import { describe, expect, it } from 'vitest';
import { podmanArgs } from './podman-args.js';

describe('podmanArgs', () => {
  it('translates user, capabilities, escalation, read-only root, host network and env', () => {
    const result = podmanArgs(
      { hostNetwork: true, securityContext: { runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } } },
      {
        name: 'speaker',
        args: ['--log-level=info'],
        env: [{ name: 'A', value: '1' }, { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_RAW'] } },
      },
      { 'spec.nodeName': 'node-1' },
    );
    expect(result).toEqual({
      ok: true,
      value: {
        flags: ['--user=65534:65534', '--cap-drop=ALL', '--cap-add=NET_RAW', '--security-opt=no-new-privileges', '--read-only', '--network=host', '--env=A=1', '--env=NODE=node-1'],
        args: ['--log-level=info'],
      },
    });
  });
  it('refuses what it cannot reproduce, naming it', () => {
    expect(podmanArgs({}, { name: 'c', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] }, {})).toEqual({ ok: false, error: 'container c: env X needs status.podIP, not given' });
    expect(podmanArgs({}, { name: 'c', securityContext: { privileged: true } }, {}).ok).toBe(false);
    expect(podmanArgs({}, { name: 'c', securityContext: { seccompProfile: { type: 'Unconfined' } } }, {}).ok).toBe(false);
  });
});
