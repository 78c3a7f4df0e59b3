import { getMetadataStorage } from 'class-validator';
import { Environment, variableDocs } from './environment';

export interface VariableRow {
  name: string;
  type: string;
  default: string;
  rule: string;
  meaning: string;
}

const code = (value: unknown) => `\`${String(value)}\``;

/** Every variable of `Environment`: its type, default and rule read from the schema itself. */
export function configurationRows(): VariableRow[] {
  const defaults = new Environment() as unknown as Record<string, unknown>;
  const metadata = getMetadataStorage().getTargetValidationMetadatas(Environment, '', true, false);
  return [...variableDocs()].map(([name, doc]) => {
    const mine = metadata.filter((m) => m.propertyName === name);
    const has = (type: string) => mine.some((m) => m.name === type || m.type === type);
    const rules = [
      ...new Set(
        mine
          .map((m) => (typeof m.message === 'string' ? m.message : ''))
          .filter(Boolean)
          .map((m) => m.replace(/^\$property must (be )?/, '')),
      ),
    ];
    const given = defaults[name];
    return {
      name,
      type: has('isInt') ? 'whole number' : has('isIn') ? 'choice' : 'string',
      default: doc.shownDefault ?? (given === undefined ? '(none)' : code(given)),
      rule: rules.join('; ') || 'any',
      meaning: doc.meaning,
    };
  });
}

const HEADER = `# Configuration

<!-- Generated from libs/config/src/environment.ts by \`npm run docs:config\`: do not edit. -->

The API, the worker and the CLI read these variables once, at start-up, through \`loadConfig\`
(\`libs/config\`). A value that breaks its rule stops the process with the variable's name and the
rule; an empty value counts as unset.

`;

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** A markdown table with its columns padded, as prettier lays one out (so the file passes it). */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** docs/configuration.md as `npm run docs:config` writes it. */
export function configurationTable(): string {
  const rows = configurationRows().map((r) =>
    [code(r.name), r.type, r.default, r.rule, r.meaning].map(cell),
  );
  return `${HEADER}${table(['variable', 'type', 'default', 'rule', 'meaning'], rows)}\n`;
}

/** Where the generated table is committed. */
export const CONFIGURATION_DOC = 'docs/configuration.md';
