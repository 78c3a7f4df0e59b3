/**
 * Code lists are data: programmes, referral sources and reasons, exit types, agencies and support
 * types, each a versioned JSON file beside the code (`libs/domain/codes/*.json`), each code with a
 * display name. An authority extends a list with a file of its own (loaded by
 * `loadCodeLists` in @app/recording from `CODE_LISTS_DIR`). Input is matched case-insensitively
 * to a listed code (`codeForm`) and stored as that code; anything else is refused with the
 * allowed values. Codes are lower-case words joined by `_`, so a value stored in another case
 * reads as its code (`upcast.ts`) without consulting any list.
 */
import agencies from '../../codes/agencies.v1.json';
import exitTypes from '../../codes/exit-types.v1.json';
import programmes from '../../codes/programmes.v1.json';
import referralReasons from '../../codes/referral-reasons.v1.json';
import referralSources from '../../codes/referral-sources.v1.json';
import supportTypes from '../../codes/support-types.v1.json';

export const CODE_LIST_IDS = [
  'programmes',
  'referral_sources',
  'referral_reasons',
  'exit_types',
  'agencies',
  'support_types',
] as const;
export type CodeListId = (typeof CODE_LIST_IDS)[number];

/**
 * Lists an authority may not extend: exit types are the domain's own (its rules name `planned`
 * and `moved_area`; an exit of any other kind is "other", with its reason).
 */
export const CLOSED_LISTS: readonly CodeListId[] = ['exit_types'];

export interface CodeEntry {
  code: string;
  name: string;
}

/** A code's one written form: lower-case words of letters and digits joined by `_`. */
export const CODE_FORM = /^[a-z0-9]+(_[a-z0-9]+)*$/;

/**
 * The code a text stands for, whatever its case: trimmed, lower case, runs of spaces, hyphens and
 * underscores as one `_` (`"FIP"`, `" Fip "` → `fip`; `"ASB-Team"` → `asb_team`).
 */
export const codeForm = (text: string): string =>
  text
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_');

export class CodeListsInvalid extends Error {
  override readonly name = 'CodeListsInvalid';
}

/** One list as a caller sees it: its codes in order, the version(s) it is made of. */
export class CodeList {
  private readonly byCode: ReadonlyMap<string, CodeEntry>;

  constructor(
    readonly id: CodeListId,
    /** The built-in version, then each extension's (`programmes.v1+derbyshire.v2`). */
    readonly version: string,
    readonly entries: readonly CodeEntry[],
  ) {
    this.byCode = new Map(entries.map((e) => [e.code, e]));
  }

  get codes(): string[] {
    return this.entries.map((e) => e.code);
  }

  /** The listed code `text` stands for (any case), or undefined. */
  match(text: string): string | undefined {
    const code = codeForm(text);
    return this.byCode.has(code) ? code : undefined;
  }

  /** A code's display name; an unlisted code is shown as itself. */
  name(code: string): string {
    return this.byCode.get(codeForm(code))?.name ?? code;
  }
}

/** One list's file, as shipped (`libs/domain/codes`). */
export interface CodeListFile {
  list: CodeListId;
  version: number;
  title: string;
  codes: CodeEntry[];
}

/** An authority's extension file: codes added to one list or more. */
export interface CodeListExtension {
  authority: string;
  version: number;
  lists: Partial<Record<CodeListId, CodeEntry[]>>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseEntries(raw: unknown, at: string, fail: (m: string) => never): CodeEntry[] {
  if (!Array.isArray(raw) || raw.length === 0) return fail(`${at} must be a non-empty list`);
  const seen = new Set<string>();
  return raw.map((e, i) => {
    if (!isRecord(e)) return fail(`${at}[${i}] must be an object`);
    const { code, name } = e;
    if (typeof code !== 'string' || !CODE_FORM.test(code) || code.length > 64) {
      fail(`${at}[${i}].code must be lower-case words joined by _ (got ${JSON.stringify(code)})`);
    }
    if (typeof name !== 'string' || !name.trim()) fail(`${at}[${i}].name must be text`);
    if (seen.has(code as string)) fail(`${at}[${i}].code ${code as string} is listed twice`);
    seen.add(code as string);
    return { code: code as string, name: name as string };
  });
}

const failIn =
  (where: string) =>
  (message: string): never => {
    throw new CodeListsInvalid(`${where}: ${message}`);
  };

/** Checks one list file (parsed JSON); `where` names it in the message. */
export function parseCodeListFile(raw: unknown, where: string): CodeListFile {
  const fail = failIn(where);
  if (!isRecord(raw)) return fail('must be a JSON object');
  if (!CODE_LIST_IDS.includes(raw.list as CodeListId)) {
    fail(`list must be one of ${CODE_LIST_IDS.join(', ')}`);
  }
  if (!Number.isInteger(raw.version) || (raw.version as number) < 1) {
    fail('version must be a positive integer');
  }
  if (typeof raw.title !== 'string') fail('title must be text');
  return {
    list: raw.list as CodeListId,
    version: raw.version as number,
    title: raw.title as string,
    codes: parseEntries(raw.codes, 'codes', fail),
  };
}

/** An authority's code as the API takes it (`AuthorityCode` in @app/recording). */
const AUTHORITY = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** Checks an authority's extension file (parsed JSON); `where` names it in the message. */
export function parseCodeListExtension(raw: unknown, where: string): CodeListExtension {
  const fail = failIn(where);
  if (!isRecord(raw)) return fail('must be a JSON object');
  if (typeof raw.authority !== 'string' || !AUTHORITY.test(raw.authority)) {
    fail("authority must be the authority's code (letters, digits, _ . : -)");
  }
  if (!Number.isInteger(raw.version) || (raw.version as number) < 1) {
    fail('version must be a positive integer');
  }
  if (!isRecord(raw.lists) || Object.keys(raw.lists).length === 0) {
    fail(`lists must name one list or more of ${CODE_LIST_IDS.join(', ')}`);
  }
  const lists: Partial<Record<CodeListId, CodeEntry[]>> = {};
  for (const [id, entries] of Object.entries(raw.lists as Record<string, unknown>)) {
    if (!CODE_LIST_IDS.includes(id as CodeListId)) {
      fail(`lists.${id} is not a code list (${CODE_LIST_IDS.join(', ')})`);
    }
    if (CLOSED_LISTS.includes(id as CodeListId)) fail(`lists.${id} cannot be extended`);
    lists[id as CodeListId] = parseEntries(entries, `lists.${id}`, fail);
  }
  return { authority: raw.authority as string, version: raw.version as number, lists };
}

/** The lists as shipped with the code, checked (a broken file fails at first use: at start). */
export const BUILT_IN_FILES: readonly CodeListFile[] = [
  programmes,
  referralSources,
  referralReasons,
  exitTypes,
  agencies,
  supportTypes,
].map((raw, i) => parseCodeListFile(raw, `${CODE_LIST_IDS[i]} (built in)`));

type Lists = Readonly<Record<CodeListId, CodeList>>;

/**
 * Every list, built in and as each authority extends it. `for(authority)` is what input for a
 * family of that authority is matched against; `for(null)` (a national view, a query across
 * authorities) holds every authority's additions too.
 */
export class CodeLists {
  private readonly lists = new Map<string, Lists>();

  constructor(
    readonly builtIn: readonly CodeListFile[] = BUILT_IN_FILES,
    readonly extensions: readonly CodeListExtension[] = [],
  ) {
    for (const id of CODE_LIST_IDS) {
      if (!builtIn.some((f) => f.list === id)) throw new CodeListsInvalid(`no list ${id}`);
    }
    const authorities = new Set<string>();
    for (const x of extensions) {
      if (authorities.has(x.authority)) {
        throw new CodeListsInvalid(`authority ${x.authority} has two extension files`);
      }
      authorities.add(x.authority);
      for (const [id, entries] of Object.entries(x.lists)) {
        const base = this.file(id as CodeListId);
        const clash = entries.find((e) => base.codes.some((b) => b.code === e.code));
        if (clash) {
          throw new CodeListsInvalid(
            `${x.authority}.v${x.version}: ${id} already lists ${clash.code}`,
          );
        }
      }
    }
  }

  private file(id: CodeListId): CodeListFile {
    return this.builtIn.find((f) => f.list === id)!;
  }

  /** The lists input for `authority`'s families is matched against (null: every authority's). */
  for(authority: string | null | undefined): Lists {
    const key = authority ?? '';
    let lists = this.lists.get(key);
    if (!lists) {
      const added = this.extensions.filter((x) => !authority || x.authority === authority);
      lists = Object.fromEntries(
        CODE_LIST_IDS.map((id) => {
          const file = this.file(id);
          const entries = [...file.codes];
          const versions = [`${id}.v${file.version}`];
          for (const x of added) {
            const extra = (x.lists[id] ?? []).filter(
              (e) => !entries.some((b) => b.code === e.code),
            );
            if (!extra.length) continue;
            entries.push(...extra);
            versions.push(`${x.authority}.v${x.version}`);
          }
          return [id, new CodeList(id, versions.join('+'), entries)];
        }),
      ) as unknown as Lists;
      this.lists.set(key, lists);
    }
    return lists;
  }

  /** A code's display name in a list (an authority's own names included); else the code. */
  name(list: CodeListId, code: string, authority?: string | null): string {
    return this.for(authority)[list].name(code);
  }
}

/** The built-in lists alone (no authority's additions). */
export const BUILT_IN_CODE_LISTS = new CodeLists();

/** An agency's display name (`police` → `Police`), for outputs; an unlisted code as itself. */
export const agencyName = (code: string, lists: CodeLists = BUILT_IN_CODE_LISTS): string =>
  lists.name('agencies', code);
