/**
 * The code lists in the OpenAPI document: each coded field (`CODED_FIELDS`) and each `programme`
 * filter says which list it takes, in any case, and lists the built-in codes with their names.
 */
import { BUILT_IN_CODE_LISTS, CODED_FIELDS, CodeListId, CLOSED_LISTS } from '@app/domain';
import { Schema } from './schema-kit';

/** Which DTO holds each event type's payload (`PAYLOADS` names them `<type>Payload`). */
const payloadOf = (type: string) => `${type}Payload`;

/** A coded field's words: its list, "any case", the built-in codes and their names. */
export function codesDescription(list: CodeListId): string {
  const own = BUILT_IN_CODE_LISTS.for(undefined)[list];
  const codes = own.entries.map((e) => `\`${e.code}\` (${e.name})`).join(', ');
  const more = CLOSED_LISTS.includes(list)
    ? ''
    : "; or a code an authority adds to the list (`CODE_LISTS_DIR`); an unlisted code is 400 with the authority's allowed codes";
  return `A code of the \`${own.version}\` list, in any case (stored as the code): ${codes}${more}.`;
}

/** Annotates the DTO schemas in place (and returns them). */
export function describeCodeLists(schemas: Record<string, Schema>): Record<string, Schema> {
  const annotate = (schema: Schema | undefined, field: string, list: CodeListId) => {
    const property = (schema?.properties as Record<string, Schema> | undefined)?.[field];
    if (!property) return;
    property.description = codesDescription(list);
    property['x-code-list'] = list;
  };
  for (const f of CODED_FIELDS) annotate(schemas[payloadOf(f.type)], f.field, f.list);
  // Query filters: `?programme=` of the families list and of the figures.
  for (const [name, schema] of Object.entries(schemas)) {
    if (name.endsWith('Query')) annotate(schema, 'programme', 'programmes');
  }
  return schemas;
}
