/** Reporting periods: a quarter (`2025-Q4`), a calendar year (`2025`) or a financial year (`FY2025-26`). */
export interface Period {
  periodStart: string;
  periodEnd: string;
}

const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const pad = (n: number) => String(n).padStart(2, '0');

export function parsePeriod(text: string): Period {
  let m = /^(\d{4})-Q([1-4])$/.exec(text);
  if (m) {
    const y = Number(m[1]);
    const first = (Number(m[2]) - 1) * 3 + 1;
    return {
      periodStart: `${y}-${pad(first)}-01`,
      periodEnd: `${y}-${pad(first + 2)}-${pad(lastDay(y, first + 2))}`,
    };
  }
  if (/^\d{4}$/.test(text)) return { periodStart: `${text}-01-01`, periodEnd: `${text}-12-31` };
  m = /^FY(\d{4})-(\d{2})$/.exec(text);
  if (m && (Number(m[1]) + 1) % 100 === Number(m[2])) {
    return { periodStart: `${m[1]}-04-01`, periodEnd: `${Number(m[1]) + 1}-03-31` };
  }
  throw new Error(`${text} is not a period: say 2025-Q4, 2025 or FY2025-26`);
}
