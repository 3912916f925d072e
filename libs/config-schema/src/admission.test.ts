import { describe, expect, it } from 'vitest';
import { bfd, bgp, peer, pool } from '../test/helpers.js';
import { validateAdmission } from './admission.js';

describe('validateAdmission', () => {
  const existing = [pool('a', ['10.0.0.0/24']), bfd('fast'), peer('r', { bfdProfile: 'fast' })];

  it('lets a good object in', () => {
    expect(validateAdmission({ operation: 'CREATE', object: pool('b', ['10.0.1.0/24']), existing })).toEqual({ allowed: true, message: '', errors: [], warnings: [] });
  });

  it('refuses a create that clashes with the configuration, saying why', () => {
    const result = validateAdmission({ operation: 'CREATE', object: pool('b', ['10.0.0.128/25']), existing });
    expect(result.allowed).toBe(false);
    expect(result.message).toBe('IPAddressPool metallb-system/b: spec.addresses[0]: 10.0.0.128/25 overlaps 10.0.0.0/24 of IPAddressPool metallb-system/a');
  });

  it("refuses seed 001's reversed range, which the CRD schema alone lets in", () => {
    const result = validateAdmission({ operation: 'CREATE', object: pool('cheap', ['172.16.16.150-172.16.16.20']), existing });
    expect(result.message).toBe("IPAddressPool metallb-system/cheap: spec.addresses[0]: range '172.16.16.150-172.16.16.20' starts after it ends (172.16.16.150 > 172.16.16.20)");
  });

  it('refuses an object that is wrong on its own', () => {
    const result = validateAdmission({ operation: 'CREATE', object: pool('b', ['10.0.1.0/24'], { autoAssign: 'yes' }), existing });
    expect(result.message).toBe('IPAddressPool metallb-system/b: spec.autoAssign: must be a boolean, got the string "yes"');
  });

  it('checks an update against the other objects, not against its old self', () => {
    const result = validateAdmission({ operation: 'UPDATE', object: pool('a', ['10.0.0.0/23']), oldObject: existing[0], existing });
    expect(result.allowed).toBe(true);
  });

  it('refuses an immutable field changing', () => {
    const before = peer('g', { peerAddress: '172.30.0.9', enableGracefulRestart: true });
    const result = validateAdmission({ operation: 'UPDATE', object: peer('g', { peerAddress: '172.30.0.9', enableGracefulRestart: false }), oldObject: before, existing: [...existing, before] });
    expect(result.message).toMatch(/spec.enableGracefulRestart: enableGracefulRestart cannot be changed/);
  });

  it('lets in what another object may still fix, with a warning', () => {
    const result = validateAdmission({ operation: 'CREATE', object: bgp('x', { communities: ['NO_EXPORT'] }), existing });
    expect(result.allowed).toBe(true);
    expect(result.warnings).toEqual(["BGPAdvertisement metallb-system/x: spec.communities[0]: 'NO_EXPORT' is not a community value nor an alias defined by a Community resource"]);
  });

  it('does not hold old mistakes against an unrelated change', () => {
    const broken = [...existing, pool('bad', ['10.9.0.9-10.9.0.1'])];
    expect(validateAdmission({ operation: 'CREATE', object: pool('b', ['10.0.1.0/24']), existing: broken }).allowed).toBe(true);
  });

  it('refuses deleting a BFDProfile a peer uses, as MetalLB does', () => {
    const result = validateAdmission({ operation: 'DELETE', oldObject: existing[1], existing });
    expect(result.message).toBe('BFDProfile metallb-system/fast: cannot delete: BGPPeer metallb-system/r uses this profile');
    expect(validateAdmission({ operation: 'DELETE', oldObject: existing[0], existing }).allowed).toBe(true);
  });

  it('does not judge kinds that are not ours', () => {
    expect(validateAdmission({ operation: 'CREATE', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, existing }).allowed).toBe(true);
  });
});
