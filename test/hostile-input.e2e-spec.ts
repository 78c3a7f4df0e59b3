import { randomUUID } from 'node:crypto';
import { Role } from '@app/security';
import jwt from 'jsonwebtoken';
import { as, token } from './support/auth';
import { Harness, snapshot, startHarness } from './support/harness';
import { recordEvents, referFamily } from './support/stories';

/**
 * A corpus of hostile and malformed requests, one row each: every one must get a clear 4xx (a
 * problem body naming the field and rule, or the invariant, where there is one), and afterwards the
 * event store and every read model must be byte-for-byte as they were.
 */
interface Case {
  name: string;
  method?: 'get' | 'post';
  path: string | ((f: Fixture) => string);
  /** An object is sent as JSON; a string is sent as it is (raw), with `type`. */
  body?: string | object | ((f: Fixture) => object);
  type?: string;
  caller?: [Role, string | null] | ((f: Fixture) => [Role, string | null]);
  /** Credentials sent instead of a token for `caller` (none: `{}`). */
  credentials?: Record<string, string>;
  status: number;
  /** For 400: a field the problem must name (and its rule, if given). */
  field?: string;
  rule?: string;
  /** For 409: the code or the invariant's rule. */
  code?: string;
  /** Batch endpoint: the status every item must have. */
  items?: number;
}

interface Fixture {
  familyId: string;
  authority: string;
  eventId: string;
}

const authority = `hostile-${randomUUID().slice(0, 8)}`;
const families = '/v1/families';
const events = (f: Fixture) => `/v1/families/${f.familyId}/events`;
const referral = (extra: Record<string, unknown> = {}, referralExtra = {}) => ({
  authority,
  programme: 'fip',
  referral: { source: 'police', reasons: ['asb'], occurredAt: '2025-01-10', ...referralExtra },
  ...extra,
});
const member = (extra: Record<string, unknown>) => ({
  members: [{ memberId: 'p1', role: 'parent', ...extra }],
});
const event = (type: string, data: Record<string, unknown> = {}, extra = {}) => ({
  type,
  occurredAt: '2025-02-01',
  data,
  ...extra,
});
/** Bearer headers for a token signed with the API's own key but made by hand (not by issueToken). */
const handMade = (claims: Record<string, unknown>) => {
  const now = Math.floor(Date.now() / 1000);
  const token = jwt.sign(
    { role: 'keyworker', authority, iat: now, exp: now + 600, ...claims },
    process.env.AUTH_JWT_SECRET!,
    {
      algorithm: 'HS256',
      subject: 'hand-made',
      issuer: 'outcomes-ledger',
      audience: 'outcomes-ledger-api',
    },
  );
  return { authorization: `Bearer ${token}` };
};
const DAY = 86_400;
/** A cursor as the API would encode one, with whatever a crafter put in it. */
const crafted = (...parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
const UUID0 = '00000000-0000-4000-8000-000000000000';
const SQL = "x'); DROP TABLE events; --";
const TEN_MB = 'x'.repeat(10 * 1024 * 1024);

const cases: Case[] = [
  // Broken or wrong-shaped bodies.
  {
    name: 'broken JSON',
    path: families,
    body: '{"authority": "a",',
    type: 'application/json',
    status: 400,
  },
  {
    name: 'JSON with a trailing comma',
    path: families,
    body: '{"a": 1,}',
    type: 'application/json',
    status: 400,
  },
  {
    name: 'a JSON array body',
    path: families,
    body: '[]',
    type: 'application/json',
    status: 400,
    field: 'body',
  },
  {
    name: 'a bare JSON string',
    path: families,
    body: '"hello"',
    type: 'application/json',
    status: 400,
  },
  { name: 'JSON null', path: families, body: 'null', type: 'application/json', status: 400 },
  { name: 'an empty JSON body', path: families, body: '', type: 'application/json', status: 400 },
  {
    name: 'form-encoded body',
    path: families,
    body: 'authority=a&programme=b',
    type: 'application/x-www-form-urlencoded',
    status: 400,
  },
  {
    name: 'text/plain body',
    path: families,
    body: JSON.stringify(referral()),
    type: 'text/plain',
    status: 400,
  },
  { name: 'a 10 MB body', path: families, body: referral({ programme: TEN_MB }), status: 413 },
  {
    name: 'deeply nested arrays',
    path: families,
    body: `{"referral": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
    type: 'application/json',
    status: 400,
    field: 'body',
    rule: 'max-depth',
  },
  {
    name: 'prototype pollution key',
    path: families,
    body: `{"__proto__": {"admin": true}, "authority": "${authority}", "programme": "fip", "referral": {"source": "police", "reasons": ["asb"], "occurredAt": "2025-01-10"}}`,
    type: 'application/json',
    status: 400,
    field: '__proto__',
    rule: 'forbidden-key',
  },

  // Missing fields and wrong types on a referral.
  {
    name: 'no referral',
    path: families,
    body: { authority, programme: 'fip' },
    status: 400,
    field: 'referral',
  },
  {
    name: 'no authority',
    path: families,
    body: referral({ authority: undefined }),
    status: 400,
    field: 'authority',
  },
  {
    name: 'reasons as a string',
    path: families,
    body: referral({}, { reasons: 'asb' }),
    status: 400,
    field: 'referral.reasons',
  },
  {
    name: 'reasons empty',
    path: families,
    body: referral({}, { reasons: [] }),
    status: 400,
    field: 'referral.reasons',
    rule: 'arrayMinSize',
  },
  {
    name: 'a huge reasons array',
    path: families,
    body: referral({}, { reasons: Array(100_000).fill('asb') }),
    status: 400,
    field: 'referral.reasons',
    rule: 'arrayMaxSize',
  },
  {
    name: 'an unknown field',
    path: families,
    body: referral({ isAdmin: true }),
    status: 400,
    field: 'isAdmin',
    rule: 'unknown-field',
  },
  {
    name: 'familyId not a UUID',
    path: families,
    body: referral({ familyId: '1 OR 1=1' }),
    status: 400,
    field: 'familyId',
  },
  {
    name: 'SQL in the programme',
    path: families,
    body: referral({ programme: SQL }),
    status: 400,
    field: 'programme',
    rule: 'matches',
  },

  // Dates.
  {
    name: 'a referral in the future',
    path: families,
    body: referral({}, { occurredAt: '2999-01-01' }),
    status: 400,
    field: 'occurredAt',
    rule: 'not-in-future',
  },
  {
    name: 'year 0',
    path: families,
    body: referral({}, { occurredAt: '0000-01-01' }),
    status: 400,
    field: 'referral.occurredAt',
  },

  // Members and their personal details (unicode edge cases).
  {
    name: 'an unknown member role',
    path: families,
    body: referral(member({ role: 'landlord' })),
    status: 400,
    field: 'members.0.role',
  },
  {
    name: 'a NUL in a name',
    path: families,
    body: referral(member({ name: 'Ann\u0000e' })),
    status: 400,
    field: 'members.0.name',
    rule: 'isCleanText',
  },
  {
    name: 'a very long name',
    path: families,
    body: referral(member({ name: 'A'.repeat(100_000) })),
    status: 400,
    field: 'members.0.name',
    rule: 'maxLength',
  },
  {
    name: 'a date of birth in the future',
    path: families,
    body: referral(member({ dateOfBirth: '2999-01-01' })),
    status: 400,
    field: 'members.0.dateOfBirth',
    rule: 'isBirthDate',
  },

  // Duplicates.
  {
    name: 'the same familyId with a different body',
    path: families,
    body: (f) => referral({ familyId: f.familyId, programme: 'triple_p' }),
    status: 409,
    code: 'family_exists',
  },
  {
    name: 'an event id reused for a different event',
    path: events,
    body: (f) => event('KeyWorkerAssigned', { workerId: 'kw-other' }, { id: f.eventId }),
    status: 409,
    code: 'duplicate_event_id',
  },

  // Recording events.
  {
    name: 'a family id that is not a UUID',
    path: '/v1/families/not-a-uuid/events',
    body: event('InterventionAccepted'),
    status: 400,
    field: 'familyId',
  },
  {
    name: 'an unknown family',
    path: () => `/v1/families/${randomUUID()}/events`,
    body: event('InterventionAccepted'),
    status: 404,
  },
  {
    name: 'an unknown event type',
    path: events,
    body: event('FamilyTeleported'),
    status: 400,
    field: 'type',
  },
  {
    name: 'no data',
    path: events,
    body: { type: 'InterventionAccepted', occurredAt: '2025-02-01' },
    status: 400,
    field: 'data',
  },
  {
    name: 'a required field missing',
    path: events,
    body: event('KeyWorkerAssigned'),
    status: 400,
    field: 'data.workerId',
  },
  {
    name: 'SQL in a worker id',
    path: events,
    body: event('KeyWorkerAssigned', { workerId: SQL }),
    status: 400,
    field: 'data.workerId',
  },
  {
    name: 'an extra data field',
    path: events,
    body: event('InterventionAccepted', { accepted: true }),
    status: 400,
    field: 'data.accepted',
    rule: 'unknown-field',
  },
  {
    name: 'hours as a string',
    path: events,
    body: event('ReviewHeld', { weeklyContactHours: '9' }),
    status: 400,
    field: 'data.weeklyContactHours',
  },
  {
    name: 'hours out of range',
    path: events,
    body: event('ReviewHeld', { weeklyContactHours: 1e308 }),
    status: 400,
    field: 'data.weeklyContactHours',
  },
  {
    name: 'negative hours',
    path: events,
    body: event('SupportDelivered', { supportType: 'parenting', hours: -1 }),
    status: 400,
    field: 'data.hours',
  },
  {
    name: 'a boolean as a string',
    path: events,
    body: event('CafClosed', { cafId: 'c1', needsMet: 'true' }),
    status: 400,
    field: 'data.needsMet',
  },
  {
    name: 'more sessions attended than possible',
    path: events,
    body: event('SchoolAttendanceRecorded', {
      childId: 'c1',
      periodStart: '2025-01-01',
      periodEnd: '2025-01-31',
      possibleSessions: 10,
      attendedSessions: 11,
      unauthorisedSessions: 0,
    }),
    status: 400,
    field: 'attendedSessions',
  },
  {
    name: 'a period ending before it starts',
    path: events,
    body: event('SchoolAttendanceRecorded', {
      childId: 'c1',
      periodStart: '2025-01-31',
      periodEnd: '2025-01-01',
      possibleSessions: 10,
      attendedSessions: 9,
      unauthorisedSessions: 0,
    }),
    status: 400,
    field: 'periodEnd',
  },
  {
    name: 'a NUL in free text',
    path: events,
    body: event('InterventionRefused', { stage: 'offer', reason: 'no\u0000' }),
    status: 400,
    field: 'data.reason',
    rule: 'isCleanText',
  },
  {
    name: 'very long free text',
    path: events,
    body: event('FamilyExited', { exitType: 'other', reason: 'z'.repeat(200_000) }),
    status: 400,
    field: 'data.reason',
    rule: 'maxLength',
  },
  {
    name: 'huge array of CAF ids',
    path: events,
    body: event('TeamAroundFamilyFormed', { cafIds: Array(50_000).fill('c') }),
    status: 400,
    field: 'data.cafIds',
  },
  {
    name: 'an event in the future',
    path: events,
    body: { ...event('InterventionAccepted'), occurredAt: '2999-12-31' },
    status: 400,
    field: 'occurredAt',
    rule: 'not-in-future',
  },
  {
    name: 'an event in year 0',
    path: events,
    body: { ...event('InterventionAccepted'), occurredAt: '0000-06-01' },
    status: 400,
    field: 'occurredAt',
  },
  {
    name: 'an event id that is not a UUID',
    path: events,
    body: event('InterventionAccepted', {}, { id: 'abc' }),
    status: 400,
    field: 'id',
  },
  {
    name: 'a stale expected revision',
    path: events,
    body: event('InterventionAccepted', {}, { expectedRevision: 0 }),
    status: 409,
    code: 'revision_conflict',
  },
  {
    name: 'member details with none of them',
    path: events,
    body: event('MemberDetailsRecorded', { memberId: 'p2', role: 'child' }),
    status: 400,
    field: 'data',
    rule: 'has-details',
  },

  // Out-of-order lifecycle.
  {
    name: 'a second offer',
    path: events,
    body: event('InterventionOffered'),
    status: 409,
    code: 'offer-once-after-referral',
  },
  {
    name: 'a planned exit before acceptance',
    path: events,
    body: event('FamilyExited', { exitType: 'planned' }),
    status: 409,
    code: 'planned-exit-after-acceptance',
  },
  {
    name: 'a support plan before acceptance',
    path: events,
    body: event('SupportPlanAgreed', { domains: ['asb'], plannedWeeklyHours: 9 }),
    status: 409,
    code: 'support-plan-after-acceptance',
  },
  {
    name: 'acceptance dated before the offer',
    path: events,
    body: { ...event('InterventionAccepted'), occurredAt: '2025-01-11' },
    status: 409,
    code: 'lifecycle-date-order',
  },
  {
    name: 'a second referral while open',
    path: events,
    body: event('FamilyReferred', {
      authority,
      programme: 'fip',
      source: 'police',
      reasons: ['asb'],
    }),
    status: 409,
    code: 'one-open-episode',
  },
  {
    name: 'a review of an unknown CAF',
    path: events,
    body: event('CafReviewed', { cafId: 'nope' }),
    status: 409,
    code: 'caf-must-be-open',
  },
  {
    name: 'a follow-up completed before any exit',
    path: (f) => `/v1/follow-ups/${f.familyId}/complete`,
    body: { educationProblems: false },
    status: 404,
  },

  // Batches.
  {
    name: 'a batch without events',
    path: '/v1/events/batch',
    body: {},
    status: 400,
    field: 'events',
  },
  {
    name: 'an empty batch',
    path: '/v1/events/batch',
    body: { events: [] },
    status: 400,
    field: 'events',
    rule: 'arrayMinSize',
  },
  {
    name: 'a batch of 1,001',
    path: '/v1/events/batch',
    body: { events: Array(1001).fill({}) },
    status: 400,
    field: 'events',
    rule: 'arrayMaxSize',
  },
  {
    name: 'a batch of bad items',
    path: '/v1/events/batch',
    body: (f) => ({
      events: [
        null,
        5,
        'x',
        { familyId: 'nope' },
        { ...event('FamilyTeleported'), familyId: f.familyId },
        { ...event('InterventionAccepted'), familyId: f.familyId, occurredAt: '2999-01-01' },
      ],
    }),
    status: 200,
    items: 400,
  },

  // Queries.
  {
    name: 'a list limit too large',
    method: 'get',
    path: `${families}?limit=100000`,
    status: 400,
    field: 'limit',
  },
  {
    name: 'a forged cursor',
    method: 'get',
    path: `${families}?cursor=Zm9v`,
    status: 400,
    field: 'cursor',
  },
  {
    name: 'a family id not a UUID (read)',
    method: 'get',
    path: `${families}/..%2F..%2Fetc%2Fpasswd`,
    status: 400,
    field: 'familyId',
  },
  {
    name: 'SQL in an outcomes filter',
    method: 'get',
    path: `/v1/outcomes?authority=${encodeURIComponent("' OR 1=1 --")}`,
    caller: ['evaluator', null],
    status: 400,
    field: 'authority',
  },
  {
    name: 'an as-at date in year 0',
    method: 'get',
    path: '/v1/outcomes?asAt=0000-01-01',
    caller: ['evaluator', null],
    status: 400,
    field: 'asAt',
  },
  {
    name: 'an unknown cohort',
    method: 'get',
    path: '/v1/outcomes?cohort=everyone',
    caller: ['evaluator', null],
    status: 400,
    field: 'cohort',
  },
  {
    name: 'a repeated query parameter',
    method: 'get',
    path: '/v1/outcomes?authority=a&authority=b',
    caller: ['evaluator', null],
    status: 400,
    field: 'authority',
  },
  {
    name: 'an unknown follow-up status',
    method: 'get',
    path: '/v1/follow-ups?status=bogus',
    status: 400,
    field: 'status',
  },
  {
    name: 'erasure of a non-UUID',
    path: `${families}/nope/erasure`,
    caller: ['manager', authority],
    status: 400,
    field: 'familyId',
  },
  { name: 'an unknown route', path: '/v1/families/../../admin', status: 404 },

  // Credentials and authority.
  {
    name: 'no credentials',
    path: events,
    body: event('InterventionAccepted'),
    credentials: {},
    status: 401,
  },
  {
    name: 'a token signed with another key',
    path: events,
    body: event('InterventionAccepted'),
    credentials: {
      authorization: `Bearer ${token('keyworker', authority, 'kw', { secret: 'not-the-key-not-the-key-not-the-key-0000' })}`,
    },
    status: 401,
  },
  {
    name: 'a bearer that is not a token',
    path: events,
    body: event('InterventionAccepted'),
    credentials: { authorization: `Bearer ${SQL}` },
    status: 401,
  },
  {
    name: 'an evaluator recording an event',
    path: events,
    body: event('InterventionAccepted'),
    caller: ['evaluator', null],
    status: 403,
  },
  {
    name: 'a key worker erasing a family',
    path: (f) => `${families}/${f.familyId}/erasure`,
    status: 403,
  },
  {
    name: "an event on another authority's family",
    path: events,
    body: event('InterventionAccepted'),
    caller: ['keyworker', `${authority}-b`],
    status: 404,
  },
  {
    name: "another authority's timeline",
    method: 'get',
    path: (f) => `${families}/${f.familyId}/timeline`,
    caller: ['keyworker', `${authority}-b`],
    status: 404,
  },
  {
    name: 'a referral into another authority',
    path: families,
    body: referral(),
    caller: ['keyworker', `${authority}-b`],
    status: 403,
    code: 'outside_authority',
  },
  {
    name: 'a manager of another authority erasing',
    path: (f) => `${families}/${f.familyId}/erasure`,
    caller: ['manager', `${authority}-b`],
    status: 404,
  },
  {
    name: 'the family list with a crafted cursor: a 19-digit number',
    method: 'get',
    path: `/v1/families?cursor=${encodeURIComponent('9999999999999999999')}`,

    status: 400,
    field: 'cursor',
  },
  {
    name: 'the family list with a crafted cursor: a time PostgreSQL cannot read',
    method: 'get',
    path: `/v1/families?cursor=${encodeURIComponent(crafted('+275760-09-13T00:00:00.000Z', UUID0))}`,

    status: 400,
    field: 'cursor',
  },
  {
    name: 'the family list with a crafted cursor: a loose date',
    method: 'get',
    path: `/v1/families?cursor=${encodeURIComponent(crafted('1', UUID0))}`,

    status: 400,
    field: 'cursor',
  },
  {
    name: 'the family list with a crafted cursor: a non-UUID id',
    method: 'get',
    path: `/v1/families?cursor=${encodeURIComponent(crafted('2025-01-10T00:00:00.000Z', '-'.repeat(36)))}`,

    status: 400,
    field: 'cursor',
  },
  {
    name: 'the follow-up list with a crafted cursor: a 19-digit number',
    method: 'get',
    path: `/v1/follow-ups?cursor=${encodeURIComponent('9999999999999999999')}`,

    status: 400,
    field: 'cursor',
  },
  {
    name: 'the follow-up list with a crafted cursor: a time PostgreSQL cannot read',
    method: 'get',
    path: `/v1/follow-ups?cursor=${encodeURIComponent(crafted('+275760-09-13T00:00:00.000Z', UUID0))}`,

    status: 400,
    field: 'cursor',
  },
  {
    name: 'the follow-up list with a crafted cursor: a loose date',
    method: 'get',
    path: `/v1/follow-ups?cursor=${encodeURIComponent(crafted('1', UUID0))}`,

    status: 400,
    field: 'cursor',
  },
  {
    name: 'the follow-up list with a crafted cursor: a non-UUID id',
    method: 'get',
    path: `/v1/follow-ups?cursor=${encodeURIComponent(crafted('2025-01-10T00:00:00.000Z', '-'.repeat(36)))}`,

    status: 400,
    field: 'cursor',
  },
  {
    name: 'the audit trail with a crafted cursor: a 19-digit number',
    method: 'get',
    path: `/v1/audit?cursor=${encodeURIComponent('9999999999999999999')}`,
    caller: ['admin', null],
    status: 400,
    field: 'cursor',
  },
  {
    name: 'a family list filtered by a NUL programme',
    method: 'get',
    path: '/v1/families?programme=%00',
    status: 400,
    field: 'programme',
  },
  {
    name: 'a follow-up list filtered by a NUL authority',
    method: 'get',
    path: '/v1/follow-ups?authority=%00',
    caller: ['keyworker', authority],
    status: 400,
    field: 'authority',
  },
  {
    name: 'outcomes referred up to the last day of year 9999',
    method: 'get',
    path: '/v1/outcomes?referredTo=9999-12-31',
    status: 400,
    field: 'referredTo',
  },
  {
    name: 'a cohort summary exited up to year 9999',
    method: 'get',
    path: '/v1/cohorts/summary?exitedTo=9999-12-31T23:59:59Z',
    status: 400,
    field: 'exitedTo',
  },
  {
    name: 'follow-ups due up to year 9999',
    method: 'get',
    path: '/v1/follow-ups?dueTo=9999-12-31',
    status: 400,
    field: 'dueTo',
  },
  {
    name: 'an audit trail up to year 9999',
    method: 'get',
    path: '/v1/audit?to=9999-12-31',
    caller: ['admin', null],
    status: 400,
    field: 'to',
  },
  {
    name: 'savings up to year 9999',
    method: 'get',
    path: '/v1/savings?referredTo=9999-12-31',
    status: 400,
    field: 'referredTo',
  },
  // Security round two (issue 16): scoping of the trail and metrics, "national" as a scope, token life.
  {
    name: "a scoped admin asking for another authority's audit lines",
    method: 'get',
    path: `/v1/audit?authority=${authority}`,
    caller: ['admin', `${authority}-b`],
    status: 403,
    code: 'outside_authority',
  },
  {
    name: 'a scoped admin scraping every authority’s metrics',
    method: 'get',
    path: '/metrics',
    caller: ['admin', `${authority}-b`],
    status: 403,
    code: 'national_only',
  },
  {
    name: "a key worker's token scoped 'national'",
    method: 'get',
    path: families,
    credentials: handMade({ authority: 'national' }),
    status: 401,
  },
  {
    name: "a data manager's token scoped 'National' building an every-authority return",
    path: '/v1/returns',
    body: { authority: 'national', periodStart: '2025-04-01', periodEnd: '2026-03-31' },
    credentials: handMade({ role: 'data_manager', authority: 'National' }),
    status: 401,
  },
  {
    name: "a referral into an authority coded 'national'",
    path: families,
    body: { ...referral(), authority: 'national' },
    caller: ['keyworker', authority],
    status: 400,
    field: 'authority',
    rule: 'notNational',
  },
  {
    name: "a transfer to an authority coded 'national'",
    path: (f) => `${families}/${f.familyId}/transfer`,
    body: { toAuthority: 'NATIONAL' },
    caller: ['manager', authority],
    status: 400,
    field: 'toAuthority',
    rule: 'notNational',
  },
  {
    name: 'a correctly signed token with an exp ten years out',
    method: 'get',
    path: families,
    credentials: handMade({ exp: Math.floor(Date.now() / 1000) + 3650 * DAY }),
    status: 401,
  },
  {
    name: 'a correctly signed token issued thirty days ahead',
    method: 'get',
    path: families,
    credentials: handMade({
      iat: Math.floor(Date.now() / 1000) + 30 * DAY,
      exp: Math.floor(Date.now() / 1000) + 30 * DAY + 600,
    }),
    status: 401,
  },
];

describe('hostile and malformed requests (e2e)', () => {
  let h: Harness;
  let fixture: Fixture;
  let before: string;

  beforeAll(async () => {
    h = await startHarness();
    const keyworker = as('keyworker', authority);
    const { familyId } = await referFamily(
      h,
      keyworker,
      referral({
        members: [
          { memberId: 'p1', role: 'parent', name: 'Hostile Fixture', dateOfBirth: '1990-01-01' },
        ],
      }),
    );
    const eventId = randomUUID();
    await recordEvents(h, keyworker, familyId, [
      { ...event('InterventionOffered'), occurredAt: '2025-01-12' },
      event('KeyWorkerAssigned', { workerId: 'kw-1' }, { id: eventId }),
    ]);
    fixture = { familyId, authority, eventId };
    before = await everything();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  /** The log, every read model and the family keys. */
  const everything = async () =>
    `${await snapshot(h.db)}\n${JSON.stringify(await h.db.query('SELECT * FROM family_keys ORDER BY family_id'))}`;

  it('holds at least 60 requests', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))(
    '%s',
    async (_name, c) => {
      const path = typeof c.path === 'function' ? c.path(fixture) : c.path;
      const [role, of] =
        typeof c.caller === 'function' ? c.caller(fixture) : (c.caller ?? ['keyworker', authority]);
      let req = (c.method === 'get' ? h.http.get(path) : h.http.post(path)).set(
        c.credentials ?? as(role, of),
      );
      const body =
        typeof c.body === 'function' ? (c.body as (f: Fixture) => unknown)(fixture) : c.body;
      if (typeof body === 'string') {
        req = req.set('content-type', c.type ?? 'application/json').send(body);
      } else if (body !== undefined) {
        req = req.send(body as object);
      }
      const res = await req;
      expect({ status: res.status, body: res.body as unknown }).toMatchObject({ status: c.status });
      expect(res.headers['content-type']).toMatch(/application\/(problem\+)?json/);
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack trace
      if (c.items) {
        const results = res.body.results as { status: number; error: { errors?: unknown[] } }[];
        expect(results.map((r) => r.status)).toEqual(results.map(() => c.items));
        for (const r of results) expect(r.error.errors?.length).toBeGreaterThan(0);
        return;
      }
      expect(res.body).toMatchObject({ statusCode: c.status });
      if (c.field) {
        const errors = res.body.errors as { field: string; rule: string; message: string }[];
        expect(errors).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ field: c.field, ...(c.rule ? { rule: c.rule } : {}) }),
          ]),
        );
      } else if (c.status === 400) {
        expect(typeof res.body.message).toBe('string');
      }
      if (c.code) expect([res.body.code, res.body.rule]).toContain(c.code);
      // Generous under a shared machine: each answer itself takes milliseconds.
    },
    20_000,
  );

  it('changed nothing: the event store and read models are byte-for-byte as before', async () => {
    // Anything wrongly accepted would be in the log by now; let the projections take it in too.
    await h.caughtUp(await h.store.lastPosition());
    expect(await everything()).toBe(before);
  });
});
