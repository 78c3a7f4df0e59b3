import { createHash } from 'node:crypto';

/** Canonical JSON: one writer for the whole code base (`@app/domain`'s `canonical.ts`). */
export { canonicalJson } from '@app/domain';

export const sha256 = (text: string | Buffer): string =>
  createHash('sha256').update(text).digest('hex');
