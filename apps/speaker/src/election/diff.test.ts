import { describe, expect, it } from 'vitest';
import { announcementDiff } from './diff.js';
import { type Announcement, type L2Decision } from './elect.js';

const decision = (...announcements: Announcement[]): L2Decision => ({ node: 'a', announcements, services: new Map() });
const a = (ip: string, interfaces: string[] = []): Announcement => ({ ip, interfaces, service: 'default/web' });

describe('announcementDiff', () => {
  const cases: Array<[string, L2Decision | undefined, L2Decision, { announce: Announcement[]; withdraw: string[] }]> = [
    ['from nothing', undefined, decision(a('10.0.0.1')), { announce: [a('10.0.0.1')], withdraw: [] }],
    ['unchanged', decision(a('10.0.0.1')), decision(a('10.0.0.1')), { announce: [], withdraw: [] }],
    ['one moved away, one arrived', decision(a('10.0.0.1')), decision(a('10.0.0.2')), { announce: [a('10.0.0.2')], withdraw: ['10.0.0.1'] }],
    ['interfaces changed', decision(a('10.0.0.1', ['eth0'])), decision(a('10.0.0.1', ['eth1'])), { announce: [a('10.0.0.1', ['eth1'])], withdraw: [] }],
  ];
  it.each(cases)('%s', (_name, before, after, expected) => expect(announcementDiff(before, after)).toEqual(expected));
});
