import { randomUUID } from 'node:crypto';
import { as } from './support/auth';
import { Harness, startHarness } from './support/harness';

/**
 * A programme cost's note is free text, so it may name a person: it is stored sealed under the
 * authority's note key (issue 16's leftover), served in clear to the authority's own callers only,
 * and replacing the note leaves no trace of the old one in the table.
 */
describe('programme-cost notes (e2e)', () => {
  let h: Harness;
  const A = `note-a-${randomUUID().slice(0, 8)}`;
  const NAME = 'Hephzibah Tresillian';
  const path = (year: number) => `/v1/programme-costs/${A}/fip/${year}`;
  const stored = async () =>
    JSON.stringify(await h.db.query('SELECT * FROM programme_costs WHERE authority = $1', [A]));

  beforeAll(async () => {
    h = await startHarness({ projections: false });
  });
  afterAll(async () => {
    await h.close();
  });

  it('stores a note sealed and serves it in clear to its authority', async () => {
    const note = `Team lead ${NAME}, salary share`;
    const put = await h.http
      .put(path(2024))
      .set(as('data_manager', A))
      .send({ amount: '1000.00', note });
    expect(put.status).toBe(200);
    expect(put.body.note).toBe(note);
    expect(await stored()).not.toContain(NAME);
    expect(await stored()).toContain('"alg\\":\\"A256GCM');

    const list = await h.http.get(`/v1/programme-costs/${A}`).set(as('keyworker', A));
    expect(list.status).toBe(200);
    expect(list.body.costs.map((c: { note: string }) => c.note)).toEqual([note]);
  });

  it('erases a note by replacing it, and keeps a cost without a note as null', async () => {
    await h.http
      .put(path(2025))
      .set(as('data_manager', A))
      .send({ amount: '2000.00', note: `Agreed with ${NAME}` })
      .expect(200);
    const replaced = await h.http
      .put(path(2025))
      .set(as('data_manager', A))
      .send({ amount: '2000.00' });
    expect(replaced.status).toBe(200);
    expect(replaced.body.note).toBeNull();
    const [row] = (await h.db.query(
      'SELECT note FROM programme_costs WHERE authority = $1 AND year = 2025',
      [A],
    )) as { note: string | null }[];
    expect(row.note).toBeNull();
    const list = await h.http.get(`/v1/programme-costs/${A}`).set(as('data_manager', A));
    expect(
      list.body.costs.map((c: { year: number; note: string | null }) => [c.year, c.note]),
    ).toEqual([
      [2024, `Team lead ${NAME}, salary share`],
      [2025, null],
    ]);
  });

  it('opens a note stored in clear before notes were sealed as it is', async () => {
    await h.db.query(
      `INSERT INTO programme_costs (authority, programme, year, cost_pence, note, recorded_by, recorded_at)
       VALUES ($1, 'fip', 2019, 100, 'an old clear note', 'test', now())`,
      [A],
    );
    const list = await h.http.get(`/v1/programme-costs/${A}`).set(as('data_manager', A));
    expect(list.body.costs.find((c: { year: number }) => c.year === 2019).note).toBe(
      'an old clear note',
    );
  });
});
