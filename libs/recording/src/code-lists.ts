/**
 * The code lists as configured: the built-in lists (`libs/domain/codes`) and, with
 * `CODE_LISTS_DIR`, each authority's additions, one `*.json` file an authority:
 *
 *     { "authority": "derbyshire", "version": 2,
 *       "lists": { "programmes": [{ "code": "tri_borough", "name": "Tri-borough pilot" }] } }
 *
 * Loaded and checked once at start (a broken file stops the process, naming the file and the
 * rule), like the outcome definitions; matching input to the lists is `matchCodes`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CodeLists,
  CodeListsInvalid,
  FamilyEvent,
  canonicalCodes,
  parseCodeListExtension,
} from '@app/domain';
import { FieldError, RequestInvalid } from './requests/validation';

export function loadCodeLists(options: { extraDir?: string } = {}): CodeLists {
  if (!options.extraDir) return new CodeLists();
  const names = readdirSync(options.extraDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const extensions = names.map((name) => {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(options.extraDir!, name), 'utf8'));
    } catch {
      throw new CodeListsInvalid(`${name}: not valid JSON`);
    }
    return parseCodeListExtension(raw, name);
  });
  return new CodeLists(undefined, extensions);
}

/** A 400's field error for a value not on its list: the field and every allowed code. */
export const notListed = (field: string, allowed: readonly string[], list: string): FieldError => ({
  field,
  rule: 'code-list',
  message: `${field} must be one of the ${list} codes (any case): ${allowed.join(', ')}`,
  allowed: [...allowed],
});

/**
 * `event` with its coded fields as listed codes (any case in, the code stored), or
 * `RequestInvalid` naming each field (`fieldName` says how the caller wrote it) and its allowed
 * codes: the lists of the family's authority.
 */
export function matchCodes(
  event: FamilyEvent,
  lists: CodeLists,
  authority: string | null | undefined,
  fieldName: (field: string) => string = (f) => `data.${f}`,
): FamilyEvent {
  const { data, refused } = canonicalCodes(event.type, event.data, lists, authority);
  if (refused.length) {
    throw new RequestInvalid(
      refused.map((r) =>
        notListed(
          `${fieldName(r.field)}${r.index === undefined ? '' : `.${r.index}`}`,
          r.allowed,
          r.version,
        ),
      ),
    );
  }
  return data === event.data ? event : ({ ...event, data } as FamilyEvent);
}

/**
 * A query's filter value as its listed code (any case), or `RequestInvalid` naming the parameter
 * and the allowed codes; undefined stays undefined.
 */
export function codeFilter(
  lists: CodeLists,
  list: Parameters<CodeLists['name']>[0],
  param: string,
  value: string | undefined,
  authority: string | null | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  const own = lists.for(authority)[list];
  const code = own.match(value);
  if (code === undefined) throw new RequestInvalid([notListed(param, own.codes, own.version)]);
  return code;
}
