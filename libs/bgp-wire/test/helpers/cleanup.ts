import { afterEach } from 'vitest';
import { type SpeakerProcess } from './speaker.js';
import { type TwoNodes } from './topology.js';

/** What a test started: its namespaces (with every process in them) and our speaker processes. */
export interface Started {
  /** Registers `net` for removal; returns it. */
  track(net: TwoNodes): TwoNodes;
  readonly speakers: SpeakerProcess[];
}

/**
 * After each test, stops the speakers (so they say goodbye to their peers) and then removes the
 * lab, whether the test passed or not.
 */
export function cleanupAfterEach(): Started {
  let current: TwoNodes | undefined;
  const speakers: SpeakerProcess[] = [];
  afterEach(async () => {
    for (const s of speakers.splice(0)) await s.stop().catch(() => undefined);
    await current?.lab.cleanup();
    current = undefined;
  });
  return {
    track: (net) => (current = net),
    speakers,
  };
}
