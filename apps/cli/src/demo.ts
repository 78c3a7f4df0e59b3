/**
 * `outcomes demo`: a seeded synthetic authority appended to the configured database, the read
 * models caught up, the follow-up tick run as at the end date (when Redis answers), then the
 * outcomes tables of planned exits and of all who started, the attrition line, the cohort summary
 * and the start of the follow-up queue, as the API serves them.
 */
import { familyStreamId } from '@app/domain';
import { WrongExpectedRevisionError } from '@app/event-store';
import { listFollowUps, redisAddress } from '@app/follow-ups';
import {
  COHORT_NAMES,
  CohortKind,
  attrition,
  cohortSummary,
  domainRow,
  loadDefinitions,
  outcomeCounts,
} from '@app/outcomes';
import { familyStream, toNewEvents } from '@app/workload';
import { Ledger, withProjections } from './ledger';
import { Progress } from './progress';
import { pct, renderTable } from './tables';
import { followUpTick } from './tick';

export interface DemoOptions {
  families: number;
  seed: number;
  authority: string;
  /** The end of the three years of referrals, and the date the tick runs as at. */
  to: Date;
  concurrency: number;
  queueRows: number;
}

const YEAR_MS = 365 * 86_400_000;

export const DEMO_AUTHORITY = 'demo_la';

/**
 * The generator's seed: ids derive from it, so another authority must get other ids (or its
 * families would be the default demo's, refused as reused ids). The default keeps the plain seed,
 * so a database holding the default demo still sees a re-run as nothing new.
 */
export const demoSeed = (seed: number, authority: string): number | string =>
  authority === DEMO_AUTHORITY ? seed : `${seed}:${authority}`;

export async function runDemo(
  ledger: Ledger,
  options: DemoOptions,
  out: (text: string) => void,
): Promise<void> {
  const to = options.to.toISOString();
  const families = familyStream({
    seed: demoSeed(options.seed, options.authority),
    families: options.families,
    authorities: [options.authority],
    from: new Date(options.to.getTime() - 3 * YEAR_MS).toISOString(),
    to,
  });

  let appended = 0;
  let events = 0;
  const progress = new Progress('demo: append', options.families, 'families');
  const lane = async () => {
    for (let next = families.next(); !next.done; next = families.next()) {
      const family = next.value;
      const batch = toNewEvents(family);
      try {
        // The same options again append the same ids: the store takes that as a no-op.
        await ledger.store.append(familyStreamId(family.familyId), batch, {
          expectedRevision: 'no_stream',
        });
      } catch (e) {
        // A family already there with more events (e.g. its follow-ups recorded): leave it.
        if (!(e instanceof WrongExpectedRevisionError)) throw e;
      }
      events += batch.length;
      progress.update(++appended, appended);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  progress.finish(appended, `${events} events (those already stored are kept as they were)`);
  await ledger.store.analyze();

  const redisUrl = ledger.config.redisUrl;
  await withProjections(ledger, (caughtUp) => caughtUp(), 2000);
  if (await ledger.redis.answers(2000)) {
    const tick = await followUpTick(ledger, options.to);
    out(`Follow-up tick as at ${to}: ${JSON.stringify(tick)}\n`);
  } else {
    out(
      `Follow-up tick skipped: Redis is not reachable at ${redisAddress(redisUrl)} (set REDIS_URL).\n`,
    );
  }

  const definitions = loadDefinitions({ extraDir: ledger.config.outcomeDefinitionsDir });
  const filter = { authority: options.authority };
  // Both cohorts, always (as `GET /v1/outcomes` answers), each with its n.
  for (const kind of ['planned_exits', 'all_started'] as CohortKind[]) {
    const counts = await outcomeCounts(ledger.db, definitions, filter, kind);
    const rows = definitions.domains.map((d, i) => domainRow(d, counts.domains[i]));
    const name = COHORT_NAMES[kind].toLowerCase();
    out(`Outcomes, ${options.authority}, ${name} (${counts.families} families), as at ${to}\n`);
    out(
      renderTable(
        [
          'domain',
          'label',
          'n',
          'baseline',
          'exit',
          'change, baseline to exit',
          'McNemar p',
          'one year on (same families: baseline, exit, then)',
        ],
        rows.map((r) => [
          r.id,
          r.label,
          r.n,
          pct(r.baseline.pct),
          pct(r.exit.pct),
          r.change.text,
          r.change.mcnemarPText ?? '–',
          r.oneYearOn
            ? `n ${r.oneYearOn.n}: ${pct(r.oneYearOn.baseline.pct)}, ${pct(r.oneYearOn.exit.pct)}, ${pct(r.oneYearOn.oneYearOn.pct)}`
            : '–',
        ]),
      ) + '\n\n',
    );
  }
  const line = await attrition(ledger.db, filter);
  out(
    `Attrition: ${line.referred} referred → ${line.started} started → ${line.plannedExits} planned exits ` +
      `(not started: ${line.notStarted.total}; started, no planned exit: ${line.startedNoPlannedExit.total})\n\n`,
  );

  const s = await cohortSummary(ledger.db, filter);
  const a = s.accounting;
  out(`Cohort summary: ${s.referred} referred, ${s.offered} offered, ${s.accepted} accepted\n`);
  out(
    renderTable(
      ['where the referred families are', 'families'],
      [
        ['awaiting offer', a.awaitingOffer],
        ['awaiting decision', a.awaitingDecision],
        ['refused', a.refused.total],
        ['ongoing', a.ongoing],
        ['planned exits', a.plannedExits],
        ['other exits', a.otherExits.total],
        ['referred (total)', s.referred],
      ],
    ) + '\n\n',
  );

  const queue = await listFollowUps(
    ledger.db,
    { authority: options.authority },
    options.to,
    options.queueRows,
  );
  out(`Follow-up queue (first ${options.queueRows}, statuses as at ${to})\n`);
  out(
    renderTable(
      ['follow-up', 'family', 'exit', 'exited', 'due', 'status'],
      queue.items.map((f) => [
        f.followUpId,
        f.familyId,
        f.exitType,
        f.exitedAt.slice(0, 10),
        f.dueAt.slice(0, 10),
        f.status,
      ]),
    ) + '\n',
  );
}
