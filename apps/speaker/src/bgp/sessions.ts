// The session a compiled BGPPeer asks this node to open, with every setting resolved (the password
// read from its Secret), or the settings this speaker cannot honour, so that the process reports
// them in the status and an Event instead of opening a session that is not what was asked.
import { type CompiledBfdProfile, type CompiledPeer, type SecretObject } from '@lb/config-schema';
import { ipFamily, type IpFamily } from '@lb/ip';

export interface PeerSession {
  readonly myASN: number;
  /** The peer's AS (dynamicASN internal resolves to myASN). */
  readonly peerASN: number;
  readonly internal: boolean;
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly sourceAddress: string | undefined;
  readonly routerID: string | undefined;
  /** Whole seconds, as compile() worked them out (0: no hold timer). */
  readonly holdTime: number;
  readonly keepaliveTime: number;
  /** Seconds between connection attempts; undefined leaves the session's default. */
  readonly connectTime: number | undefined;
  readonly ebgpMultiHop: boolean;
  /** TCP MD5 password, resolved from the peer or its Secret. */
  readonly password: string | undefined;
  readonly bfdProfile: CompiledBfdProfile | undefined;
  readonly enableGracefulRestart: boolean;
  /** Families carried: the peer address's, both with dualStackAddressFamily (as MetalLB's FRR mode). */
  readonly families: readonly IpFamily[];
}

export type PeerSessionResult = { readonly ok: true; readonly value: PeerSession } | { readonly ok: false; readonly error: PeerSessionError };

/** Why a peer's session is not opened: every setting that cannot be honoured, each naming its field. */
export interface PeerSessionError {
  readonly kind: 'unsupported-peer' | 'missing-secret';
  readonly message: string;
  readonly issues: readonly string[];
}

/** Secrets by `namespace/name`. */
export type SecretIndex = ReadonlyMap<string, SecretObject>;

export function secretIndex(secrets: readonly SecretObject[]): SecretIndex {
  return new Map(secrets.map((s) => [`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`, s]));
}

export function peerSession(peer: CompiledPeer, secrets: SecretIndex): PeerSessionResult {
  const unsupported: string[] = [];
  if (peer.vrf !== '') unsupported.push(`spec.vrf: VRF '${peer.vrf}' is not supported by this speaker; the session is not opened`);
  if (peer.interface !== undefined) unsupported.push(`spec.interface: unnumbered sessions (interface '${peer.interface}') are not supported; set peerAddress`);
  if (peer.dynamicASN === 'external') unsupported.push("spec.dynamicASN: 'external' (accept any external AS) is not supported; set peerASN");
  if (peer.localASN !== undefined && peer.localASN !== peer.myASN) unsupported.push(`spec.localASN: ${peer.localASN} (local-as) is not supported; set myASN`);
  if (unsupported.length > 0) return failure('unsupported-peer', peer, unsupported);
  const password = passwordOf(peer, secrets);
  if (typeof password === 'object') return failure('missing-secret', peer, [password.problem]);
  const peerAddress = peer.address as string;
  const family = ipFamily(peerAddress) as IpFamily;
  return {
    ok: true,
    value: {
      myASN: peer.myASN,
      peerASN: peer.peerASN ?? peer.myASN,
      internal: peer.internal,
      peerAddress,
      peerPort: peer.port,
      sourceAddress: peer.sourceAddress,
      routerID: peer.routerID,
      holdTime: peer.holdTime,
      keepaliveTime: peer.keepaliveTime,
      connectTime: peer.connectTime,
      ebgpMultiHop: peer.ebgpMultiHop,
      password,
      bfdProfile: peer.bfdProfile,
      enableGracefulRestart: peer.enableGracefulRestart,
      families: peer.dualStackAddressFamily ? ['IPv4', 'IPv6'] : [family],
    },
  };
}

function failure(kind: PeerSessionError['kind'], peer: CompiledPeer, issues: string[]): PeerSessionResult {
  return { ok: false, error: { kind, message: `BGPPeer ${peer.name}: ${issues.join('; ')}`, issues } };
}

function passwordOf(peer: CompiledPeer, secrets: SecretIndex): string | undefined | { problem: string } {
  if (peer.password !== undefined) return peer.password;
  const ref = peer.passwordSecret;
  if (ref === undefined) return undefined;
  if (peer.secretPassword !== undefined) return peer.secretPassword;
  const secret = secrets.get(`${ref.namespace}/${ref.name}`);
  const where = `spec.passwordSecret: Secret ${ref.namespace}/${ref.name}`;
  if (!secret) return { problem: `${where} does not exist (or is not readable); the session waits for it` };
  if (secret.type !== 'kubernetes.io/basic-auth') return { problem: `${where} has type '${secret.type ?? 'Opaque'}'; it must be kubernetes.io/basic-auth` };
  const text = secret.stringData?.['password'] ?? (secret.data?.['password'] === undefined ? undefined : Buffer.from(secret.data['password'], 'base64').toString('utf8'));
  if (text === undefined || text === '') return { problem: `${where} has no 'password' key` };
  return text;
}

/** Two sessions with equal keys need no reset to go from one to the other. */
export function sessionKey(session: PeerSession): string {
  return JSON.stringify(session);
}
