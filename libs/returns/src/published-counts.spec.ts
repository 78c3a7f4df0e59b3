import { publishedFollowUps } from './published-counts';
import { testCellKeys } from './testing/cell-keys';

/** The follow-up tables' counts as a return publishes them (cell-key perturbation). */
describe('publishedFollowUps', () => {
  let seed = 7;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
  const cell = (count: number) => ({ count, key: count ? next() % 2 ** 32 : 0 });

  it('publishes on time, late and missed as cells, completed as their sum, none from 1 to 4', () => {
    for (let i = 0; i < 200; i++) {
      const cells = { onTime: cell(i % 9), late: cell((i * 7) % 6), missed: cell((i * 5) % 4) };
      const p = publishedFollowUps(cells, testCellKeys);
      expect(p.completed).toBe(p.onTime + p.late);
      for (const v of [p.onTime, p.late, p.missed]) expect(v === 0 || v >= 5).toBe(true);
      if (cells.onTime.count === 0) expect(p.onTime).toBe(0);
      // The same cells always give the same figures.
      expect(publishedFollowUps(cells, testCellKeys)).toEqual(p);
    }
  });

  it('re-keys every cell when a revisit moves between two others (missed, then completed late)', () => {
    let moved = 0;
    for (let i = 0; i < 100; i++) {
      const onTime = cell(20 + (i % 7));
      const revisit = next();
      const late = cell(10);
      const missed = cell(8);
      const before = publishedFollowUps({ onTime, late, missed }, testCellKeys);
      const after = publishedFollowUps(
        {
          onTime,
          late: { count: late.count + 1, key: (late.key + revisit) % 2 ** 32 },
          missed: { count: missed.count - 1, key: (missed.key - revisit + 2 ** 32) % 2 ** 32 },
        },
        testCellKeys,
      );
      if (after.onTime !== before.onTime) moved++;
    }
    // On time's families did not change, but its figure is drawn afresh (most of the time).
    expect(moved).toBeGreaterThan(50);
  });
});
