import { episodeAt } from './episodes';

describe('the episode a dated fact belongs to', () => {
  const episodes = [
    { number: 1, referredAt: '2025-01-10T00:00:00.000Z' },
    { number: 2, referredAt: '2026-02-01T00:00:00.000Z' },
  ];
  const at = (iso: string) => episodeAt(episodes, Date.parse(iso)).number;

  it('is the latest referred by then', () => {
    expect(at('2025-06-01T00:00:00.000Z')).toBe(1);
    expect(at('2026-02-01T00:00:00.000Z')).toBe(2);
    expect(at('2027-01-01T00:00:00.000Z')).toBe(2);
  });

  it('is the first for history from before every referral', () => {
    expect(at('2024-01-01T00:00:00.000Z')).toBe(1);
  });
});
