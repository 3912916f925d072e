// The human form of a Plan: what would lose, change, gain; where announcements would move.
import { type Plan, type ServiceChange } from './plan.js';
import { section, table } from './output.js';

const addresses = (list: readonly string[]): string => list.join(', ') || '<none>';

export function renderPlan(plan: Plan): string {
  if (plan.errors.length > 0) {
    return `The new configuration is invalid; the webhook would refuse it and nothing would change:\n${plan.errors.map((e) => `  ${e}`).join('\n')}\n`;
  }
  const out: string[] = [];
  const rows = (list: readonly ServiceChange[], describe: (c: ServiceChange) => string): string => table(list.map((c) => [c.service, describe(c)]));
  out.push(section(`Would LOSE their addresses (${plan.lose.length}):`, rows(plan.lose, (c) => `${addresses(c.before)} (pool ${c.poolBefore ?? '?'}): ${c.reason ?? ''}`)));
  out.push(section(`Would get OTHER addresses (${plan.change.length}):`, rows(plan.change, (c) => `${addresses(c.before)} -> ${addresses(c.after)} (pool ${c.poolAfter ?? '?'})`)));
  out.push(section(`Would GET addresses (${plan.gain.length}):`, rows(plan.gain, (c) => `${addresses(c.after)} from pool ${c.poolAfter ?? '?'}`)));
  out.push(section(`Would keep their addresses under another pool name (${plan.repool.length}):`, rows(plan.repool, (c) => `${c.poolBefore ?? '?'} -> ${c.poolAfter ?? '?'}`)));
  out.push(section(`Would stay pending (${plan.stillPending.length}):`, rows(plan.stillPending, (c) => c.reason ?? '')));
  out.push(
    section(
      `Announcements that would move (${plan.moves.length}):`,
      table(
        plan.moves.map((m) => [
          m.service,
          m.protocol,
          `nodes ${m.nodesBefore.join(',') || '<none>'} -> ${m.nodesAfter.join(',') || '<none>'}${m.announcersLost.length > 0 ? `; ${m.announcersLost.join(', ')} would stop announcing it` : ''}`,
        ]),
      ),
    ),
  );
  for (const w of plan.warnings) out.push(`warning: ${w}\n`);
  const changed = plan.lose.length + plan.change.length + plan.gain.length + plan.repool.length + plan.moves.length;
  out.push(changed === 0 ? `No Service would change (${plan.unchanged} unchanged).\n` : `${plan.unchanged} Service(s) unchanged.\n`);
  return out.filter(Boolean).join('\n');
}
