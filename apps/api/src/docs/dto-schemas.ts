/**
 * The request schemas, from the class-validator DTOs the API validates with
 * (class-validator-jsonschema), and the schemas assembled from them and the answers.
 */
import { PAYLOADS, RECORDABLE_TYPES } from '@app/recording';
import { getMetadataStorage } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { describeCodeLists } from './code-lists';
import { EXAMPLE_DATE } from './examples';
import { FAMILY_RESPONSES, PROBLEM, WORK_RESPONSES } from './responses-families';
import { FIGURE_RESPONSES } from './responses-figures';
import { OUTCOMES_TABLE } from './responses-outcomes';
import { Schema, ref } from './schema-kit';

// class-transformer publishes its metadata storage only as this deep path (no typings there).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: NonNullable<
    Parameters<typeof validationMetadatasToSchemas>[0]
  >['classTransformerMetadataStorage'];
};

/** JSON schemas of every class-validator DTO loaded, by class name. */
export function dtoSchemas(): Record<string, Schema> {
  const storage = getMetadataStorage() as unknown as {
    getTargetValidatorConstraints(target: unknown): { name: string }[];
  };
  const schemas = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    // `@Type(() => MemberDto)` names what an array holds (else the reflected type, `Array`).
    classTransformerMetadataStorage: defaultMetadataStorage,
    additionalConverters: {
      // A date or a date-time; the library's `oneOf` would claim a value cannot be both.
      isIso8601: { type: 'string', anyOf: [{ format: 'date' }, { format: 'date-time' }] },
      // Our own decorators (registerDecorator) are "custom": name the ones with a known shape.
      customValidation: (meta) => {
        const [constraint] = storage.getTargetValidatorConstraints(meta.constraintCls);
        return CUSTOM_SCHEMAS[constraint?.name ?? ''] ?? {};
      },
    },
  }) as Record<string, Schema>;
  // A DTO that only extends another (MemberDetailsPayload) has no metadata of its own.
  for (const cls of Object.values(PAYLOADS) as (new () => object)[]) {
    let parent = Object.getPrototypeOf(cls) as { name?: string } | null;
    while (!schemas[cls.name] && parent?.name) {
      if (schemas[parent.name]) schemas[cls.name] = structuredClone(schemas[parent.name]);
      parent = Object.getPrototypeOf(parent) as { name?: string } | null;
    }
  }
  // Unknown fields are refused (whitelist + forbidNonWhitelisted): say so.
  for (const schema of Object.values(schemas)) schema.additionalProperties = false;
  return describeCodeLists(schemas);
}

const CUSTOM_SCHEMAS: Record<string, Schema> = {
  isEffectiveDate: {
    type: 'string',
    description: 'ISO 8601 date or date-time with offset, from 1900 on',
    example: EXAMPLE_DATE,
  },
  isBirthDate: {
    type: 'string',
    pattern: '^\\d{4}-\\d{2}-\\d{2}$',
    description: 'A date of birth (YYYY-MM-DD), from 1900 on and not in the future',
    example: '2012-05-17',
  },
};

const variantName = (type: string, batch: boolean) => `${type}${batch ? 'BatchItem' : 'Event'}`;

/**
 * One request per event type (its `type` fixed, its `data` that type's payload), and the request
 * as their union discriminated by `type`, as `parseRecordEvent` / `parseBatchItem` validate it.
 */
function eventUnion(s: Record<string, Schema>, batch: boolean): Record<string, Schema> {
  const request = s[batch ? 'BatchItemRequest' : 'RecordEventRequest'];
  const variants = Object.fromEntries(
    RECORDABLE_TYPES.map((type) => [
      variantName(type, batch),
      {
        ...request,
        title: `${type}${batch ? ' (batch item)' : ''}`,
        properties: {
          ...(request.properties as Record<string, Schema>),
          type: { type: 'string', enum: [type] },
          data: ref(PAYLOADS[type].name),
        },
      },
    ]),
  );
  const union: Schema = {
    description: `One event; \`type\` says which, and so what \`data\` holds.`,
    oneOf: Object.keys(variants).map(ref),
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(
        RECORDABLE_TYPES.map((t) => [t, ref(variantName(t, batch)).$ref]),
      ),
    },
  };
  return { ...variants, [batch ? 'BatchItemRequest' : 'RecordEventRequest']: union };
}

/** Schemas assembled from DTOs where one request is validated in parts. */
export function assembled(s: Record<string, Schema>): Record<string, Schema> {
  const props = (name: string) => (s[name]?.properties ?? {}) as Record<string, Schema>;
  const referral = props('FamilyReferredPayload');
  return {
    EmptyPayload: { type: 'object', additionalProperties: false, properties: {} },
    ...eventUnion(s, false),
    ...eventUnion(s, true),
    BatchRequest: {
      ...s.BatchRequest,
      properties: { events: { ...props('BatchRequest').events, items: ref('BatchItemRequest') } },
    },
    ReferFamilyRequest: {
      type: 'object',
      additionalProperties: false,
      required: ['authority', 'programme', 'referral'],
      properties: {
        familyId: props('ReferFamilyRequestEnvelope').familyId,
        authority: referral.authority,
        programme: referral.programme,
        referral: {
          type: 'object',
          additionalProperties: false,
          required: ['source', 'reasons', 'occurredAt'],
          properties: {
            source: referral.source,
            reasons: referral.reasons,
            eligibilityCriteria: referral.eligibilityCriteria,
            occurredAt: props('ReferralRequestFields').occurredAt,
          },
        },
        members: referral.members,
      },
    },
    ...RESPONSE_SCHEMAS,
  };
}

/** What the routes answer (their TypeScript return types, written out for clients). */
const RESPONSE_SCHEMAS: Record<string, Schema> = {
  ...FAMILY_RESPONSES,
  OutcomesTable: OUTCOMES_TABLE,
  ...WORK_RESPONSES,
  ...FIGURE_RESPONSES,
  Problem: PROBLEM,
};
