import { randomUUID } from 'node:crypto';
import { DEFAULT_SPEC, insertReturn } from '@app/returns';
import { createApiKey } from '@app/security';
import { as } from './support/auth';
import { extractRecipients } from './support/extract-keys';
import { Harness, startHarness } from './support/harness';

/**
 * Done means (issue 14, item 3): an extract is bound to its recipient. The recipient comes from
 * the caller's API key, never from a query parameter; any other caller is 403; and an extract
 * never has fewer rows than the disclosure threshold (its rows are withheld instead).
 */

const LA = 'leeds';
const SMALL = 'rutland';
const PERIOD = { periodStart: '2025-10-01', periodEnd: '2025-12-31' };
const THRESHOLD = 5;
const recipients = extractRecipients(['natcen', 'dfe', 'ifs']);

type Item = { familyId: string; type: string; occurredAt: string; data: Record<string, unknown> };
type Row = { pseudonym: string };

/** A family referred in February 2025 that exits (planned) in November 2025. */
function exited(authority: string, i: number): Item[] {
  const familyId = randomUUID();
  const day = (d: number) => new Date(Date.UTC(2025, 1, 1 + i + d)).toISOString();
  return [
    ['FamilyReferred', 0, { authority, programme: 'fip', source: 'police', reasons: ['asb'] }],
    ['DomainAssessmentRecorded', 1, { stage: 'referral', domesticViolence: i < 2 }],
    ['InterventionOffered', 3, {}],
    ['InterventionAccepted', 5, {}],
    ['SupportPlanAgreed', 10, { domains: ['asb'], plannedWeeklyHours: 9 }],
    ['ReviewHeld', 40, { weeklyContactHours: 9 }],
    ['DomainAssessmentRecorded', 280, { stage: 'exit', domesticViolence: false }],
    ['FamilyExited', 280, { exitType: 'planned' }],
  ].map(([type, d, data]) => ({
    familyId,
    type: type as string,
    occurredAt: day(d as number),
    data: data as Record<string, unknown>,
  }));
}

jest.setTimeout(60_000);

describe('extracts bound to their recipient (e2e)', () => {
  let h: Harness;
  let keys: Record<string, string>;
  let unbound: string;
  let big: string;
  let small: string;

  const extract = (id: string, who: Record<string, string>, query = '') =>
    h.http.get(`/v1/returns/${id}/extract${query}`).set(who);
  const key = (name: string) => ({ 'x-api-key': keys[name] });

  beforeAll(async () => {
    process.env.EXTRACT_RECIPIENT_KEYS = recipients.env;
    process.env.DISCLOSURE_THRESHOLD = String(THRESHOLD);
    h = await startHarness();
    keys = await recipients.issue(h.db);
    // An accredited evaluator's key that no recipient lists.
    unbound = (await createApiKey(h.db, { role: 'evaluator', authority: null, label: 'unbound' }))
      .key;
    let last = '0';
    for (const [authority, n] of [
      [LA, 8],
      [SMALL, 3],
    ] as const) {
      const res = await h.http
        .post('/v1/events/batch')
        .set(as('keyworker', authority))
        .send({ events: Array.from({ length: n }, (_, i) => exited(authority, i)).flat() });
      expect(res.status).toBe(200);
      const results = res.body.results as { status: number; position: string }[];
      expect(results.filter((r) => r.status !== 201)).toEqual([]);
      last = results.at(-1)!.position;
    }
    await h.caughtUp(last);
    const position = await h.store.lastPosition();
    const request = async (authority: string) => {
      const id = randomUUID();
      await insertReturn(h.db, {
        id,
        authority,
        ...PERIOD,
        spec: DEFAULT_SPEC,
        position,
        requestedBy: 'data_manager.test',
        requestedAt: new Date().toISOString(),
      });
      return id;
    };
    big = await request(LA);
    small = await request(SMALL);
  });

  afterAll(async () => {
    await h?.close();
    delete process.env.EXTRACT_RECIPIENT_KEYS;
    delete process.env.DISCLOSURE_THRESHOLD;
  });

  it("gives each recipient's key its own extract, under its own pseudonyms, and never another's", async () => {
    const a = await extract(big, key('natcen'));
    expect(a.status).toBe(200);
    expect(a.body.recipient).toBe('natcen');
    expect(a.body.rows).toHaveLength(8);
    const b = await extract(big, key('dfe'));
    expect(b.status).toBe(200);
    expect(b.body.recipient).toBe('dfe');
    expect(b.body.rows).toHaveLength(8);
    const ofA = new Set((a.body.rows as Row[]).map((r) => r.pseudonym));
    for (const r of b.body.rows as Row[]) expect(ofA.has(r.pseudonym)).toBe(false);
    // Asking for A's extract with B's key: refused, naming the rule; no row of A's.
    const asA = await extract(big, key('dfe'), '?recipient=natcen');
    expect(asA.status).toBe(403);
    expect(asA.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(asA.body.code).toBe('recipient_mismatch');
    expect(asA.body.errors).toEqual([
      expect.objectContaining({ field: 'recipient', rule: 'own_recipient' }),
    ]);
    for (const p of ofA) expect(JSON.stringify(asA.body)).not.toContain(p);
    // No key material in any answer.
    for (const k of Object.values(recipients.pseudonymKeys)) {
      expect(JSON.stringify([a.body, b.body, asA.body])).not.toContain(k);
    }
  });

  it('lets the recipient parameter name only the credential’s own recipient', async () => {
    const own = await extract(big, key('dfe'), '?recipient=dfe');
    expect(own.status).toBe(200);
    expect(own.body.rows).toEqual((await extract(big, key('dfe'))).body.rows);
    for (const other of ['natcen', 'ifs', 'nobody']) {
      const r = await extract(big, key('dfe'), `?recipient=${other}`);
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('recipient_mismatch');
      expect(r.body.rows).toBeUndefined();
    }
  });

  it('refuses (403, naming the rule) every caller whose credential no recipient is bound to', async () => {
    const callers: [string, Record<string, string>, string][] = [
      ['evaluator token', as('evaluator', null), ''],
      ['evaluator token naming a recipient', as('evaluator', null), '?recipient=natcen'],
      // A token whose subject is a bound key's: anyone who can mint a token chooses its subject.
      [
        'token posing as a bound key',
        as('evaluator', null, `api-key:${recipients.ids.natcen}`),
        '?recipient=natcen',
      ],
      ['evaluator key bound to no recipient', { 'x-api-key': unbound }, '?recipient=natcen'],
    ];
    for (const [who, headers, query] of callers) {
      const r = await extract(big, headers, query);
      expect({ who, status: r.status }).toEqual({ who, status: 403 });
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.body.code).toBe('extract_not_bound');
      expect(r.body.errors).toEqual([
        expect.objectContaining({ field: 'credential', rule: 'bound_api_key' }),
      ]);
      expect(r.body.rows).toBeUndefined();
    }
    // Roles without the permission are refused by it, bound key or not.
    const manager = await extract(big, as('manager', LA));
    expect(manager.status).toBe(403);
  });

  it('never gives fewer rows than the disclosure threshold: a small return’s rows are withheld, and it says so', async () => {
    const r = await extract(small, key('natcen'));
    expect(r.status).toBe(200);
    expect(r.body.rows).toEqual([]);
    expect(r.body.disclosure).toEqual({
      threshold: THRESHOLD,
      rows: 'withheld',
      rule: expect.stringMatching(/no rows or at least 5.*withheld/),
    });
    // The number withheld is not stated anywhere in the answer.
    expect(JSON.stringify(r.body)).not.toMatch(/"(count|withheld|n)":\s*3/);
    const full = await extract(big, key('natcen'));
    expect(full.body.disclosure).toEqual(expect.objectContaining({ rows: 'all' }));
    for (const id of [big, small]) {
      for (const name of ['natcen', 'dfe']) {
        const rows = (await extract(id, key(name))).body.rows as Row[];
        expect(rows.length === 0 || rows.length >= THRESHOLD).toBe(true);
      }
    }
  });
});
