import { loadDefinitions } from '../definitions';
import {
  ATOMS,
  KeyedCount,
  atomsOf,
  countsFromCells,
  outcomeCellsOf,
  transitionsFromCells,
} from './cells';
import { COHORT_KINDS, TRANSITIONS } from './cohort';
import { countOutcomes, countSpecs } from './counts';
import { FILTERS, SEEDS, randomEpisodes } from './testing/random-episodes';

const definitions = loadDefinitions();
const keyOf = (familyId: string, episode: number) =>
  (parseInt(familyId.slice(0, 8), 16) * 7 + episode) % 2 ** 32;
const truth = (c: KeyedCount) => c.count;

describe('the outcomes table from its finest cells', () => {
  it('has twelve finest cells, and every paired family of a domain is in exactly one', () => {
    expect(ATOMS).toHaveLength(12);
    expect(atomsOf(['p'])).toEqual(ATOMS.map((_a, j) => j));
    for (const seed of SEEDS) {
      const episodes = randomEpisodes(definitions, seed);
      for (const cohort of COHORT_KINDS) {
        const cells = outcomeCellsOf(episodes, definitions, {}, cohort, keyOf);
        const counts = countOutcomes(episodes, definitions, {}, cohort);
        cells.atoms.forEach((atoms, i) =>
          expect(atoms.reduce((s, a) => s + a.count, 0)).toBe(counts.domains[i].n),
        );
      }
    }
  });

  it('gives countOutcomes exactly when each cell is published as its true count', () => {
    for (const seed of SEEDS) {
      const episodes = randomEpisodes(definitions, seed);
      for (const cohort of COHORT_KINDS) {
        for (const filter of FILTERS) {
          const cells = outcomeCellsOf(episodes, definitions, filter, cohort, keyOf);
          expect(countsFromCells(definitions, cells, truth)).toEqual(
            countOutcomes(episodes, definitions, filter, cohort),
          );
        }
      }
    }
  });

  it('keeps every count a sum of published cells, whatever they publish', () => {
    const episodes = randomEpisodes(definitions, 7);
    const cells = outcomeCellsOf(episodes, definitions, {}, 'planned_exits', keyOf);
    // Any publisher: the counts are the sums of what it published for the cells of each.
    const odd = (c: KeyedCount) => (c.count ? c.count + (c.key % 5) - 2 : 0);
    const counts = countsFromCells(definitions, cells, odd);
    for (const spec of countSpecs(definitions).filter((s) => s.i === 2)) {
      const want = atomsOf(spec.when).reduce((s, j) => s + odd(cells.atoms[2][j]), 0);
      const name = {
        n: 'n',
        baseline: 'baseline',
        end: 'end',
        pa: 'presentToAbsent',
        ap: 'absentToPresent',
        fn: 'followUpN',
        f: 'followUp',
        imp: 'improvedFollowedUp',
        kept: 'kept',
        both: 'both',
        fb: 'followUpBaseline',
        fe: 'followUpEnd',
        fbf: 'followUpBoth',
      }[spec.name] as keyof (typeof counts.domains)[number];
      expect(counts.domains[2][name]).toBe(want);
    }
    const d = counts.domains[2];
    expect(d.both + d.presentToAbsent + d.absentToPresent).toBeLessThanOrEqual(d.n);
    expect(d.baseline).toBe(d.both + d.presentToAbsent);
  });

  it('gives cost avoidance the transitions it counts, from the same cells', () => {
    const episodes = randomEpisodes(definitions, 2);
    const cells = outcomeCellsOf(episodes, definitions, {}, 'planned_exits', keyOf);
    const counts = countOutcomes(episodes, definitions, {}, 'planned_exits');
    cells.atoms.forEach((atoms, i) => {
      const t = transitionsFromCells(atoms, truth);
      expect(t.baselineToExit).toEqual({
        pairs: counts.domains[i].n,
        improved: counts.domains[i].presentToAbsent,
        worsened: counts.domains[i].absentToPresent,
      });
      expect(t.baselineToFollowUp.pairs).toBe(counts.domains[i].followUpN);
      expect(atomsOf(TRANSITIONS.baselineToFollowUp.improved).length).toBe(2);
    });
  });
});
