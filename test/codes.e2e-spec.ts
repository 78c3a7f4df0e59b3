import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FamilyEvent, familyStreamId } from '@app/domain';
import { Harness, snapshot, startHarness } from './support/harness';
import { as } from './support/auth';
import { referFamily, referralBody, recordEvents, toAppend } from './support/stories';

/**
 * Code lists (issue 15 item 6): `FIP` and `fip` are one programme, stored as `fip`; a filter
 * `?programme=fip` finds families recorded as `FIP`, those recorded before the lists too (their
 * events upcast on read); a code on no list is refused naming the field and the allowed codes.
 */
describe('code lists (e2e)', () => {
  let h: Harness;
  const authority = `codes-${randomUUID().slice(0, 8)}`;
  const keyworker = as('keyworker', authority);
  const manager = as('manager', authority);

  // The authority's own addition to the programmes' list (CODE_LISTS_DIR, read at start).
  const listsDir = mkdtempSync(join(tmpdir(), 'code-lists-'));
  const given = process.env.CODE_LISTS_DIR;

  beforeAll(async () => {
    writeFileSync(
      join(listsDir, 'ours.json'),
      JSON.stringify({
        authority,
        version: 2,
        lists: { programmes: [{ code: 'tri_borough', name: 'Tri-borough pilot' }] },
      }),
    );
    process.env.CODE_LISTS_DIR = listsDir;
    h = await startHarness();
  });
  afterAll(async () => {
    if (given === undefined) delete process.env.CODE_LISTS_DIR;
    else process.env.CODE_LISTS_DIR = given;
    await h?.close();
    rmSync(listsDir, { recursive: true, force: true });
  });

  const listed = async (query: string) => {
    const res = await h.http.get(`/v1/families?authority=${authority}${query}`).set(keyworker);
    expect(res.status).toBe(200);
    return (res.body.items as { familyId: string; programme: string }[])
      .map((f) => `${f.familyId}:${f.programme}`)
      .sort();
  };

  /** The payload as the store holds it. */
  const stored = async (familyId: string, revision = 0) =>
    (await h.store.readStream(familyStreamId(familyId)))[revision].data;

  let upper: string;
  let lower: string;
  let old: string;

  it('takes FIP and fip (Police, ASB) as one code each, stored as the listed code', async () => {
    ({ familyId: upper } = await referFamily(
      h,
      keyworker,
      referralBody(authority, { programme: 'FIP' }, { source: 'Police', reasons: ['ASB'] }),
    ));
    ({ familyId: lower } = await referFamily(h, keyworker, referralBody(authority)));
    expect(await stored(upper)).toMatchObject({
      programme: 'fip',
      source: 'police',
      reasons: ['asb'],
    });
    expect(await stored(lower)).toMatchObject({ programme: 'fip', source: 'police' });
    // Other coded fields alike: an exit type, an incident's agency, a kind of support.
    await recordEvents(h, keyworker, upper, [
      { type: 'InterventionOffered', occurredAt: '2025-01-11' },
      {
        type: 'AsbIncidentRecorded',
        occurredAt: '2025-01-12',
        data: { asbType: 'noise', sourceAgency: 'Housing' },
      },
      {
        type: 'SupportDelivered',
        occurredAt: '2025-01-13',
        data: { supportType: 'Key_Worker', hours: 2 },
      },
    ]);
    expect(await stored(upper, 2)).toMatchObject({ sourceAgency: 'housing' });
    expect(await stored(upper, 3)).toMatchObject({ supportType: 'key_worker' });
  });

  it('a retried referral in another case is the same record, not a second family', async () => {
    const familyId = randomUUID();
    const body = referralBody(authority, { familyId, programme: 'fip' });
    const first = await h.http.post('/v1/families').set(keyworker).send(body);
    const again = await h.http
      .post('/v1/families')
      .set(keyworker)
      .send({ ...body, programme: 'Fip' });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.position).toBe(first.body.position);
    await h.caughtUp(first.body.position as string);
  });

  it('?programme=fip (or FIP) finds the families recorded as FIP', async () => {
    const both = [`${lower}:fip`, `${upper}:fip`].sort();
    expect((await listed('&programme=fip')).filter((f) => both.includes(f))).toEqual(both);
    expect((await listed('&programme=FIP')).filter((f) => both.includes(f))).toEqual(both);
  });

  it('counts events stored before the lists, in another case, under the listed code', async () => {
    old = randomUUID();
    const events: FamilyEvent[] = [
      {
        type: 'FamilyReferred',
        data: {
          occurredAt: '2024-03-01T00:00:00.000Z',
          authority,
          programme: 'FIP',
          source: 'Police',
          reasons: ['ASB'],
        },
      },
      { type: 'InterventionOffered', data: { occurredAt: '2024-03-02T00:00:00.000Z' } },
      { type: 'InterventionAccepted', data: { occurredAt: '2024-03-03T00:00:00.000Z' } },
      {
        type: 'FamilyExited',
        data: { occurredAt: '2024-09-01T00:00:00.000Z', exitType: 'Planned' as 'planned' },
      },
    ];
    const { position } = await h.store.append(
      familyStreamId(old),
      toAppend(events, { authority, recordedAt: '2024-09-02T00:00:00.000Z' }),
      { expectedRevision: 'no_stream' },
    );
    await h.caughtUp(position);
    expect(await stored(old)).toMatchObject({ programme: 'FIP' });

    // The families read model (projection).
    expect(await listed('&programme=fip')).toContain(`${old}:fip`);
    // The timeline, as the API shows it.
    const timeline = await h.http.get(`/v1/families/${old}/timeline`).set(keyworker);
    expect(timeline.body.events[0].data).toMatchObject({
      programme: 'fip',
      source: 'police',
      reasons: ['asb'],
    });
    // The outcomes read model (projection): a planned exit of programme fip.
    const outcomes = await h.http
      .get(`/v1/outcomes?authority=${authority}&programme=fip&cohort=planned_exits`)
      .set(manager);
    expect(outcomes.status).toBe(200);
    expect(outcomes.body.cohorts[0]).toMatchObject({ kind: 'planned_exits', families: 1 });
    // An "as at" answer folds the timeline's events: the same family, the same code.
    const asAt = await h.http
      .get(`/v1/outcomes?authority=${authority}&programme=fip&cohort=planned_exits&asAt=2024-12-31`)
      .set(manager);
    expect(asAt.status).toBe(200);
    expect(asAt.body.cohorts[0]).toMatchObject({ kind: 'planned_exits', families: 1 });
    // The figures' filter takes the code in any case too.
    const upperFilter = await h.http
      .get(`/v1/outcomes?authority=${authority}&programme=FIP&cohort=planned_exits`)
      .set(manager);
    expect(upperFilter.body.cohorts[0]).toMatchObject({ kind: 'planned_exits', families: 1 });
  });

  it('the write path reads the old stream upcast: its referral retried as listed codes is the same record', async () => {
    const retry = await h.http
      .post('/v1/families')
      .set(keyworker)
      .send(
        referralBody(
          authority,
          { familyId: old, programme: 'fip' },
          { source: 'police', reasons: ['asb'], occurredAt: '2024-03-01' },
        ),
      );
    // Not 409 family_exists: the stored `FIP`/`Police`/`ASB` read as `fip`/`police`/`asb`.
    expect({ status: retry.status, body: retry.body as unknown }).toMatchObject({
      status: 201,
      body: { familyId: old, revision: 0 },
    });
  });

  it("takes an authority's own code for its families only, and lists every code with its name", async () => {
    const ours = await h.http
      .post('/v1/families')
      .set(keyworker)
      .send(referralBody(authority, { programme: 'Tri_Borough' }));
    expect(ours.status).toBe(201);
    await h.caughtUp(ours.body.position as string);
    expect(await stored(ours.body.familyId as string)).toMatchObject({ programme: 'tri_borough' });
    const elsewhere = `other-${randomUUID().slice(0, 8)}`;
    const theirs = await h.http
      .post('/v1/families')
      .set(as('keyworker', elsewhere))
      .send(referralBody(elsewhere, { programme: 'tri_borough' }));
    expect(theirs.status).toBe(400);
    expect(theirs.body.errors[0].allowed).not.toContain('tri_borough');

    const lists = await h.http.get('/v1/code-lists').set(keyworker);
    expect(lists.status).toBe(200);
    expect(lists.body.authority).toBe(authority);
    expect(lists.body.lists.programmes.version).toBe(`programmes.v1+${authority}.v2`);
    expect(lists.body.lists.programmes.codes).toEqual(
      expect.arrayContaining([
        { code: 'fip', name: 'Family Intervention Project' },
        { code: 'tri_borough', name: 'Tri-borough pilot' },
      ]),
    );
    expect(lists.body.lists.agencies.codes).toContainEqual({ code: 'police', name: 'Police' });
    const other = await h.http.get('/v1/code-lists').set(as('keyworker', elsewhere));
    expect(other.body.lists.programmes.version).toBe('programmes.v1');
  });

  it('refuses a code on no list with 400 naming the field and the allowed codes, storing nothing', async () => {
    const before = await snapshot(h.db);
    const referral = await h.http
      .post('/v1/families')
      .set(keyworker)
      .send(referralBody(authority, { programme: 'FIPP' }, { reasons: ['asb', 'noisy'] }));
    expect(referral.status).toBe(400);
    expect(referral.headers['content-type']).toMatch(/application\/problem\+json/);
    const errors = referral.body.errors as { field: string; rule: string; allowed: string[] }[];
    expect(errors.map((e) => [e.field, e.rule])).toEqual([
      ['programme', 'code-list'],
      ['referral.reasons.1', 'code-list'],
    ]);
    expect(errors[0].allowed).toEqual(expect.arrayContaining(['fip', 'parenting', 'triple_p']));
    expect(errors[1].allowed).toEqual(expect.arrayContaining(['asb', 'truancy']));

    const exit = await h.http
      .post(`/v1/families/${lower}/events`)
      .set(keyworker)
      .send({ type: 'FamilyExited', occurredAt: '2025-02-01', data: { exitType: 'evicted' } });
    expect(exit.status).toBe(400);
    expect(exit.body.errors[0]).toMatchObject({
      field: 'data.exitType',
      rule: 'code-list',
      allowed: ['planned', 'disengaged', 'moved_area', 'custody', 'other'],
    });

    const filter = await h.http
      .get(`/v1/families?authority=${authority}&programme=fop`)
      .set(keyworker);
    expect(filter.status).toBe(400);
    expect(filter.body.errors[0]).toMatchObject({ field: 'programme', rule: 'code-list' });
    expect(filter.body.errors[0].allowed).toContain('fip');

    const figures = await h.http
      .get(`/v1/outcomes?authority=${authority}&programme=fop`)
      .set(manager);
    expect(figures.status).toBe(400);
    expect(figures.body.errors[0]).toMatchObject({ field: 'programme', rule: 'code-list' });

    expect(await snapshot(h.db)).toBe(before);
  });
});
