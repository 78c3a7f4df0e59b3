/** The answers of the family, follow-up and audit routes (their TypeScript types, written out). */
import {
  BOOLEAN,
  COUNT,
  INTEGER,
  POSITION,
  REVISION,
  STRING,
  Schema,
  TIME,
  UUID,
  array,
  exactly,
  nullable,
  object,
  page,
  ref,
} from './schema-kit';

/** Families: a referral, a write, the family and its timeline. */
export const FAMILY_RESPONSES: Record<string, Schema> = {
  Referred: object({ familyId: UUID, revision: REVISION, position: POSITION }),
  Recorded: object({ eventId: UUID, revision: REVISION, position: POSITION }),
  Family: object(
    {
      familyId: UUID,
      authority: STRING,
      programme: STRING,
      status: STRING,
      keyWorker: nullable(STRING),
      movedTo: nullable(STRING),
      revision: REVISION,
      members: { type: 'array', items: { type: 'object' } },
      episode: object({
        number: { type: 'integer' },
        status: STRING,
        referredAt: STRING,
        offeredAt: nullable(STRING),
        acceptedAt: nullable(STRING),
        supportPlanAgreedAt: nullable(STRING),
        refusedAt: nullable(STRING),
        refusalStage: nullable(STRING),
        exitedAt: nullable(STRING),
        exitType: nullable(STRING),
        followUp: STRING,
      }),
    },
    ['familyId', 'authority', 'programme', 'status', 'keyWorker', 'movedTo', 'revision', 'episode'],
  ),
  CodeListsAnswer: object({
    authority: nullable({
      ...STRING,
      description: "Whose additions the lists include (null: every authority's)",
    }),
    lists: {
      type: 'object',
      description:
        'By list: `programmes`, `referral_sources`, `referral_reasons`, `exit_types`, `agencies`, `support_types`',
      additionalProperties: object({
        version: { ...STRING, example: 'programmes.v1+derbyshire.v2' },
        codes: array(object({ code: STRING, name: STRING })),
      }),
    },
  }),
  FamilyPage: object({
    items: { type: 'array', items: ref('Family') },
    nextCursor: nullable({ ...STRING, description: 'The next page (also in `Link: rel="next"`)' }),
  }),
  Timeline: object({
    familyId: UUID,
    events: {
      type: 'array',
      items: object({
        eventId: UUID,
        type: STRING,
        occurredAt: STRING,
        recordedAt: STRING,
        revision: REVISION,
        position: POSITION,
        data: { type: 'object' },
      }),
    },
  }),
};

/** Follow-ups, the batch, erasure and the audit trail. */
export const WORK_RESPONSES: Record<string, Schema> = {
  // FollowUpView / FollowUpPage (@app/follow-ups)
  FollowUp: exactly({
    followUpId: UUID,
    familyId: UUID,
    familyReference: STRING,
    keyWorker: nullable(STRING),
    episode: INTEGER,
    authority: STRING,
    programme: STRING,
    exitType: STRING,
    exitedAt: STRING,
    status: {
      type: 'string',
      enum: ['scheduled', 'due', 'overdue', 'completed', 'missed', 'cancelled'],
    },
    dueAt: STRING,
    window: exactly({ opensAt: STRING, closesAt: STRING }),
    overdueAt: STRING,
    policyVersion: INTEGER,
    dueRecordedAt: nullable(STRING),
    assignedWorker: nullable(STRING),
    daysOverdue: nullable(COUNT),
    completedAt: nullable(STRING),
    completedOnTime: nullable(BOOLEAN),
    missedAt: nullable(STRING),
    missedReason: nullable(STRING),
    cancelledAt: nullable(STRING),
    cancelledReason: nullable(STRING),
  }),
  FollowUpPage: page('FollowUp'),
  // assign / complete / missed: `{ followUpId, ...Recorded }`
  FollowUpRecorded: exactly({
    followUpId: UUID,
    familyId: UUID,
    eventId: UUID,
    revision: REVISION,
    position: POSITION,
  }),
  // families.controller.ts `batch`: per item, in order, what was stored or why not
  BatchAnswer: exactly({
    results: array({
      anyOf: [
        exactly({
          index: COUNT,
          status: { type: 'integer', enum: [201] },
          familyId: UUID,
          eventId: UUID,
          revision: REVISION,
          position: POSITION,
        }),
        exactly(
          {
            index: COUNT,
            status: { type: 'integer', minimum: 400 },
            familyId: UUID,
            error: ref('Problem'),
          },
          ['index', 'status', 'error'],
        ),
      ],
    }),
  }),
  // Erasure (personal-data/erasure.controller.ts)
  Erasure: exactly(
    {
      familyId: UUID,
      erased: { type: 'boolean', enum: [true] },
      eventId: { ...UUID, description: 'The FamilyErased event (the first, if erased before)' },
      position: POSITION,
      // Sent by the first erasure only (the recorder's answer spread in); not in `Erasure`.
      revision: REVISION,
    },
    ['familyId', 'erased', 'eventId', 'position'],
  ),
  // AuditRecord (@app/security)
  AuditRecord: exactly({
    id: STRING,
    at: TIME,
    subject: STRING,
    role: STRING,
    authority: nullable(STRING),
    via: STRING,
    method: STRING,
    route: STRING,
    familyIds: array(UUID),
    targetIds: array(STRING),
    status: INTEGER,
    correlationId: STRING,
  }),
  AuditPage: page('AuditRecord'),
};

/** Every error. */
export const PROBLEM: Schema = {
  type: 'object',
  description:
    'An error, as RFC 9457 problem details (`application/problem+json`): `type`, `title`, ' +
    '`status`, `detail`; besides them `code` names the rule (409, 412), `errors` each broken ' +
    'field and rule (400), and `statusCode`/`error`/`message` repeat status, title and detail.',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri-reference', example: 'about:blank' },
    title: { type: 'string', example: 'Conflict' },
    status: { type: 'integer', minimum: 400, maximum: 599, example: 409 },
    detail: { type: 'string', example: 'a plan can only be agreed after an acceptance' },
    code: { type: 'string', example: 'invariant_violated' },
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    errors: {
      type: 'array',
      items: object(
        {
          field: { type: 'string', example: 'data.reasons' },
          rule: { type: 'string', example: 'arrayMinSize' },
          message: { type: 'string' },
          allowed: {
            type: 'array',
            items: { type: 'string' },
            description: 'With rule `code-list`: every code the field may take',
            example: ['planned', 'disengaged', 'moved_area', 'custody', 'other'],
          },
        },
        ['field', 'rule', 'message'],
      ),
    },
  },
};
