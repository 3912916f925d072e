// What changes on the wire when a decision replaces the previous one: the process calls
// Responder.announce for `announce` (a new owner sends its gratuitous ARP / unsolicited NA at once)
// and Responder.withdraw for `withdraw`.
import { type Announcement, type L2Decision } from './elect.js';

export interface AnnouncementDiff {
  /** New addresses, and addresses whose interfaces changed. */
  readonly announce: readonly Announcement[];
  readonly withdraw: readonly string[];
}

export function announcementDiff(previous: L2Decision | undefined, next: L2Decision): AnnouncementDiff {
  const before = new Map((previous?.announcements ?? []).map((a) => [a.ip, a]));
  const after = new Map(next.announcements.map((a) => [a.ip, a]));
  const announce = next.announcements.filter((a) => {
    const old = before.get(a.ip);
    return !old || old.interfaces.join(',') !== a.interfaces.join(',');
  });
  const withdraw = [...before.keys()].filter((ip) => !after.has(ip));
  return { announce, withdraw };
}
