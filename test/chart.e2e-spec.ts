import { familyStreamId } from '@app/domain';
import { DomainRow } from '@app/outcomes';
import { generateFamilies, toNewEvents } from '@app/workload';
import { DOMParser, Element } from '@xmldom/xmldom';
import { as } from './support/auth';
import { Harness, startHarness } from './support/harness';

/** The outcomes chart over HTTP: the same figures as `/v1/outcomes`, drawn. */

const AUTHORITY = 'leeds';
const families = generateFamilies({
  seed: 'chart-e2e',
  families: 400,
  authorities: [AUTHORITY],
  from: '2022-01-01',
  to: '2026-06-30',
});

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  let position = '0';
  for (const family of families) {
    const { position: p } = await h.store.append(
      familyStreamId(family.familyId),
      toNewEvents(family),
      {
        expectedRevision: 'no_stream',
      },
    );
    position = p.toString();
  }
  await h.caughtUp(position);
}, 120_000);

afterAll(() => h?.close());

const bars = (svg: string) => {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  return Array.from(doc.getElementsByTagName('rect')).filter(
    (r: Element) => r.getAttribute('class') === 'bar',
  );
};

describe('GET /v1/outcomes/chart.svg', () => {
  it('draws the outcomes table of the same filters, bar for bar', async () => {
    const query = `authority=${AUTHORITY}&cohort=all_exits&referredFrom=2022-01-01`;
    const table = await h.http
      .get(`/v1/outcomes?${query}`)
      .set(as('keyworker', AUTHORITY))
      .expect(200);
    const res = await h.http
      .get(`/v1/outcomes/chart.svg?${query}`)
      .set(as('keyworker', AUTHORITY))
      .expect(200)
      .expect('content-type', /^image\/svg\+xml/);
    const svg = res.text || (res.body as Buffer).toString('utf8');
    const domains = table.body.domains as DomainRow[];
    expect(domains.length).toBeGreaterThanOrEqual(8);
    expect(table.body.cohort.families).toBeGreaterThan(50);
    expect(domains.some((d) => d.followUp)).toBe(true);

    const drawn = bars(svg).map((r) => [
      r.getAttribute('data-domain'),
      r.getAttribute('data-series'),
      Number(r.getAttribute('data-count')),
      Number(r.getAttribute('data-n')),
    ]);
    const expected = domains.flatMap((d) => [
      [d.id, 'baseline', d.baseline.count, d.n],
      [d.id, 'exit', d.exit.count, d.n],
      ...(d.followUp ? [[d.id, 'followUp', d.followUp.count, d.followUp.n]] : []),
    ]);
    expect(drawn).toEqual(expected);
    expect(svg).toContain(`${table.body.cohort.families} families (all exits)`);
    expect(svg).toContain(`authority ${AUTHORITY}`);
  });

  it('refuses a bad filter as /v1/outcomes does, naming the field', async () => {
    const res = await h.http
      .get('/v1/outcomes/chart.svg?cohort=everyone')
      .set(as('keyworker', AUTHORITY))
      .expect(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'cohort' });
  });
});
