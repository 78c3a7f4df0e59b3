import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIGURATION_DOC, configurationRows, configurationTable } from './docs';
import { variableDocs } from './environment';

describe('docs/configuration.md', () => {
  it('is the table generated from the schema (run `npm run docs:config` after changing it)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', '..', CONFIGURATION_DOC), 'utf8');
    expect(committed).toBe(configurationTable());
  });

  it('lists every variable of the schema with its type, default and rule', () => {
    const rows = configurationRows();
    expect(rows.map((r) => r.name)).toEqual([...variableDocs().keys()]);
    expect(rows.find((r) => r.name === 'PROJECTION_BATCH_SIZE')).toEqual({
      name: 'PROJECTION_BATCH_SIZE',
      type: 'whole number',
      default: '`500`',
      rule: 'a whole number, at least 1',
      meaning: 'most events a projection applies in one transaction',
    });
    expect(rows.find((r) => r.name === 'EVENT_STORE')).toMatchObject({
      type: 'choice',
      default: '`postgres`',
      rule: 'one of postgres, eventstoredb',
    });
  });
});
