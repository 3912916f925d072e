// The measurements the benchmark reports and the unit test checks at small sizes: traffic per
// member in steady state, how long a death takes to be declared and known by all, the burst a death
// causes, and false positives under loss and under random stalls.
import { seededRandom } from '../random.js';
import { SimulatedCluster, type ClusterOptions, type ObservedChange } from './cluster.js';

/** Long enough for every member to join and leave its start-up hold-down (5 s). */
export const SETTLE_MS = 6_000;

/** Per running member, per second. */
export interface Traffic {
  readonly sentPackets: number[];
  readonly receivedPackets: number[];
  readonly sentBytes: number[];
  readonly receivedBytes: number[];
}

export function startCluster(options: ClusterOptions): SimulatedCluster {
  const cluster = new SimulatedCluster(options);
  cluster.runUntil(SETTLE_MS);
  return cluster;
}

/** Per-member rates (per second) over `ms` of simulated time, across running members. */
export function measureTraffic(cluster: SimulatedCluster, ms: number): Traffic {
  cluster.resetStats();
  cluster.runFor(ms);
  const running = cluster.names().filter((n) => cluster.state(n) === 'running');
  const per = (pick: (s: ReturnType<SimulatedCluster['stats']>) => number) => running.map((n) => (pick(cluster.stats(n)) * 1000) / ms);
  return {
    sentPackets: per((s) => s.sent),
    receivedPackets: per((s) => s.received),
    sentBytes: per((s) => s.sentBytes),
    receivedBytes: per((s) => s.receivedBytes),
  };
}

export interface Detection {
  /** Kill → first member declares it dead (ms), per trial. */
  readonly firstDeclared: number[];
  /** Kill → every survivor knows (ms), per trial. */
  readonly allKnow: number[];
  /** Datagrams sent and received by the busiest member in the second after the kill, per trial. */
  readonly burstSent: number[];
  readonly burstReceived: number[];
  /** In the second after the member restarts: datagrams it sent (its join), and the busiest other's. */
  readonly restartJoinerSent: number[];
  readonly restartBusiestOtherSent: number[];
  readonly restartBusiestReceived: number[];
  /** Deaths declared of members that were not killed. */
  readonly falsePositives: number;
}

/**
 * Kills a random member `trials` times, each at a random moment, measures, restarts it (a new
 * process) and lets the cluster settle before the next trial.
 */
export function killTrials(cluster: SimulatedCluster, trials: number, seed: number): Detection {
  const random = seededRandom(seed);
  const deaths: ObservedChange[] = [];
  cluster.onChange((c) => {
    if (c.change.kind === 'dead') deaths.push(c);
  });
  const result: { -readonly [K in keyof Detection]: Detection[K] } = {
    firstDeclared: [],
    allKnow: [],
    burstSent: [],
    burstReceived: [],
    restartJoinerSent: [],
    restartBusiestOtherSent: [],
    restartBusiestReceived: [],
    falsePositives: 0,
  };
  const names = cluster.names();
  for (let trial = 0; trial < trials; trial++) {
    cluster.runFor(random() * 100);
    const victim = names[Math.floor(random() * names.length)] as string;
    deaths.length = 0;
    cluster.resetStats();
    const killedAt = cluster.now;
    cluster.kill(victim);
    cluster.runFor(1_000);
    const survivors = names.filter((n) => n !== victim && cluster.state(n) === 'running');
    result.burstSent.push(Math.max(...survivors.map((n) => cluster.stats(n).sent)));
    result.burstReceived.push(Math.max(...survivors.map((n) => cluster.stats(n).received)));
    cluster.runFor(1_000);
    const ofVictim = deaths.filter((d) => d.change.kind === 'dead' && d.change.member === victim);
    result.falsePositives += deaths.length - ofVictim.length;
    const knowing = new Set(ofVictim.map((d) => d.node));
    if (ofVictim.length > 0) result.firstDeclared.push(Math.min(...ofVictim.map((d) => d.at)) - killedAt);
    result.allKnow.push(survivors.every((n) => knowing.has(n)) ? Math.max(...ofVictim.map((d) => d.at)) - killedAt : Number.POSITIVE_INFINITY);
    cluster.resetStats();
    cluster.restart(victim);
    cluster.runFor(1_000);
    const others = names.filter((n) => n !== victim && cluster.state(n) === 'running');
    result.restartJoinerSent.push(cluster.stats(victim).sent);
    result.restartBusiestOtherSent.push(Math.max(...others.map((n) => cluster.stats(n).sent)));
    result.restartBusiestReceived.push(Math.max(...names.map((n) => cluster.stats(n).received)));
  }
  return result;
}

/** Deaths declared while nobody died, over `ms` with `loss` of datagrams lost. */
export function falsePositivesUnderLoss(cluster: SimulatedCluster, loss: number, ms: number): number {
  let deaths = 0;
  cluster.onChange((c) => {
    if (c.change.kind === 'dead') deaths += 1;
  });
  const before = cluster.network.options;
  cluster.network.options = { ...before, loss };
  cluster.runFor(ms);
  cluster.network.options = before;
  return deaths;
}

/**
 * Deaths declared while members stall at random (each member, on average once per `everyMs`, for
 * a uniform 20..`maxPauseMs`), over `ms`.
 */
export function falsePositivesUnderStalls(cluster: SimulatedCluster, maxPauseMs: number, everyMs: number, ms: number, seed: number): { falsePositives: number; stalls: number } {
  const random = seededRandom(seed);
  let deaths = 0;
  cluster.onChange((c) => {
    if (c.change.kind === 'dead') deaths += 1;
  });
  const names = cluster.names();
  const step = 10;
  let stalls = 0;
  const end = cluster.now + ms;
  while (cluster.now < end) {
    cluster.runFor(step);
    for (const name of names) {
      if (random() < step / everyMs) {
        cluster.pause(name, 20 + random() * (maxPauseMs - 20));
        stalls += 1;
      }
    }
  }
  cluster.runFor(maxPauseMs + 1_000);
  return { falsePositives: deaths, stalls };
}

/** The longest single stall (of those tried) after which the stalled member is still alive to all. */
export function stallTolerance(options: ClusterOptions, pausesMs: readonly number[]): number {
  let tolerated = 0;
  for (const pause of pausesMs) {
    const cluster = startCluster(options);
    let declared = false;
    cluster.onChange((c) => {
      if (c.change.kind === 'dead') declared = true;
    });
    const victim = cluster.names()[0] as string;
    cluster.pause(victim, pause);
    cluster.runFor(pause + 1_000);
    if (declared) break;
    tolerated = pause;
  }
  return tolerated;
}
