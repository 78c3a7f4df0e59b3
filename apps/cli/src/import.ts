/**
 * `outcomes import <file>`: historic records, one event a row, through the API's validation and
 * the one write path (`FamilyRecorder`). Rows are read in batches; a batch's events are grouped by
 * family and recorded family by family (in file order within a family) a few families at a time.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { DomainError, FamilyEvent, familyStreamId, systemClock } from '@app/domain';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '@app/event-store';
import {
  EventRecording,
  FamilyNotFound,
  FamilyRecorder,
  FieldError,
  RequestInvalid,
  loadCodeLists,
  parseBatchItem,
} from '@app/recording';
import { parse } from 'csv-parse';
import { PersonalDataVault, masterKeyFrom } from '@app/security';
import { cliConfig } from './config';
import { Ledger } from './ledger';
import { Progress } from './progress';
import { ParsedRow, RowFormat, importEventId, parseCsvRecord, parseNdjsonLine } from './rows';

export interface ImportOptions {
  format: RowFormat;
  rejectsPath: string;
  /** Rows validated before they are recorded together. */
  batchSize: number;
  /** Families recorded at once. */
  concurrency: number;
  /** Run `ANALYZE events` when at least this many events were stored. */
  analyzeAfter: number;
}

export interface ImportCounts {
  read: number;
  stored: number;
  alreadyStored: number;
  rejected: number;
}

interface Row {
  line: number;
  parsed: ParsedRow;
}

type Valid = { line: number } & EventRecording & { familyId: string };

/** Rows of the file with their line numbers; `bytes.read` follows how far the file was read. */
async function* readRows(path: string, format: RowFormat, bytes: { read: number }) {
  const input = createReadStream(path);
  input.on('data', (chunk) => (bytes.read += chunk.length));
  if (format === 'ndjson') {
    let line = 0;
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      line++;
      if (text.trim()) yield { line, parsed: parseNdjsonLine(text) } satisfies Row;
    }
    return;
  }
  const parser = input.pipe(
    parse({
      columns: true,
      info: true,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    yield { line: info.lines, parsed: parseCsvRecord(record) } satisfies Row;
  }
}

/** Why the decider or the store refused a valid row, named like a validation error. */
function refusal(e: unknown): FieldError[] | undefined {
  // A code not on its list (the write path matches codes against the lists).
  if (e instanceof RequestInvalid) return e.errors;
  if (e instanceof DomainError)
    return [{ field: e.field ?? 'type', rule: e.rule, message: e.message }];
  if (e instanceof FamilyNotFound) {
    return [{ field: 'familyId', rule: 'familyExists', message: e.message }];
  }
  if (e instanceof DuplicateEventIdError) {
    return [{ field: 'id', rule: 'sameEventForId', message: e.message }];
  }
  if (e instanceof WrongExpectedRevisionError) {
    return [{ field: 'expectedRevision', rule: 'expectedRevision', message: e.message }];
  }
  return undefined;
}

export async function importFile(
  ledger: Pick<Ledger, 'db' | 'store' | 'close'>,
  path: string,
  options: ImportOptions,
): Promise<ImportCounts> {
  const counts: ImportCounts = { read: 0, stored: 0, alreadyStored: 0, rejected: 0 };
  // Personal details in a file are sealed with each family's key, as the API does.
  const recorder = new FamilyRecorder(
    ledger.store,
    systemClock,
    new PersonalDataVault(ledger.db, masterKeyFrom(cliConfig())),
    // Codes in a file are matched to the lists as the API matches them.
    loadCodeLists({ extraDir: cliConfig().codeListsDir }),
  );
  const actor = { id: 'import', correlationId: randomUUID() };
  const rejects = createWriteStream(options.rejectsPath);
  const reject = async (line: number, errors: FieldError[]) => {
    counts.rejected++;
    for (const error of errors) {
      if (!rejects.write(`${JSON.stringify({ line, ...error })}\n`)) await once(rejects, 'drain');
    }
  };

  // How many rows without an id had the same content so far (keyed by the first one's id).
  const occurrences = new Map<string, number>();
  const eventIdOf = (familyId: string, item: Valid): string => {
    if (item.eventId) return item.eventId;
    const first = importEventId(familyId, item.event);
    const seen = occurrences.get(first) ?? 0;
    occurrences.set(first, seen + 1);
    return importEventId(familyId, item.event, undefined, seen);
  };

  const recordFamily = async (familyId: string, items: Valid[]) => {
    // What the stream held before: an event found there was stored by an earlier run.
    const before = new Set(
      (await ledger.store.readStream(familyStreamId(familyId))).map((e) => e.id),
    );
    for (const item of items) {
      const event: FamilyEvent = item.event;
      const eventId = eventIdOf(familyId, item);
      try {
        await recorder.record({
          familyId,
          event,
          actor,
          eventId,
          expectedRevision: item.expectedRevision,
        });
        if (before.has(eventId)) counts.alreadyStored++;
        else {
          counts.stored++;
          before.add(eventId);
        }
      } catch (e) {
        const errors = refusal(e);
        if (!errors) throw e;
        await reject(item.line, errors);
      }
    }
  };

  const flush = async (batch: Valid[]) => {
    const families = new Map<string, Valid[]>();
    for (const item of batch)
      families.set(item.familyId, [...(families.get(item.familyId) ?? []), item]);
    const queue = [...families];
    const lane = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await recordFamily(...next);
    };
    await Promise.all(Array.from({ length: options.concurrency }, lane));
  };

  const bytes = { read: 0 };
  const progress = new Progress('import', statSync(path).size, 'rows');
  let batch: Valid[] = [];
  try {
    for await (const { line, parsed } of readRows(path, options.format, bytes)) {
      counts.read++;
      if (!parsed.ok) {
        await reject(line, parsed.errors);
        continue;
      }
      try {
        batch.push({ line, ...(await parseBatchItem(parsed.request)) });
      } catch (e) {
        if (!(e instanceof RequestInvalid)) throw e;
        await reject(line, e.errors);
      }
      if (batch.length >= options.batchSize) {
        await flush(batch);
        batch = [];
        progress.update(bytes.read, counts.read);
      }
    }
    await flush(batch);
    progress.update(bytes.read, counts.read);
  } finally {
    rejects.end();
    await once(rejects, 'close');
  }
  progress.finish(counts.read, `${counts.stored} stored, ${counts.rejected} rejected`);
  // Fresh statistics after a bulk load, or the projections' catch-up read plans a scan and sort.
  if (counts.stored >= options.analyzeAfter) await ledger.store.analyze();
  return counts;
}
