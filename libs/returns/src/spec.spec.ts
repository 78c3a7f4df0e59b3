import { DEFAULT_SPEC, SPECS, parseSpec, specNamed } from './spec';

const base = () => JSON.parse(JSON.stringify(specNamed(DEFAULT_SPEC))) as Record<string, unknown>;

describe('return specs', () => {
  it('ships fip-outcomes/1 with the four OBA sections, in order', () => {
    const spec = SPECS.get('fip-outcomes/1')!;
    expect(spec.sections.map((s) => s.id)).toEqual([
      'how_much',
      'how_well',
      'better_off',
      'cost_effective',
    ]);
    expect(spec.disclosure.threshold).toBe(5);
  });

  it.each([
    [{ version: 0 }, /version/],
    [{ disclosure: { threshold: 1 } }, /threshold/],
    [{ sections: [] }, /sections/],
    [
      {
        sections: [
          {
            id: 'a',
            title: 'A',
            tables: [{ id: 't', title: 'T', source: 'magic', cohort: 'exited_in_period' }],
          },
        ],
      },
      /unknown source magic/,
    ],
    [
      {
        sections: [
          {
            id: 'a',
            title: 'A',
            tables: [
              {
                id: 't',
                title: 'T',
                source: 'outcomes',
                cohort: 'exited_in_period',
                outcomeCohort: 'all',
              },
            ],
          },
        ],
      },
      /outcomeCohort/,
    ],
    [
      {
        sections: [
          {
            id: 'a',
            title: 'A',
            tables: [{ id: 't', title: 'T', source: 'inputs', cohort: 'exited_in_period' }],
          },
          {
            id: 'b',
            title: 'B',
            tables: [{ id: 't', title: 'T', source: 'inputs', cohort: 'exited_in_period' }],
          },
        ],
      },
      /unique/,
    ],
  ])('names what is wrong with a spec (%j)', (change, message) => {
    expect(() => parseSpec({ ...base(), ...change })).toThrow(message);
  });
});
