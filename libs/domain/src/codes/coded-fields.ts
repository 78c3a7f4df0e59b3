/**
 * Which event fields hold a code of which list: the one table the write path matches input
 * against (`canonicalCodes`) and the read path upcasts stored values with (`upcastFamilyEvent`).
 */
import { CODE_FORM, CodeListId, CodeLists, codeForm } from './code-lists';

export interface CodedField {
  type: string;
  field: string;
  list: CodeListId;
  /** A list of codes (`reasons`), not one. */
  many?: true;
}

export const CODED_FIELDS: readonly CodedField[] = [
  { type: 'FamilyReferred', field: 'programme', list: 'programmes' },
  { type: 'FamilyReferred', field: 'source', list: 'referral_sources' },
  { type: 'FamilyReferred', field: 'reasons', list: 'referral_reasons', many: true },
  { type: 'FamilyExited', field: 'exitType', list: 'exit_types' },
  { type: 'AsbIncidentRecorded', field: 'sourceAgency', list: 'agencies' },
  { type: 'SupportDelivered', field: 'supportType', list: 'support_types' },
];

const byType = new Map<string, CodedField[]>();
for (const f of CODED_FIELDS) byType.set(f.type, [...(byType.get(f.type) ?? []), f]);

/** The coded fields of an event type (none for most). */
export const codedFieldsOf = (type: string): readonly CodedField[] => byType.get(type) ?? [];

/** A coded value that is not on its list: the field, the value's list and what it allows. */
export interface CodeNotListed {
  field: string;
  /** `reasons[1]`'s index, for a list of codes. */
  index?: number;
  list: CodeListId;
  version: string;
  allowed: string[];
}

/**
 * An event's payload with each coded field as its listed code (matched case-insensitively), or
 * the fields whose value no list of `authority`'s holds. Other fields are untouched.
 */
export function canonicalCodes<D extends object>(
  type: string,
  data: D,
  lists: CodeLists,
  authority: string | null | undefined,
): { data: D; refused: CodeNotListed[] } {
  const fields = codedFieldsOf(type);
  if (!fields.length) return { data, refused: [] };
  const out = { ...data } as Record<string, unknown>;
  const refused: CodeNotListed[] = [];
  const own = lists.for(authority);
  for (const f of fields) {
    const list = own[f.list];
    const value = out[f.field];
    const refuse = (index?: number) =>
      refused.push({
        field: f.field,
        ...(index === undefined ? {} : { index }),
        list: f.list,
        version: list.version,
        allowed: list.codes,
      });
    if (value === undefined) continue;
    if (f.many && Array.isArray(value)) {
      out[f.field] = value.map((v: unknown, i) => {
        const code = typeof v === 'string' ? list.match(v) : undefined;
        if (code === undefined) refuse(i);
        return code ?? v;
      });
    } else {
      const code = typeof value === 'string' ? list.match(value) : undefined;
      if (code === undefined) refuse();
      out[f.field] = code ?? value;
    }
  }
  return { data: out as D, refused };
}

/** A stored value in its code's written form (`codeForm`); anything not text as it is. */
const formOf = (v: unknown) => (typeof v === 'string' && !CODE_FORM.test(v) ? codeForm(v) : v);

/**
 * A stored payload's coded values in their code's written form (`"FIP"` → `fip`): the same
 * object when they already are (the usual case), else a copy. Needs no list: codes are written one
 * way, so a value in another case reads as its code even if the list has changed since.
 */
export function upcastCodes<D>(type: string, data: D): D {
  const fields = codedFieldsOf(type);
  if (!fields.length || typeof data !== 'object' || data === null) return data;
  const record = data as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const f of fields) {
    const value = record[f.field];
    const next = Array.isArray(value) ? value.map(formOf) : formOf(value);
    const same = Array.isArray(value)
      ? (next as unknown[]).every((v, i) => v === value[i])
      : next === value;
    if (same) continue;
    out ??= { ...record };
    out[f.field] = next;
  }
  return (out ?? data) as D;
}
