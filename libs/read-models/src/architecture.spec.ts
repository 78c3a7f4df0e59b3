/*
 * The layout rules of docs/architecture.md, held by reading the production sources (apps/** and
 * libs/**; specs, migrations and testing folders aside): the SQL over a table only in the folder
 * that owns it, no production file over 350 lines, `process.env` only in libs/config.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** Each table read or written by SQL, and the only folder whose code may do so. */
const OWNER: Record<string, string> = {
  families: 'libs/read-models/src/families/',
  family_timeline: 'libs/read-models/src/timeline/',
  follow_ups: 'libs/follow-ups/src/read-model/',
  follow_up_families: 'libs/follow-ups/src/read-model/',
  outcome_episodes: 'libs/outcomes/src/read-model/',
  outcome_families: 'libs/outcomes/src/read-model/',
  outcome_rollup: 'libs/outcomes/src/read-model/',
  outcome_model: 'libs/outcomes/src/read-model/',
  events: 'libs/event-store/',
};
const MAX_LINES = 350;
const CONFIG = 'libs/config/';

interface Source {
  path: string;
  text: string;
}

/** Comments out (SQL named in prose is not SQL), strings and code kept. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

/**
 * SQL naming `table`: after FROM, JOIN, INTO, UPDATE, TABLE, LIKE or TRUNCATE, as a `::` type, or
 * as a string holding only the table and an alias (a FROM item built apart, e.g. `'follow_ups f'`).
 */
const sqlOver = (table: string) =>
  new RegExp(
    `(?:\\b(?:FROM|JOIN|INTO|UPDATE|TABLE|LIKE|TRUNCATE)\\s+(?:ONLY\\s+)?(?:public\\.)?|::)"?${table}"?(?![\\w.])` +
      `|['\`]${table}\\s+(?:AS\\s+)?[a-z]\\w*['\`]`,
  );

export function sqlOutsideSlice(sources: Source[]): string[] {
  return sources.flatMap(({ path, text }) =>
    Object.entries(OWNER)
      .filter(([table, folder]) => !path.startsWith(folder) && sqlOver(table).test(code(text)))
      .map(([table, folder]) => `${path}: SQL over ${table} (owned by ${folder})`),
  );
}

/** Data files (a module that is only data) are exempt; none is today. */
const DATA: string[] = [];

export function longFiles(sources: Source[]): string[] {
  return sources
    .filter((s) => !DATA.includes(s.path))
    .map((s) => ({
      path: s.path,
      lines: s.text.split('\n').length - (s.text.endsWith('\n') ? 1 : 0),
    }))
    .filter((s) => s.lines > MAX_LINES)
    .map((s) => `${s.path}: ${s.lines} lines (at most ${MAX_LINES})`);
}

export function envOutsideConfig(sources: Source[]): string[] {
  return sources
    .filter((s) => !s.path.startsWith(CONFIG) && /\bprocess\.env\b/.test(code(s.text)))
    .map((s) => `${s.path}: reads process.env (only ${CONFIG} may)`);
}

/** The production sources: *.ts under apps and libs, not specs (unit, int, e2e), migrations or testing folders. */
function productionSources(): Source[] {
  const out: Source[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'dist', 'migrations', 'testing'].includes(entry.name)) walk(full);
      } else if (
        entry.name.endsWith('.ts') &&
        !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name) &&
        !entry.name.endsWith('.d.ts')
      ) {
        out.push({
          path: relative(ROOT, full).split(sep).join('/'),
          text: readFileSync(full, 'utf8'),
        });
      }
    }
  };
  for (const top of ['apps', 'libs']) walk(join(ROOT, top));
  return out;
}

describe('the layout (docs/architecture.md)', () => {
  const sources = productionSources();

  it('reads the production sources', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.some((s) => s.path === 'libs/read-models/src/timeline/queries.ts')).toBe(true);
    expect(
      sources.some((s) => s.path.includes('/migrations/') || /\.(spec|int-spec)\.ts$/.test(s.path)),
    ).toBe(false);
  });

  it('has SQL over a read-model table only in its slice, over events only in libs/event-store', () => {
    expect(sqlOutsideSlice(sources)).toEqual([]);
  });

  it(`has no production file over ${MAX_LINES} lines`, () => {
    expect(longFiles(sources)).toEqual([]);
  });

  it('reads process.env only in libs/config', () => {
    expect(envOutsideConfig(sources)).toEqual([]);
  });

  it('is the table of owners docs/architecture.md shows', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const shown: Record<string, string> = {};
    for (const [, tables, owner] of doc.matchAll(/^\| (`[a-z_]+`.*?) +\| `([^`]+)` +\|$/gm)) {
      for (const [, table] of tables.matchAll(/`([a-z_]+)`/g)) shown[table] = `${owner}/`;
    }
    expect(shown).toEqual(OWNER);
  });
});

describe('each layout check can fail', () => {
  it('given SQL over a slice table elsewhere, then it is named with its owner', () => {
    const sources = [
      { path: 'libs/returns/src/x.ts', text: 'q(`SELECT a FROM family_timeline t`)' },
      { path: 'apps/api/src/y.ts', text: "q('UPDATE  follow_ups SET x = 1')" },
      { path: 'libs/savings/src/z.ts', text: 'q(`SELECT 1 FROM x JOIN outcome_episodes e`)' },
      { path: 'libs/projections/src/w.ts', text: 'q(`SELECT * FROM events WHERE position > $1`)' },
      {
        path: 'libs/follow-ups/src/v.ts',
        text: 'q(`jsonb_populate_recordset(null::families, $1)`)',
      },
      { path: 'libs/follow-ups/src/u.ts', text: "let from = 'outcome_episodes e';" },
    ];
    expect(sqlOutsideSlice(sources)).toEqual([
      'libs/returns/src/x.ts: SQL over family_timeline (owned by libs/read-models/src/timeline/)',
      'apps/api/src/y.ts: SQL over follow_ups (owned by libs/follow-ups/src/read-model/)',
      'libs/savings/src/z.ts: SQL over outcome_episodes (owned by libs/outcomes/src/read-model/)',
      'libs/projections/src/w.ts: SQL over events (owned by libs/event-store/)',
      'libs/follow-ups/src/v.ts: SQL over families (owned by libs/read-models/src/families/)',
      'libs/follow-ups/src/u.ts: SQL over outcome_episodes (owned by libs/outcomes/src/read-model/)',
    ]);
  });

  it('given the same SQL in the owning folder, prose, or a longer name, then nothing', () => {
    const sources = [
      { path: 'libs/read-models/src/timeline/q.ts', text: 'q(`SELECT a FROM family_timeline t`)' },
      { path: 'libs/event-store/src/postgres/a.ts', text: 'q(`INSERT INTO events (id)`)' },
      {
        path: 'libs/returns/src/x.ts',
        text: '/** reads FROM family_timeline */\n// FROM families',
      },
      { path: 'libs/returns/src/y.ts', text: 'q(`CREATE TEMP TABLE return_follow_ups (a int)`)' },
      { path: 'libs/returns/src/z.ts', text: "label('families from families')" },
      { path: 'libs/returns/src/w.ts', text: "const names = ['follow_ups', 'family_timeline'];" },
    ];
    expect(sqlOutsideSlice(sources)).toEqual([]);
  });

  it('given a long file, then it is named with its length', () => {
    const text = 'x;\n'.repeat(MAX_LINES + 1);
    expect(
      longFiles([
        { path: 'libs/a.ts', text },
        { path: 'libs/b.ts', text: 'x;\n'.repeat(MAX_LINES) },
      ]),
    ).toEqual([`libs/a.ts: ${MAX_LINES + 1} lines (at most ${MAX_LINES})`]);
  });

  it('given process.env outside libs/config, then it is named', () => {
    const text = 'const port = process.env.PORT;';
    expect(
      envOutsideConfig([
        { path: 'apps/api/src/main.ts', text },
        { path: 'libs/config/src/environment.ts', text },
      ]),
    ).toEqual(['apps/api/src/main.ts: reads process.env (only libs/config/ may)']);
  });
});
