import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The software version recorded in provenance: `name@version` from the repository's
 * package.json, found by walking up from here (the same in the sources and in dist/).
 */
export function softwareVersion(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'outcomes-ledger') return `${pkg.name}@${pkg.version}`;
    }
    if (dirname(dir) === dir) return 'outcomes-ledger@unknown';
  }
}
