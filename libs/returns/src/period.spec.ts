import { parsePeriod } from './period';

describe('reporting periods', () => {
  it.each([
    ['2025-Q1', '2025-01-01', '2025-03-31'],
    ['2025-Q4', '2025-10-01', '2025-12-31'],
    ['2024', '2024-01-01', '2024-12-31'],
    ['FY2025-26', '2025-04-01', '2026-03-31'],
    ['FY1999-00', '1999-04-01', '2000-03-31'],
  ])('%s runs from %s to %s', (text, periodStart, periodEnd) => {
    expect(parsePeriod(text)).toEqual({ periodStart, periodEnd });
  });

  it.each(['2025-Q5', 'FY2025-27', '25-Q1', ''])('refuses %j', (text) => {
    expect(() => parsePeriod(text)).toThrow(/not a period/);
  });
});
