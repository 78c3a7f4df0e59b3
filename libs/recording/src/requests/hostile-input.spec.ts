import { randomUUID } from 'node:crypto';
import { parseRecordEvent, parseReferFamily } from './requests';
import { RequestInvalid } from './validation';

/**
 * Hostile and malformed request bodies that the validators alone refuse, moved here from
 * test/hostile-input.e2e-spec.ts with the same cases and expectations: each is refused with a 400
 * (`RequestInvalid`) naming the field, and the rule where one is given. So nothing reaches the
 * decider or the store. The e2e spec keeps at least one case of each rule per endpoint, sent over
 * HTTP (status, problem+json, no stack trace, nothing stored).
 */
interface Case {
  name: string;
  body: object;
  /** A field the problem must name (and its rule, if given). */
  field: string;
  rule?: string;
}

const authority = `hostile-${randomUUID().slice(0, 8)}`;
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
const SQL = "x'); DROP TABLE events; --";
const SCRIPT = '<script>alert(1)</script>';

/** `POST /v1/families` bodies. */
const referrals: Case[] = [
  {
    name: 'constructor.prototype key',
    body: referral({ constructor: { prototype: { admin: true } } }),
    field: 'constructor',
    rule: 'forbidden-key',
  },
  {
    name: 'authority as a number',
    body: referral({ authority: 42 }),
    field: 'authority',
  },
  {
    name: 'authority as an object',
    body: referral({ authority: { $ne: null } }),
    field: 'authority',
  },
  {
    name: 'reasons of objects',
    body: referral({}, { reasons: [{ a: 1 }] }),
    field: 'referral.reasons',
  },
  {
    name: 'script in the authority',
    body: referral({ authority: SCRIPT }),
    field: 'authority',
    rule: 'matches',
  },
  {
    name: 'SQL in a reason code',
    body: referral({}, { reasons: [SQL] }),
    field: 'referral.reasons',
  },
  {
    name: 'year 1899',
    body: referral({}, { occurredAt: '1899-12-31' }),
    field: 'referral.occurredAt',
  },
  {
    name: '30 February',
    body: referral({}, { occurredAt: '2025-02-30' }),
    field: 'referral.occurredAt',
  },
  {
    name: 'a date in words',
    body: referral({}, { occurredAt: 'yesterday' }),
    field: 'referral.occurredAt',
  },
  {
    name: 'a date as a number',
    body: referral({}, { occurredAt: 1736467200000 }),
    field: 'referral.occurredAt',
  },
  {
    name: 'a 6-digit year',
    body: referral({}, { occurredAt: '+020250-01-10' }),
    field: 'referral.occurredAt',
  },
  {
    name: 'members not an array',
    body: referral({ members: 'p1' }),
    field: 'members',
  },
  {
    name: 'a memberId with spaces',
    body: referral(member({ memberId: 'Jane Doe' })),
    field: 'members.0.memberId',
  },
  {
    name: 'too many members',
    body: referral({
      members: Array.from({ length: 1000 }, (_, i) => ({ memberId: `m${i}`, role: 'child' })),
    }),
    field: 'members',
    rule: 'arrayMaxSize',
  },
  {
    name: 'a lone high surrogate in a name',
    body: referral(member({ name: 'Ann\ud800e' })),
    field: 'members.0.name',
    rule: 'isCleanText',
  },
  {
    name: 'a lone low surrogate in an address',
    body: referral(member({ address: '\udc00 High St' })),
    field: 'members.0.address',
    rule: 'isCleanText',
  },
  {
    name: 'an RTL override in a name',
    body: referral(member({ name: 'Ann\u202eenna' })),
    field: 'members.0.name',
    rule: 'isCleanText',
  },
  {
    name: 'a bidi isolate in an address',
    body: referral(member({ address: '1 High St\u2066x' })),
    field: 'members.0.address',
    rule: 'isCleanText',
  },
  {
    name: 'a blank name',
    body: referral(member({ name: '   ' })),
    field: 'members.0.name',
  },
  {
    name: 'a name as an array',
    body: referral(member({ name: ['Ann'] })),
    field: 'members.0.name',
  },
  {
    name: 'a date of birth in year 0',
    body: referral(member({ dateOfBirth: '0000-01-01' })),
    field: 'members.0.dateOfBirth',
  },
  {
    name: 'a date of birth with a time',
    body: referral(member({ dateOfBirth: '2010-01-01T00:00:00Z' })),
    field: 'members.0.dateOfBirth',
  },
  {
    name: 'a sealed blob smuggled in',
    body: referral(
      member({ details: { alg: 'A256GCM', keyId: 'k', iv: 'a', tag: 'b', ciphertext: 'c' } }),
    ),
    field: 'members.0.details',
    rule: 'unknown-field',
  },
];

/** `POST /v1/families/{id}/events` bodies. */
const recordings: Case[] = [
  {
    name: 'an event type as a number',
    body: event(7 as unknown as string),
    field: 'type',
  },
  {
    name: 'FamilyErased through the events endpoint',
    body: event('FamilyErased'),
    field: 'type',
  },
  {
    name: 'a scheduler-only follow-up event',
    body: event('FollowUpDue', { episode: 1 }),
    field: 'type',
  },
  {
    name: 'data as an array',
    body: event('ReviewHeld', [] as unknown as Record<string, unknown>),
    field: 'data',
  },
  {
    name: 'script in a code',
    body: event('AsbIncidentRecorded', { asbType: SCRIPT, sourceAgency: 'police' }),
    field: 'data.asbType',
  },
  {
    name: 'a lone surrogate in free text',
    body: event('FamilyExited', { exitType: 'other', reason: '\ud83d' }),
    field: 'data.reason',
    rule: 'isCleanText',
  },
  {
    name: 'a negative expected revision',
    body: event('InterventionAccepted', {}, { expectedRevision: -1 }),
    field: 'expectedRevision',
  },
  {
    name: 'an expected revision as a string',
    body: event('InterventionAccepted', {}, { expectedRevision: '1' }),
    field: 'expectedRevision',
  },
];

/** The refusal `parse` gives `body`: a `RequestInvalid`, or a failure if it accepts it. */
async function refusal(parse: (body: unknown) => Promise<unknown>, body: object) {
  const error = await parse(body).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RequestInvalid);
  return error as RequestInvalid;
}

describe.each([
  ['parseReferFamily', parseReferFamily, referrals],
  ['parseRecordEvent', parseRecordEvent, recordings],
] as const)('%s refuses hostile and malformed bodies', (_name, parse, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_case, c) => {
    const error = await refusal(parse, c.body);
    expect(error.getStatus()).toBe(400);
    expect(error.getResponse()).toMatchObject({ statusCode: 400 });
    expect(error.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: c.field, ...(c.rule ? { rule: c.rule } : {}) }),
      ]),
    );
    for (const e of error.errors) expect(typeof e.message).toBe('string');
  });
});
