import {
  BUILT_IN_FILES,
  CodeLists,
  CodeListsInvalid,
  agencyName,
  canonicalCodes,
  codeForm,
  parseCodeListExtension,
  parseCodeListFile,
} from '.';
import { EXIT_TYPES } from '../events';
import { familyEventOf, upcastFamilyEvent } from '../upcast';

const derbyshire = parseCodeListExtension(
  {
    authority: 'derbyshire',
    version: 2,
    lists: {
      programmes: [{ code: 'tri_borough', name: 'Tri-borough pilot' }],
      agencies: [{ code: 'fire_service', name: 'Fire and rescue service' }],
    },
  },
  'derbyshire.json',
);
const lists = new CodeLists(undefined, [derbyshire]);

describe('code lists', () => {
  it('match input in any case (and spaces or hyphens as _) to the listed code', () => {
    const programmes = lists.for('leeds').programmes;
    expect(['FIP', 'fip', ' Fip ', 'fIP'].map((t) => programmes.match(t))).toEqual([
      'fip',
      'fip',
      'fip',
      'fip',
    ]);
    expect(lists.for('leeds').referral_sources.match('ASB-Team')).toBe('asb_team');
    expect(lists.for('leeds').referral_reasons.match('ASB')).toBe('asb');
    expect(programmes.match('fipp')).toBeUndefined();
    expect(codeForm('Police')).toBe('police');
  });

  it('refuse a value not on the list, naming the field and every allowed code', () => {
    const { data, refused } = canonicalCodes(
      'FamilyReferred',
      { authority: 'leeds', programme: 'FIP', source: 'Polis', reasons: ['ASB', 'bogus'] },
      lists,
      'leeds',
    );
    expect(data).toMatchObject({ programme: 'fip', reasons: ['asb', 'bogus'] });
    expect(refused.map((r) => [r.field, r.index, r.list])).toEqual([
      ['source', undefined, 'referral_sources'],
      ['reasons', 1, 'referral_reasons'],
    ]);
    expect(refused[0].allowed).toEqual(BUILT_IN_FILES[1].codes.map((c) => c.code));
    expect(refused[0].allowed).toContain('police');
  });

  it("an authority's additions count for its own families only, and for a national view", () => {
    expect(lists.for('derbyshire').programmes.match('Tri_Borough')).toBe('tri_borough');
    expect(lists.for('leeds').programmes.match('tri_borough')).toBeUndefined();
    expect(lists.for(null).programmes.match('tri_borough')).toBe('tri_borough');
    expect(lists.for('derbyshire').programmes.codes).toEqual([
      ...BUILT_IN_FILES[0].codes.map((c) => c.code),
      'tri_borough',
    ]);
    expect(lists.name('agencies', 'fire_service', 'derbyshire')).toBe('Fire and rescue service');
  });

  it('say which versions a list is made of', () => {
    expect(lists.for('leeds').programmes.version).toBe('programmes.v1');
    expect(lists.for('derbyshire').programmes.version).toBe('programmes.v1+derbyshire.v2');
    expect(lists.for('derbyshire').referral_sources.version).toBe('referral_sources.v1');
  });

  it('refuse a broken extension at load, naming the file and the rule', () => {
    const bad = (raw: unknown) => () => parseCodeListExtension(raw, 'x.json');
    expect(bad({ authority: 'a', version: 1, lists: { colours: [] } })).toThrow(
      /x.json: lists.colours is not a code list/,
    );
    expect(
      bad({ authority: 'a', version: 1, lists: { programmes: [{ code: 'FIP2', name: 'x' }] } }),
    ).toThrow(/code must be lower-case words/);
    expect(
      bad({ authority: 'a', version: 1, lists: { exit_types: [{ code: 'evicted', name: 'x' }] } }),
    ).toThrow(/exit_types cannot be extended/);
    expect(bad({ authority: 'a', version: 0, lists: {} })).toThrow(CodeListsInvalid);
    const clash = parseCodeListExtension(
      { authority: 'a', version: 1, lists: { programmes: [{ code: 'fip', name: 'Ours' }] } },
      'a.json',
    );
    expect(() => new CodeLists(undefined, [clash])).toThrow(/programmes already lists fip/);
    expect(() => new CodeLists(undefined, [derbyshire, derbyshire])).toThrow(/two extension/);
    expect(() => parseCodeListFile({ list: 'programmes', version: 1, codes: [] }, 'p')).toThrow(
      /title must be text/,
    );
  });

  it('give display names for outputs (agencyName), an unlisted code as itself', () => {
    expect(agencyName('police')).toBe('Police');
    expect(agencyName('social_care')).toBe('Social care');
    expect(agencyName('Social_Care')).toBe('Social care');
    expect(agencyName('fire_service')).toBe('fire_service');
    expect(agencyName('fire_service', lists)).toBe('Fire and rescue service');
  });

  it("hold the exit types' list equal to the domain's EXIT_TYPES", () => {
    expect(BUILT_IN_FILES.find((f) => f.list === 'exit_types')!.codes.map((c) => c.code)).toEqual([
      ...EXIT_TYPES,
    ]);
  });

  it('every unit-cost agency code is listed', () => {
    // libs/savings' tables name these (uk-unit-costs.v1.json); it may take the names from here.
    const agencies = lists.for(null).agencies;
    for (const code of ['police', 'housing', 'social_care', 'education', 'health']) {
      expect(agencies.match(code)).toBe(code);
    }
    expect(agencies.match('criminal_justice')).toBe('criminal_justice');
  });
});

describe('the upcaster', () => {
  it('reads stored values in another case as their code, list or no list', () => {
    const stored = {
      type: 'FamilyReferred',
      data: {
        occurredAt: '2020-01-01T00:00:00.000Z',
        authority: 'Leeds',
        programme: 'FIP',
        source: 'Police',
        reasons: ['ASB', 'Youth Crime'],
      },
    };
    expect(familyEventOf(stored).data).toEqual({
      occurredAt: '2020-01-01T00:00:00.000Z',
      // Not a coded field: left as stored.
      authority: 'Leeds',
      programme: 'fip',
      source: 'police',
      reasons: ['asb', 'youth_crime'],
    });
    expect(stored.data.programme).toBe('FIP');
    expect(upcastFamilyEvent({ type: 'FamilyExited', data: { exitType: 'Planned' } }).data).toEqual(
      { exitType: 'planned' },
    );
    expect(
      upcastFamilyEvent({ type: 'AsbIncidentRecorded', data: { sourceAgency: 'HOUSING' } }).data,
    ).toEqual({ sourceAgency: 'housing' });
    expect(
      upcastFamilyEvent({ type: 'SupportDelivered', data: { supportType: 'Key_Worker' } }).data,
    ).toEqual({ supportType: 'key_worker' });
  });

  it('hands back the same object when nothing changes (and keeps the rest of a record)', () => {
    const event = { type: 'FamilyReferred', data: { programme: 'fip', reasons: ['asb'] } };
    expect(upcastFamilyEvent(event)).toBe(event);
    const other = { type: 'ReviewHeld', data: { weeklyContactHours: 9 } };
    expect(upcastFamilyEvent(other)).toBe(other);
    const recorded = { type: 'FamilyExited', data: { exitType: 'PLANNED' }, position: 7n };
    expect(upcastFamilyEvent(recorded)).toEqual({
      type: 'FamilyExited',
      data: { exitType: 'planned' },
      position: 7n,
    });
  });
});
