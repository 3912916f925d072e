// The election: from the plan (API inputs) and the membership view, which addresses this node
// announces on which interfaces, and who owns every other address. Every node runs the same
// computation on the same inputs; no message per address is exchanged.
import { type MembershipView } from '../membership/types.js';
import { planL2, type ElectionInputs, type L2Plan, type ServicePlan } from './plan.js';
import { assignOwners, DEFAULT_LOAD_FACTOR, placeHomes } from './placement.js';
import { type NotAnnouncedReason } from './services.js';

export interface Announcement {
  readonly ip: string;
  /** Interfaces to answer on; empty: every interface (as @lb/arp's Responder.announce takes them). */
  readonly interfaces: readonly string[];
  readonly service: string;
}

export interface ServiceDecision {
  readonly key: string;
  readonly addresses: readonly string[];
  /** Address → the node that announces it, as this node computes it. */
  readonly owners: ReadonlyMap<string, string>;
  /** Why nobody announces it (or, with 'noLiveNode', nobody can right now). */
  readonly reason?: NotAnnouncedReason | 'noLiveNode';
}

export interface L2Decision {
  readonly node: string;
  /** What this node announces; empty while its membership is withdrawn. */
  readonly announcements: readonly Announcement[];
  readonly services: ReadonlyMap<string, ServiceDecision>;
}

/** Keeps the plan and the homes between decisions: membership changes only redo step 2. */
export class L2Election {
  private plan: L2Plan = { services: [], balls: [] };
  /** The plan's Services some node may announce: a decision walks only these (none in a BGP-only setup). */
  private announceable: readonly ServicePlan[] = [];
  private homes: Map<string, string> | undefined;
  private homesKnown: ReadonlySet<string> = new Set();

  constructor(
    readonly node: string,
    private readonly loadFactor = DEFAULT_LOAD_FACTOR,
  ) {}

  /** The API side changed (Services, endpoints, Nodes, configuration). */
  setInputs(inputs: ElectionInputs): void {
    this.plan = planL2(inputs);
    // No ball, nothing to announce: the plan's Services are not walked (in a BGP-only setup they are made only when read).
    this.announceable = this.plan.balls.length === 0 ? [] : this.plan.services.filter((s) => s.balls.length > 0);
    this.homes = undefined;
  }

  decide(view: MembershipView): L2Decision {
    if (!this.homes || !sameSet(this.homesKnown, view.known)) {
      this.homes = placeHomes(this.plan.balls, view.known, this.loadFactor);
      this.homesKnown = new Set(view.known);
    }
    const owners = assignOwners(this.plan.balls, this.homes, view);
    const plan = this.plan;
    const announcements: Announcement[] = [];
    if (!view.withdrawn) {
      for (const service of this.announceable) {
        service.balls.forEach((ball, i) => {
          const owner = owners.get(ball.key);
          if (owner !== this.node) return;
          const interfaces = service.interfaces.get(owner) ?? [];
          for (const ip of service.ballAddresses[i] ?? []) announcements.push({ ip, interfaces, service: service.key });
        });
      }
    }
    // Who owns every address of every Service: only tests and tools read it, so it is built when
    // first read rather than kept (a Map per Service) for 10,000 Services.
    let services: Map<string, ServiceDecision> | undefined;
    return {
      node: this.node,
      announcements,
      get services(): ReadonlyMap<string, ServiceDecision> {
        return (services ??= serviceDecisions(plan, owners));
      },
    };
  }
}

function serviceDecisions(plan: L2Plan, owners: ReadonlyMap<string, string>): Map<string, ServiceDecision> {
  const services = new Map<string, ServiceDecision>();
  for (const service of plan.services) {
    const serviceOwners = new Map<string, string>();
    service.balls.forEach((ball, i) => {
      const owner = owners.get(ball.key);
      if (owner === undefined) return;
      for (const ip of service.ballAddresses[i] ?? []) serviceOwners.set(ip, owner);
    });
    const reason = service.reason ?? (serviceOwners.size === 0 ? 'noLiveNode' : undefined);
    services.set(service.key, { key: service.key, addresses: service.addresses, owners: serviceOwners, ...(reason !== undefined ? { reason } : {}) });
  }
  return services;
}

/** One-shot election, for tests and tools. */
export function elect(node: string, inputs: ElectionInputs, view: MembershipView, loadFactor = DEFAULT_LOAD_FACTOR): L2Decision {
  const election = new L2Election(node, loadFactor);
  election.setInputs(inputs);
  return election.decide(view);
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
