import { describe, expect, it } from 'vitest';
import { podSecurityViolations, type PodSpec } from './pod-security.js';

const restrictedContainer = {
  name: 'app',
  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
};
const compliant: PodSpec = { securityContext: { runAsNonRoot: true, runAsUser: 65534 }, containers: [restrictedContainer] };

describe('podSecurityViolations', () => {
  it('accepts a restricted Pod', () => {
    expect(podSecurityViolations(compliant, 'restricted')).toEqual([]);
  });

  const cases: Array<[string, PodSpec, 'baseline' | 'restricted', string]> = [
    ['host network', { ...compliant, hostNetwork: true }, 'baseline', 'spec.hostNetwork'],
    ['hostPath', { ...compliant, volumes: [{ name: 'x', hostPath: { path: '/' } }] }, 'baseline', 'spec.volumes[0].hostPath'],
    ['NET_RAW in baseline', { containers: [{ name: 'app', securityContext: { capabilities: { add: ['NET_RAW'] } } }] }, 'baseline', 'NET_RAW is not allowed'],
    ['privileged', { containers: [{ name: 'app', securityContext: { privileged: true } }] }, 'baseline', 'privileged'],
    ['probe host', { containers: [{ name: 'app', livenessProbe: { httpGet: { host: '127.0.0.1' } } }] }, 'baseline', 'probe host'],
    ['escalation', { ...compliant, containers: [{ ...restrictedContainer, securityContext: { ...restrictedContainer.securityContext, allowPrivilegeEscalation: true } }] }, 'restricted', 'allowPrivilegeEscalation'],
    ['no drop ALL', { ...compliant, containers: [{ ...restrictedContainer, securityContext: { allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' } } }] }, 'restricted', 'drop: must include ALL'],
    ['root allowed', { containers: [restrictedContainer] }, 'restricted', 'runAsNonRoot'],
    ['no seccomp', { ...compliant, containers: [{ ...restrictedContainer, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] }, 'restricted', 'seccompProfile'],
    ['hostPort', { ...compliant, containers: [{ ...restrictedContainer, ports: [{ hostPort: 80 }] }] }, 'baseline', 'hostPort 80'],
    ['unsafe volume', { ...compliant, volumes: [{ name: 'x', nfs: {} }] }, 'restricted', 'nfs: volume type not allowed'],
  ];
  it.each(cases)('refuses %s', (_name, spec, level, expected) => {
    const violations = podSecurityViolations(spec, level);
    expect(violations.join('\n')).toContain(expected);
  });
  it('ran the table', () => expect(cases.length).toBeGreaterThan(0));
});
