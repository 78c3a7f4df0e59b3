#!/usr/bin/env node
/**
 * `outcomes` — the operator's command line (`npx outcomes --help`, `npm run cli -- --help`).
 * Configuration from the environment, as for the worker (DATABASE_URL, DATABASE_SCHEMA,
 * REDIS_URL, FOLLOW_UP_QUEUE_PREFIX …). Results go to stdout, progress to stderr.
 */
import { Command } from 'commander';
import { date, onLedger, out, whole } from './command-support';
import { addCredentialCommands } from './credential-commands';
import { DEMO_AUTHORITY, runDemo } from './demo';
import { describeFailure } from './failure';
import { writeEnvFile } from './init';
import { importFile } from './import';
import { cliConfig } from './config';
import { formatOf } from './rows';
import { projectionNames, rebuild, selectProjections } from './rebuild';
import { followUpTick } from './tick';
import { generateReturn } from './return';
import { DEFAULT_SPEC, parsePeriod } from '@app/returns';
import { defaultRebuildWorkers } from '@app/projections';

const program = new Command('outcomes')
  .description('Outcomes Ledger operator commands')
  .showHelpAfterError()
  .configureOutput({ writeOut: out, writeErr: (text) => process.stderr.write(text) });

program
  .command('import')
  .description(
    "load historic records, one event a row (columns familyId, id?, type, occurredAt, data), with the API's validation; re-running a file stores nothing twice",
  )
  .argument(
    '<file>',
    'a .csv file (data as a JSON column) or a .ndjson file (one JSON object a line)',
  )
  .option('--rejects <path>', 'where bad rows are reported (default <file>.rejects.ndjson)')
  .option('--format <format>', 'csv or ndjson (default: from the file name)')
  .option('--batch <rows>', 'rows validated and recorded together', whole('--batch'), 1000)
  .option('--concurrency <families>', 'families recorded at once', whole('--concurrency'), 8)
  .option(
    '--analyze-after <events>',
    'run ANALYZE events when this many were stored',
    whole('--analyze-after', 0),
    10_000,
  )
  .action(
    async (
      file: string,
      o: {
        rejects?: string;
        format?: string;
        batch: number;
        concurrency: number;
        analyzeAfter: number;
      },
    ) => {
      const format = o.format ?? formatOf(file);
      if (format !== 'csv' && format !== 'ndjson') {
        return program.error(
          'import: say --format csv or --format ndjson (the file name does not tell)',
          {
            exitCode: 2,
          },
        );
      }
      const rejectsPath = o.rejects ?? `${file}.rejects.ndjson`;
      const counts = await onLedger((ledger) =>
        importFile(ledger, file, {
          format,
          rejectsPath,
          batchSize: o.batch,
          concurrency: o.concurrency,
          analyzeAfter: o.analyzeAfter,
        }),
      );
      out(
        `read ${counts.read}, stored ${counts.stored}, already stored ${counts.alreadyStored}, rejected ${counts.rejected}` +
          (counts.rejected ? ` (see ${rejectsPath})` : '') +
          '\n',
      );
    },
  );

program
  .command('demo')
  .description(
    'generate a seeded synthetic authority on the configured database, catch the read models up, run the follow-up tick, and print the outcomes table, cohort summary and follow-up queue',
  )
  .option('--families <n>', 'families to generate', whole('--families'), 3000)
  .option(
    '--seed <s>',
    'workload seed (the same seed gives the same families)',
    whole('--seed', 0),
    1,
  )
  .option('--authority <code>', 'authority code of the synthetic families', DEMO_AUTHORITY)
  .option(
    '--to <date>',
    'end of the three years of referrals; the tick runs as at this date',
    date,
    new Date('2026-06-30T00:00:00Z'),
  )
  .option('--queue <rows>', 'follow-up queue rows to print', whole('--queue'), 10)
  .action(
    async (o: { families: number; seed: number; authority: string; to: Date; queue: number }) => {
      await onLedger((ledger) =>
        runDemo(
          ledger,
          {
            families: o.families,
            seed: o.seed,
            authority: o.authority,
            to: o.to,
            concurrency: 8,
            queueRows: o.queue,
          },
          out,
        ),
      );
    },
  );

program
  .command('rebuild')
  .description(
    'replay projections from the start of the log into shadow tables and swap them in once caught up (readers and a running worker keep the live tables meanwhile)',
  )
  .argument(
    '[projection...]',
    `projections to rebuild (default all: ${projectionNames().join(', ')})`,
  )
  .option('--batch <events>', 'events applied in one transaction', whole('--batch'), 5000)
  .option(
    '--workers <threads>',
    'threads replaying stream ranges side by side (default REBUILD_WORKERS, else half the cores)',
    whole('--workers'),
  )
  .action(async (names: string[], o: { batch: number; workers?: number }) => {
    try {
      selectProjections(names); // an unknown name fails before connecting
    } catch (e) {
      return program.error(`rebuild: ${(e as Error).message}`, { exitCode: 2 });
    }
    let workers: number;
    try {
      workers = o.workers ?? cliConfig().projections.rebuildWorkers ?? defaultRebuildWorkers();
    } catch (e) {
      return program.error(`rebuild: ${(e as Error).message}`, { exitCode: 2 });
    }
    // Creates and swaps tables: the owner's work, never the service role's.
    const result = await onLedger(
      (ledger) => rebuild(ledger, names, { batchSize: o.batch, workers }),
      { owner: true },
    );
    out(
      `rebuilt ${result.projections.join(', ')}: ${result.events} events in ${result.seconds.toFixed(1)} s (${Math.round(result.events / Math.max(result.seconds, 0.001))} events/s), checkpoint ${result.position}\n`,
    );
  });

program
  .command('followups')
  .description('follow-up scheduler commands')
  .command('tick')
  .description(
    'run the follow-up scheduler once as at a date: schedule, cancel and raise due revisits (after catching the read models up)',
  )
  .requiredOption('--at <date>', 'the simulated date (ISO 8601)', date)
  .action(async (o: { at: Date }) => {
    const result = await onLedger((ledger) => followUpTick(ledger, o.at));
    out(`${JSON.stringify({ at: o.at.toISOString(), ...result })}\n`);
  });

addCredentialCommands(program);

program
  .command('init')
  .description(
    "write the env file docker/compose.yml reads, with fresh random secrets (POSTGRES_PASSWORD, the two database roles' passwords, AUTH_JWT_SECRET, PII_MASTER_KEY); never replaces one",
  )
  // Not --env-file: Node 20 takes that option for itself wherever it appears.
  .option('--file <file>', 'where to write it', 'docker/.env')
  .action((o: { file: string }) => {
    const names = writeEnvFile(o.file);
    out(`wrote ${names.join(', ')} to ${o.file} (mode 600); keep it and back it up\n`);
  });

program
  .command('return')
  .description(
    'build a national return for an authority and period as the records stand now (caught up first), store it with its provenance, and write it to a file',
  )
  .requiredOption(
    '--authority <code>',
    "the authority the return is for, or 'national' (every authority)",
  )
  .option('--period <period>', 'a quarter (2025-Q4), a year (2025) or a financial year (FY2025-26)')
  .option('--from <date>', 'first day of the period (YYYY-MM-DD), with --to')
  .option('--to <date>', 'last day of the period (YYYY-MM-DD), inclusive')
  .option('--spec <name>', 'return spec', DEFAULT_SPEC)
  .option('--format <format>', 'csv, json or html', 'csv')
  .requiredOption('--out <file>', 'where to write the return')
  .action(
    async (o: {
      authority: string;
      period?: string;
      from?: string;
      to?: string;
      spec: string;
      format: string;
      out: string;
    }) => {
      const day = /^\d{4}-\d{2}-\d{2}$/;
      let period: { periodStart: string; periodEnd: string };
      try {
        if (o.period && !o.from && !o.to) period = parsePeriod(o.period);
        else if (
          !o.period &&
          o.from &&
          o.to &&
          day.test(o.from) &&
          day.test(o.to) &&
          o.from <= o.to
        )
          period = { periodStart: o.from, periodEnd: o.to };
        else throw new Error('say --period, or --from and --to (YYYY-MM-DD, from not after to)');
      } catch (e) {
        return program.error(`return: ${(e as Error).message}`, { exitCode: 2 });
      }
      if (!['csv', 'json', 'html'].includes(o.format)) {
        return program.error('return: --format must be csv, json or html', { exitCode: 2 });
      }
      const result = await onLedger((ledger) =>
        generateReturn(ledger, {
          authority: o.authority,
          ...period,
          spec: o.spec,
          format: o.format as 'csv' | 'json' | 'html',
          out: o.out,
        }),
      );
      out(`${JSON.stringify(result)}\n`);
    },
  );

program.parseAsync().then(
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    // One line on stderr (stdout holds only results): the cause and a hint, no stack trace.
    process.stderr.write(`${describeFailure(e)}\n`);
    process.exit(1);
  },
);
