/** The small vocabulary the document's schemas are written in. */
export type Schema = Record<string, unknown>;
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** What `ParseUUIDPipe` (no version) accepts, as its `all` pattern says. */
export const UUID: Schema = {
  type: 'string',
  format: 'uuid',
  pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
};

export const nullable = (schema: Schema): Schema => ({ ...schema, nullable: true });
export const object = (properties: Record<string, Schema>, required = Object.keys(properties)) => ({
  type: 'object',
  required,
  properties,
});
export const STRING = { type: 'string' };
export const REVISION = { type: 'integer', minimum: 0, description: 'The family stream revision' };
export const POSITION = { type: 'string', description: 'Global log position (a decimal bigint)' };

/** A fixed shape: every field always sent, no other. */
export const exactly = (
  properties: Record<string, Schema>,
  required = Object.keys(properties),
) => ({
  ...object(properties, required),
  additionalProperties: false,
});
export const INTEGER = { type: 'integer' };
export const COUNT = { type: 'integer', minimum: 0 };
export const BOOLEAN = { type: 'boolean' };
export const TIME = { type: 'string', format: 'date-time' };
export const array = (items: Schema) => ({ type: 'array', items });
export const page = (item: string) =>
  exactly({
    items: array(ref(item)),
    nextCursor: nullable({ ...STRING, description: 'The next page (also in `Link: rel="next"`)' }),
  });
/** A figure under disclosure control: the number, or `[c]` where it is suppressed. */
export const FIGURE = {
  anyOf: [
    { type: 'number', nullable: true },
    { type: 'string', enum: ['[c]'] },
  ],
};
export const figures = (names: string[]) =>
  exactly(Object.fromEntries(names.map((n) => [n, FIGURE])));
export const DEPENDENCY = { type: 'string', enum: ['up', 'down', 'lagging'] };
/** Money, pence-exact, as a decimal string (or `[c]` under disclosure). */
export const MONEY = { type: 'string', pattern: '^(-?\\d+\\.\\d{2}|\\[c\\])$' };
export const PERIODS = exactly({ baselineToExit: MONEY, baselineToFollowUp: MONEY });
/** Money per family: null where no family is counted (a perturbed count of 0, issue 14). */
export const PER_FAMILY = exactly({
  baselineToExit: { ...MONEY, nullable: true },
  baselineToFollowUp: { ...MONEY, nullable: true },
});
export const TRANSITIONS = figures(['pairs', 'improved', 'worsened']);

/** The filters applied, echoed, and the time the figures are as at. */
export const FILTERS = { type: 'object', required: ['asAt'], properties: { asAt: STRING } };

/** The cell-key perturbation the counts went through (`PerturbationStatement` of @app/returns). */
export const PERTURBATION = exactly({
  method: { type: 'string', enum: ['cell-key'] },
  ptable: STRING,
  maxPerturbation: COUNT,
  variance: { type: 'number', minimum: 0 },
  blockedUpTo: COUNT,
  text: STRING,
});

/** What disclosure control did (`?disclosure=on`, and always for evaluators). */
export const DISCLOSURE = exactly(
  {
    threshold: COUNT,
    symbol: { type: 'string', enum: ['[c]'] },
    rule: STRING,
    suppressed: exactly({ primary: COUNT, secondary: COUNT }),
    perturbation: PERTURBATION,
  },
  ['threshold', 'symbol', 'rule', 'suppressed'],
);
