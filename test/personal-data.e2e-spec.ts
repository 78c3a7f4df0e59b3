import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { familyStreamId } from '@app/domain';
import { PersonalDataVault } from '@app/security';
import { ProjectionRunner, resetProjection } from '@app/projections';
import { allProjections } from '@app/read-models';
import { importFile } from '../apps/cli/src/import';
import { as } from './support/auth';
import { Harness, readModels, startHarness } from './support/harness';
import { referralBody } from './support/stories';

/**
 * Personal details are sealed with the family's key before they reach the log, opened only when a
 * family is read, and erased for good by destroying the key, while every count stays the same.
 */
describe('personal data and erasure (e2e)', () => {
  let h: Harness;
  const authority = `pii-${randomUUID().slice(0, 8)}`;
  // Distinctive values, so that finding any of them anywhere in the database means a leak.
  const parentName = `Zebedee Quillfeather-${randomUUID().slice(0, 6)}`;
  const childName = `Ondine Marchbanks-${randomUUID().slice(0, 6)}`;
  const address = `17 Larkspur Close ${randomUUID().slice(0, 6)}, Matlock DE4 3AG`;
  const keyworker = as('keyworker', authority);
  const manager = as('manager', authority);
  const familyId = randomUUID();
  let head = '0';

  // Our own runner (not the harness's), so that the rebuild below can stop and restart it.
  let runner: ProjectionRunner;
  beforeAll(async () => {
    h = await startHarness({ projections: false });
    runner = new ProjectionRunner(h.store, h.db, allProjections());
    runner.start();
  });
  afterAll(async () => {
    await runner?.stop();
    await h?.close();
  });

  /** Every row of every table of the test's schema, as text. */
  const everything = async (): Promise<string> => {
    const tables = (await h.db.query(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    )) as { table_name: string }[];
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['events', 'family_timeline', 'families', 'family_keys']),
    );
    const texts = await Promise.all(
      tables.map(async ({ table_name }) => {
        const rows = (await h.db.query(`SELECT t::text AS row FROM "${table_name}" t`)) as {
          row: string;
        }[];
        return rows.map((r) => r.row).join('\n');
      }),
    );
    return texts.join('\n');
  };
  const leaks = (text: string) =>
    [parentName, childName, address, 'Quillfeather', 'Marchbanks', 'Larkspur'].filter((v) =>
      text.toLowerCase().includes(v.toLowerCase()),
    );

  const record = async (type: string, occurredAt: string, data: Record<string, unknown> = {}) => {
    const res = await h.http
      .post(`/v1/families/${familyId}/events`)
      .set(keyworker)
      .send({ type, occurredAt, data });
    expect(res.status).toBe(201);
    head = res.body.position as string;
  };
  const outcomes = async () => {
    await h.caughtUp(head);
    const res = await h.http
      .get(`/v1/outcomes?authority=${authority}&cohort=all_exits`)
      // The authority's own manager: an evaluator always gets disclosure-controlled figures, in
      // which a cohort of one family is suppressed.
      .set(manager);
    expect(res.status).toBe(200);
    // The table as at now: everything but the moment it was asked for.
    const { filters, ...table } = res.body as {
      filters: Record<string, unknown>;
      cohorts: { kind: string; families: number }[];
    };
    const { asAt: _now, ...rest } = filters;
    return { ...table, filters: rest };
  };

  const referral = referralBody(
    authority,
    {
      familyId,
      members: [
        { memberId: 'p1', role: 'parent', name: parentName, dateOfBirth: '1988-04-02', address },
        { memberId: 'c1', role: 'child' },
      ],
    },
    { occurredAt: '2024-01-10' },
  );

  it('stores personal details sealed, never in clear', async () => {
    const res = await h.http.post('/v1/families').set(keyworker).send(referral);
    expect(res.status).toBe(201);
    // A retry with the same body is the same record (sealing is deterministic per family key).
    const retry = await h.http.post('/v1/families').set(keyworker).send(referral);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(res.body);

    await record('MemberDetailsRecorded', '2024-01-12', {
      memberId: 'c1',
      role: 'child',
      name: childName,
      dateOfBirth: '2012-09-30',
    });
    await record('DomainAssessmentRecorded', '2024-01-12', {
      stage: 'referral',
      asbTypes: ['noise', 'threats', 'vandalism', 'graffiti'],
      educationProblems: true,
    });
    await record('InterventionOffered', '2024-01-15');
    await record('InterventionAccepted', '2024-01-20');
    await record('DomainAssessmentRecorded', '2024-11-01', {
      stage: 'exit',
      asbTypes: [],
      educationProblems: false,
    });
    await record('FamilyExited', '2024-11-02', { exitType: 'planned' });
    await h.caughtUp(head);

    expect(leaks(await everything())).toEqual([]);
    const [{ count }] = (await h.db.query(
      'SELECT count(*)::int AS count FROM family_keys WHERE family_id = $1',
      [familyId],
    )) as { count: number }[];
    expect(count).toBe(1);
    // The log holds the seal, bound to this family and member.
    const [referred] = await h.store.readStream(familyStreamId(familyId));
    const sealed = (referred.data.members as { details?: Record<string, string> }[])[0].details!;
    expect(Object.keys(sealed).sort()).toEqual(['alg', 'ciphertext', 'iv', 'keyId', 'tag']);
  });

  it('seals details that come by the events endpoint, a batch or an import too', async () => {
    const batchFamily = randomUUID();
    const importFamily = randomUUID();
    const referredBy = (familyId: string, name: string) => ({
      familyId,
      type: 'FamilyReferred',
      occurredAt: '2024-02-01',
      data: {
        authority,
        programme: 'fip',
        source: 'school',
        reasons: ['truancy'],
        members: [{ memberId: 'p9', role: 'carer', name, address }],
      },
    });
    const batch = await h.http
      .post('/v1/events/batch')
      .set(keyworker)
      .send({ events: [referredBy(batchFamily, parentName)] });
    expect(batch.status).toBe(200);
    expect(batch.body.results[0]).toMatchObject({ status: 201 });

    const dir = mkdtempSync(join(tmpdir(), 'pii-import-'));
    const file = join(dir, 'families.ndjson');
    writeFileSync(file, `${JSON.stringify(referredBy(importFamily, childName))}\n`);
    const counts = await importFile({ db: h.db, store: h.store, close: async () => {} }, file, {
      format: 'ndjson',
      rejectsPath: join(dir, 'rejects.ndjson'),
      batchSize: 10,
      concurrency: 1,
      analyzeAfter: 1_000_000,
    });
    expect(counts).toMatchObject({ stored: 1, rejected: 0 });

    head = (await h.store.lastPosition()).toString();
    await h.caughtUp(head);
    expect(leaks(await everything())).toEqual([]);
    for (const [id, name] of [
      [batchFamily, parentName],
      [importFamily, childName],
    ]) {
      const timeline = await h.http.get(`/v1/families/${id}/timeline`).set(keyworker);
      expect(timeline.body.events[0].data.members).toEqual([
        { memberId: 'p9', role: 'carer', details: { name, address } },
      ]);
    }
  });

  it('opens the details for a reader of the family', async () => {
    const timeline = await h.http.get(`/v1/families/${familyId}/timeline`).set(keyworker);
    expect(timeline.status).toBe(200);
    const events = timeline.body.events as { type: string; data: Record<string, unknown> }[];
    expect(events[0].data.members).toEqual([
      {
        memberId: 'p1',
        role: 'parent',
        details: { name: parentName, dateOfBirth: '1988-04-02', address },
      },
      { memberId: 'c1', role: 'child' },
    ]);
    expect(events.find((e) => e.type === 'MemberDetailsRecorded')!.data.details).toEqual({
      name: childName,
      dateOfBirth: '2012-09-30',
    });

    const family = await h.http.get(`/v1/families/${familyId}`).set(keyworker);
    expect(family.status).toBe(200);
    expect(family.body.members).toEqual([
      {
        memberId: 'p1',
        role: 'parent',
        details: { name: parentName, dateOfBirth: '1988-04-02', address },
      },
      { memberId: 'c1', role: 'child', details: { name: childName, dateOfBirth: '2012-09-30' } },
    ]);
  });

  it('refuses erasure to roles without families:erase and hides the family from other authorities', async () => {
    const keyworkerTry = await h.http.post(`/v1/families/${familyId}/erasure`).set(keyworker);
    expect(keyworkerTry.status).toBe(403);
    const otherAuthority = await h.http
      .post(`/v1/families/${familyId}/erasure`)
      .set(as('manager', `${authority}-other`));
    expect(otherAuthority.status).toBe(404);
    const unknown = await h.http.post(`/v1/families/${randomUUID()}/erasure`).set(manager);
    expect(unknown.status).toBe(404);
    const [{ count }] = (await h.db.query(
      'SELECT count(*)::int AS count FROM family_keys WHERE family_id = $1',
      [familyId],
    )) as { count: number }[];
    expect(count).toBe(1);
  });

  it('erases: the key is destroyed, the timeline shows the people as erased, counts are unchanged', async () => {
    const before = await outcomes();
    expect(before.cohorts.find((c) => c.kind === 'all_exits')!.families).toBe(1);
    const sealedBefore = (await h.store.readStream(familyStreamId(familyId))).map((e) => e.data);

    const res = await h.http.post(`/v1/families/${familyId}/erasure`).set(manager);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ familyId, erased: true });
    head = res.body.position as string;

    const keys = (await h.db.query('SELECT * FROM family_keys WHERE family_id = $1', [
      familyId,
    ])) as unknown[];
    expect(keys).toEqual([]);
    expect(leaks(await everything())).toEqual([]);

    // The sealed blobs are still in the log, but nothing can open them any more.
    const stream = await h.store.readStream(familyStreamId(familyId));
    expect(stream.map((e) => e.data).slice(0, sealedBefore.length)).toEqual(sealedBefore);
    expect(stream[stream.length - 1].type).toBe('FamilyErased');
    const opened = await new PersonalDataVault(h.db).reveal(familyId, stream);
    expect(JSON.stringify(opened.map((e) => e.data))).not.toContain('Quillfeather');

    await h.caughtUp(head);
    const timeline = await h.http.get(`/v1/families/${familyId}/timeline`).set(keyworker);
    const events = timeline.body.events as { type: string; data: Record<string, unknown> }[];
    expect(events[0].data.members).toEqual([
      { memberId: 'p1', role: 'parent', details: { erased: true } },
      { memberId: 'c1', role: 'child' },
    ]);
    expect(events.find((e) => e.type === 'MemberDetailsRecorded')!.data.details).toEqual({
      erased: true,
    });
    const family = await h.http.get(`/v1/families/${familyId}`).set(keyworker);
    expect(family.body.members).toEqual([
      { memberId: 'p1', role: 'parent', details: { erased: true } },
      { memberId: 'c1', role: 'child', details: { erased: true } },
    ]);

    expect(await outcomes()).toEqual(before);
  });

  it('is final: asking again returns the first erasure, no new details can be recorded', async () => {
    const first = await h.http.post(`/v1/families/${familyId}/erasure`).set(manager);
    const again = await h.http.post(`/v1/families/${familyId}/erasure`).set(as('admin', null));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    const details = await h.http
      .post(`/v1/families/${familyId}/events`)
      .set(keyworker)
      .send({
        type: 'MemberDetailsRecorded',
        occurredAt: '2025-01-01',
        data: { memberId: 'p1', role: 'parent', name: 'New Name' },
      });
    expect(details.status).toBe(409);
    expect(details.body).toMatchObject({ code: 'invariant_violated', rule: 'family-erased' });
    // Facts without personal data still go on the record.
    await record('ConsentWithdrawn', '2025-01-02', { purpose: 'evaluation' });
  });

  it('replays: a rebuild of every read model from the log equals the live ones', async () => {
    await h.caughtUp(head);
    const live = await readModels(h.db);
    await runner.stop();
    for (const p of allProjections()) await resetProjection(h.db, p);
    runner = new ProjectionRunner(h.store, h.db, allProjections());
    runner.start();
    await h.caughtUp(head);
    expect(await readModels(h.db)).toEqual(live);
  }, 60_000);
});
