import { randomUUID } from 'node:crypto';
import { familyStreamId } from '@app/domain';
import { allProjections } from '@app/read-models';
import { Harness, snapshot, startHarness } from './support/harness';
import { as } from './support/auth';

/**
 * A key worker's whole record of a family, over real HTTP against real PostgreSQL: refer, record
 * ~20 events of different types, read the state and timeline back, then hit each error class and
 * check that nothing changed.
 */
describe('recording a family (e2e)', () => {
  let h: Harness;
  const authority = `auth-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const refer = (body: Record<string, unknown> = {}) =>
    h.http
      .post('/v1/families')
      // A key worker of the authority the family is referred to.
      .set(as('keyworker', typeof body.authority === 'string' ? body.authority : authority))
      .send({
        authority,
        programme: 'fip',
        referral: { source: 'police', reasons: ['asb', 'truancy'], occurredAt: '2025-01-10' },
        members: [
          { memberId: 'm1', role: 'parent' },
          { memberId: 'c1', role: 'child' },
        ],
        ...body,
      });

  const record = (familyId: string, body: Record<string, unknown>) =>
    h.http.post(`/v1/families/${familyId}/events`).set(as('keyworker', authority)).send(body);

  describe('a family from referral to exit', () => {
    let familyId: string;
    let lastPosition: string;
    const story: [string, string, Record<string, unknown>][] = [
      ['AsbIncidentRecorded', '2024-11-02', { asbType: 'noise', sourceAgency: 'police' }],
      [
        'DomainAssessmentRecorded',
        '2025-01-12',
        {
          stage: 'referral',
          asbTypes: ['noise', 'rowdy_behaviour', 'vandalism', 'threats'],
          housingEnforcementActions: 1,
          educationProblems: true,
          evidenceSources: ['police'],
        },
      ],
      ['InterventionOffered', '2025-01-15', {}],
      ['InterventionAccepted', '2025-01-20', {}],
      ['KeyWorkerAssigned', '2025-01-21', { workerId: 'kw-17' }],
      ['SupportPlanAgreed', '2025-02-01', { domains: ['asb', 'education'], plannedWeeklyHours: 9 }],
      [
        'CafOpened',
        '2025-02-03',
        { cafId: 'caf-1', childId: 'c1', presentingNeeds: ['attendance'] },
      ],
      ['HousingEnforcementAction', '2025-02-10', { action: 'nosp' }],
      ['SupportDelivered', '2025-02-15', { supportType: 'one_to_one_parenting', hours: 3 }],
      ['ReviewHeld', '2025-03-01', { weeklyContactHours: 9 }],
      [
        'SchoolAttendanceRecorded',
        '2025-04-01',
        {
          childId: 'c1',
          periodStart: '2025-01-06',
          periodEnd: '2025-03-28',
          possibleSessions: 110,
          attendedSessions: 90,
          unauthorisedSessions: 15,
        },
      ],
      ['CafReviewed', '2025-04-02', { cafId: 'caf-1', goalsMet: false }],
      ['AsbIncidentRecorded', '2025-04-10', { asbType: 'noise', sourceAgency: 'housing' }],
      ['ReviewHeld', '2025-06-01', { weeklyContactHours: 6 }],
      ['ConsentRecorded', '2025-06-02', { purpose: 'evaluation' }],
      ['CafClosed', '2025-09-01', { cafId: 'caf-1', needsMet: true }],
      [
        'DomainAssessmentRecorded',
        '2025-12-01',
        {
          stage: 'exit',
          asbTypes: [],
          housingEnforcementActions: 0,
          educationProblems: false,
          evidenceSources: ['school'],
        },
      ],
      ['FamilyExited', '2025-12-02', { exitType: 'planned' }],
      ['FamilyMovedArea', '2026-01-15', { toAuthority: 'leicestershire' }],
    ];

    it('refers the family', async () => {
      const res = await refer();
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        familyId: expect.any(String),
        revision: 0,
        position: expect.stringMatching(/^\d+$/),
      });
      familyId = res.body.familyId;
    });

    it('records each event, one revision at a time', async () => {
      for (const [index, [type, occurredAt, data]] of story.entries()) {
        const res = await record(familyId, { type, occurredAt, data });
        expect({ type, status: res.status }).toEqual({ type, status: 201 });
        expect(res.body.revision).toBe(index + 1);
        expect(BigInt(res.body.position)).toBeGreaterThan(0n);
        lastPosition = res.body.position;
      }
    });

    it('reads back the current state', async () => {
      await h.caughtUp(lastPosition);
      const res = await h.http.get(`/v1/families/${familyId}`).set(as('keyworker', authority));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        familyId,
        authority,
        programme: 'fip',
        status: 'exited',
        keyWorker: 'kw-17',
        movedTo: 'leicestershire',
        revision: story.length,
        episode: {
          number: 1,
          referredAt: '2025-01-10T00:00:00.000Z',
          offeredAt: '2025-01-15T00:00:00.000Z',
          acceptedAt: '2025-01-20T00:00:00.000Z',
          supportPlanAgreedAt: '2025-02-01T00:00:00.000Z',
          exitedAt: '2025-12-02T00:00:00.000Z',
          exitType: 'planned',
          followUp: 'none',
        },
      });
    });

    it('reads back the timeline in occurredAt order, with recordedAt', async () => {
      const res = await h.http
        .get(`/v1/families/${familyId}/timeline`)
        .set(as('keyworker', authority));
      expect(res.status).toBe(200);
      const events = res.body.events as {
        type: string;
        occurredAt: string;
        recordedAt: string;
        data: Record<string, unknown>;
      }[];
      expect(events).toHaveLength(story.length + 1);
      // The pre-referral incident comes first and is marked as baseline history.
      expect(events[0]).toMatchObject({
        type: 'AsbIncidentRecorded',
        data: { beforeReferral: true },
      });
      expect(events[1].type).toBe('FamilyReferred');
      const dates = events.map((e) => e.occurredAt);
      expect(dates).toEqual([...dates].sort());
      for (const e of events) expect(Date.parse(e.recordedAt)).not.toBeNaN();
      expect(events.filter((e) => e.data.beforeReferral)).toHaveLength(1);
    });

    it('lists the family under its authority', async () => {
      const res = await h.http
        .get('/v1/families')
        .set(as('keyworker', authority))
        .query({ authority, status: 'exited' });
      expect(res.status).toBe(200);
      expect(res.body.items.map((f: { familyId: string }) => f.familyId)).toEqual([familyId]);
    });

    it('answers each error class and changes nothing', async () => {
      const before = await snapshot(h.db);
      const unknown = randomUUID();
      const cases: [
        string,
        () => Promise<{ status: number; body: Record<string, unknown> }>,
        number,
        Record<string, unknown>,
      ][] = [
        [
          'unknown event type',
          () => record(familyId, { type: 'FamilyTeleported', occurredAt: '2025-03-01', data: {} }),
          400,
          { errors: [expect.objectContaining({ field: 'type', rule: 'isIn' })] },
        ],
        [
          'wrong shape',
          () =>
            record(familyId, {
              type: 'ReviewHeld',
              occurredAt: '2025-03-01',
              data: { weeklyContactHours: 'six' },
            }),
          400,
          {
            errors: expect.arrayContaining([
              expect.objectContaining({ field: 'data.weeklyContactHours', rule: 'isNumber' }),
            ]),
          },
        ],
        [
          'unknown field',
          () =>
            record(familyId, {
              type: 'ReviewHeld',
              occurredAt: '2025-03-01',
              data: { weeklyContactHours: 6, name: 'x' },
            }),
          400,
          { errors: [expect.objectContaining({ field: 'data.name', rule: 'unknown-field' })] },
        ],
        [
          'bad date',
          () =>
            record(familyId, {
              type: 'ReviewHeld',
              occurredAt: '2025-02-30',
              data: { weeklyContactHours: 6 },
            }),
          400,
          { errors: [expect.objectContaining({ field: 'occurredAt', rule: 'isEffectiveDate' })] },
        ],
        [
          'future date',
          () =>
            record(familyId, {
              type: 'ConsentWithdrawn',
              occurredAt: '2999-01-01',
              data: { purpose: 'evaluation' },
            }),
          400,
          { errors: [expect.objectContaining({ field: 'occurredAt', rule: 'not-in-future' })] },
        ],
        [
          'broken JSON',
          () =>
            h.http
              .post(`/v1/families/${familyId}/events`)
              .set(as('keyworker', authority))
              .set('content-type', 'application/json')
              .send('{"type": "ReviewHeld",'),
          400,
          {},
        ],
        [
          'invalid family id',
          () =>
            record('not-a-uuid', {
              type: 'InterventionOffered',
              occurredAt: '2025-03-01',
              data: {},
            }),
          400,
          { errors: [expect.objectContaining({ field: 'familyId', rule: 'isUuid' })] },
        ],
        [
          'unknown family',
          () =>
            record(unknown, { type: 'InterventionOffered', occurredAt: '2025-03-01', data: {} }),
          404,
          {},
        ],
        [
          'unknown family read',
          () => h.http.get(`/v1/families/${unknown}`).set(as('keyworker', authority)),
          404,
          {},
        ],
        [
          'broken invariant',
          () =>
            record(familyId, {
              type: 'FamilyExited',
              occurredAt: '2025-12-05',
              data: { exitType: 'other' },
            }),
          409,
          { code: 'invariant_violated', rule: 'episode-closed' },
        ],
        [
          'revision conflict',
          () =>
            record(familyId, {
              type: 'ConsentRecorded',
              occurredAt: '2026-01-20',
              data: { purpose: 'evaluation' },
              expectedRevision: 3,
            }),
          409,
          { code: 'revision_conflict', expectedRevision: 3, actualRevision: story.length },
        ],
        [
          'another referral under an existing family id',
          () => refer({ familyId, programme: 'parenting' }),
          409,
          { code: 'family_exists' },
        ],
      ];
      for (const [name, send, status, body] of cases) {
        const res = await send();
        expect({ name, status: res.status, body: res.body }).toEqual({
          name,
          status,
          body: expect.objectContaining(body),
        });
      }
      expect(await snapshot(h.db)).toEqual(before);
    });
  });

  it('stores a retried request once and refuses the same id for another body', async () => {
    const { body: family } = await refer();
    const id = randomUUID();
    const offer = { id, type: 'InterventionOffered', occurredAt: '2025-01-15', data: {} };
    const first = await record(family.familyId, offer);
    const second = await record(family.familyId, offer);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    const sameReferral = await refer({ familyId: family.familyId });
    expect(sameReferral.status).toBe(201);
    expect(sameReferral.body).toEqual(family);
    // Read models settle first, or the runners' catching up would show as a change.
    await h.caughtUp(first.body.position);
    const before = await snapshot(h.db);
    const clash = await record(family.familyId, { ...offer, occurredAt: '2025-01-16' });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('duplicate_event_id');
    expect(await snapshot(h.db)).toEqual(before);
    const stream = await h.store.readStream(familyStreamId(family.familyId));
    expect(stream.map((e) => e.type)).toEqual(['FamilyReferred', 'InterventionOffered']);
  });

  it('records a batch item by item: bad items fail alone', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const referral = (familyId: string) => ({
      familyId,
      type: 'FamilyReferred',
      occurredAt: '2025-02-01',
      data: { authority, programme: 'parenting', source: 'school', reasons: ['attendance'] },
    });
    const res = await h.http
      .post('/v1/events/batch')
      .set(as('keyworker', authority))
      .send({
        events: [
          referral(a),
          { familyId: a, type: 'InterventionOffered', occurredAt: '2025-02-02', data: {} },
          { familyId: a, type: 'InterventionAccepted', occurredAt: '2025-01-01', data: {} }, // before the offer
          referral(b),
          {
            familyId: b,
            type: 'ReviewHeld',
            occurredAt: '2025-02-03',
            data: { weeklyContactHours: -1 },
          },
          { familyId: b, type: 'InterventionOffered', occurredAt: '2025-02-04', data: {} },
          {
            familyId: randomUUID(),
            type: 'InterventionOffered',
            occurredAt: '2025-02-04',
            data: {},
          },
          'not an object',
        ],
      });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([
      201, 201, 409, 201, 400, 201, 404, 400,
    ]);
    expect(res.body.results[4].error.errors[0]).toMatchObject({
      field: 'data.weeklyContactHours',
      rule: 'min',
    });
    expect((await h.store.readStream(familyStreamId(a))).map((e) => e.type)).toEqual([
      'FamilyReferred',
      'InterventionOffered',
    ]);
    expect((await h.store.readStream(familyStreamId(b))).map((e) => e.type)).toEqual([
      'FamilyReferred',
      'InterventionOffered',
    ]);
  });

  it('refuses a batch over 1,000 events as a whole', async () => {
    const events = Array.from({ length: 1001 }, () => ({}));
    const res = await h.http
      .post('/v1/events/batch')
      .set(as('keyworker', authority))
      .send({ events });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'events', rule: 'arrayMaxSize' });
  });

  it('pages through families newest first', async () => {
    const pageAuthority = `page-${randomUUID().slice(0, 8)}`;
    const days = ['2025-03-01', '2025-03-03', '2025-03-02', '2025-03-05', '2025-03-04'];
    let last = '0';
    for (const day of days) {
      const res = await refer({
        authority: pageAuthority,
        referral: { source: 'school', reasons: ['attendance'], occurredAt: day },
      });
      last = res.body.position;
    }
    await h.caughtUp(last);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await h.http
        .get('/v1/families')
        .set(as('keyworker', pageAuthority))
        .query({ authority: pageAuthority, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(
        ...res.body.items.map((f: { episode: { referredAt: string } }) =>
          f.episode.referredAt.slice(0, 10),
        ),
      );
      cursor = res.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...days].sort().reverse());
  });

  it('reports health with projection positions', async () => {
    const res = await h.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'up' });
    // Every projection the worker runs reports its position.
    expect(res.body.projections.map((p: { name: string }) => p.name).sort()).toEqual(
      allProjections()
        .map((p) => p.name)
        .sort(),
    );
  });
});
