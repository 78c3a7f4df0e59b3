/**
 * `outcomes return`: builds a national return with the same builder as the worker, stores it
 * (so it can be shown later and diffed against a resubmission), and writes it to a file.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { loadDefinitions } from '@app/outcomes';
import {
  ReturnContent,
  buildStored,
  cellKeys,
  findReturn,
  insertReturn,
  returnContent,
  returnCsv,
  returnHtml,
  returnChartSvg,
  savingsCostAvoidance,
  scopeOf,
  softwareVersion,
  specNamed,
} from '@app/returns';
import { cellKeySecretFrom } from '@app/security';
import { Ledger, withProjections } from './ledger';
import { Progress } from './progress';

export interface ReturnOptions {
  /** An authority's code, or 'national'. */
  authority: string;
  periodStart: string;
  periodEnd: string;
  spec: string;
  format: 'csv' | 'json' | 'html';
  out: string;
}

export async function generateReturn(ledger: Ledger, o: ReturnOptions) {
  if (!specNamed(o.spec)) throw new Error(`unknown spec ${o.spec}`);
  const id = randomUUID();
  // As at everything recorded by now; the read models are caught up to it first.
  const position = await ledger.store.lastPosition();
  await insertReturn(ledger.db, {
    id,
    authority: scopeOf(o.authority),
    periodStart: o.periodStart,
    periodEnd: o.periodEnd,
    spec: o.spec,
    position,
    requestedBy: 'cli',
    requestedAt: new Date().toISOString(),
  });
  await withProjections(ledger, async (caughtUp) => {
    await caughtUp();
    const progress = new Progress('return', 100, 'percent');
    await buildStored(
      {
        db: ledger.db,
        definitions: loadDefinitions({ extraDir: ledger.config.outcomeDefinitionsDir }),
        software: softwareVersion(),
        cellKeys: cellKeys(cellKeySecretFrom(ledger.config)),
        costs: savingsCostAvoidance(),
      },
      id,
      (pct) => progress.update(pct, pct),
    );
    progress.finish(100);
  });
  const stored = await findReturn(ledger.db, id);
  const json = await returnContent(ledger.db, id);
  if (!stored || !json)
    throw new Error(`return ${id} was not built: ${stored?.error ?? stored?.status}`);
  const content = JSON.parse(json) as ReturnContent;
  const body =
    o.format === 'json'
      ? json
      : o.format === 'csv'
        ? returnCsv(content, stored.builtAt)
        : returnHtml(content, stored.sha256!, returnChartSvg, stored.builtAt);
  await writeFile(o.out, body);
  return { id, out: o.out, format: o.format, position: position.toString(), sha256: stored.sha256 };
}
