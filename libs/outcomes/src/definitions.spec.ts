import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FamilyEvent } from '@app/domain';
import { DefinitionsInvalid, combineDefinitions, loadDefinitions } from './definitions';
import { deriveEpisodes } from './episode-outcomes';
import { foldOutcomeHistory } from './history';
import { decided } from './testing';

describe('outcome definitions', () => {
  it("ship NatCen's eight domains and persistent absence, in a fixed order", () => {
    const defs = loadDefinitions();
    expect(defs.domains.map((d) => d.id)).toEqual([
      'no_asb',
      'asb_4_plus',
      'housing_enforcement',
      'education_problems',
      'truancy_exclusion_behaviour',
      'child_protection',
      'domestic_violence',
      'drug_alcohol',
      'persistent_absence',
    ]);
    expect(defs.sources).toEqual(['natcen-2009.v1']);
    expect(defs.domains.find((d) => d.id === 'no_asb')!.lowerIsBetter).toBe(false);
  });

  it.each([
    [{ id: 'x', version: 1, domains: [] }, 'domains must be a list'],
    [
      { id: 'x', version: 1, domains: [{ id: 'a', label: 'A', lowerIsBetter: true }] },
      'domains[0].predicate must be an object',
    ],
    [
      {
        id: 'x',
        version: 1,
        domains: [
          {
            id: 'a',
            label: 'A',
            lowerIsBetter: true,
            predicate: { assessment: 'educationProblems', op: 'gte', value: 1 },
          },
        ],
      },
      'domains[0].predicate.op for educationProblems must be one of is_true, is_false',
    ],
    [
      {
        id: 'x',
        version: 1,
        domains: [
          {
            id: 'a',
            label: 'A',
            lowerIsBetter: true,
            predicate: { attendance: 'rate_below', value: 0.9 },
          },
        ],
      },
      'domains[0].window is needed by an event-derived predicate',
    ],
    [
      {
        id: 'x',
        version: 1,
        domains: [
          {
            id: 'no_asb',
            label: 'A',
            lowerIsBetter: true,
            predicate: { assessment: 'asbTypes', op: 'count_eq', value: 0 },
          },
        ],
      },
      'domain no_asb is already defined in natcen-2009.v1',
    ],
  ])('reject a broken file with a message naming the problem (%#)', (raw, message) => {
    const natcen = loadDefinitions();
    const load = () =>
      combineDefinitions([
        {
          name: 'natcen-2009.v1.json',
          raw: {
            id: 'natcen-2009',
            version: 1,
            domains: natcen.domains.map(({ definedIn: _d, ...d }) => d),
          },
        },
        { name: 'extra.json', raw },
      ]);
    expect(load).toThrow(DefinitionsInvalid);
    expect(load).toThrow(`extra.json: ${message}`);
  });

  describe("an authority's own domain, added as a file (Wiltshire: school exclusions)", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'outcome-defs-'));
      writeFileSync(
        join(dir, 'wiltshire.v1.json'),
        JSON.stringify({
          id: 'wiltshire',
          version: 1,
          source: 'Wiltshire indicator set (DOMAIN.md section 3): exclusions',
          domains: [
            {
              id: 'school_exclusion',
              label: 'One or more school exclusions',
              lowerIsBetter: true,
              predicate: { events: 'SchoolExclusionRecorded', op: 'count_gte', value: 1 },
              window: { baselineDays: 365, endDays: 180, followUpDays: 365 },
            },
          ],
        }),
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is loaded after NatCen set, changes the fingerprint and is measured at each point', () => {
      const base = loadDefinitions();
      const defs = loadDefinitions({ extraDir: dir });
      expect(defs.domains.map((d) => d.id).slice(-1)).toEqual(['school_exclusion']);
      expect(defs.sources).toEqual(['natcen-2009.v1', 'wiltshire.v1']);
      expect(defs.fingerprint).not.toBe(base.fingerprint);

      const at = (d: string) => `${d}T00:00:00.000Z`;
      const events: FamilyEvent[] = [
        {
          type: 'SchoolExclusionRecorded',
          data: { occurredAt: at('2024-11-01'), childId: 'c1', exclusionType: 'fixed_term' },
        },
        {
          type: 'FamilyReferred',
          data: {
            occurredAt: at('2025-01-10'),
            authority: 'wiltshire',
            programme: 'fip',
            source: 'school',
            reasons: ['education'],
          },
        },
        { type: 'InterventionOffered', data: { occurredAt: at('2025-01-12') } },
        { type: 'InterventionAccepted', data: { occurredAt: at('2025-01-15') } },
        { type: 'FamilyExited', data: { occurredAt: at('2025-12-15'), exitType: 'planned' } },
      ];
      // The exclusion predates the referral: the referral must come first in the stream.
      const stream = [events[1], events[0], ...events.slice(2)];
      const [episode] = deriveEpisodes('f1', foldOutcomeHistory(decided(stream)), defs);
      const bit = 1n << BigInt(defs.domains.length - 1);
      expect(episode.masks.baseline.assessed & bit).toBe(bit);
      expect(episode.masks.baseline.present & bit).toBe(bit);
      expect(episode.masks.exit.assessed & bit).toBe(bit);
      expect(episode.masks.exit.present & bit).toBe(0n);
    });
  });
});
