/** A small seeded PRNG (mulberry32): the same seed gives the same workload on every machine. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  chance(p: number): boolean;
  /** One of `items` (which must not be empty). */
  pick<T>(items: readonly T[]): T;
  weighted<T>(choices: readonly [T, number][]): T;
  /** A version-4-shaped UUID drawn from the generator (reproducible, unlike randomUUID). */
  uuid(): string;
}

/** Seeds from a number or a string (FNV-1a of the string). */
export function seeded(seed: number | string): Random {
  let state =
    typeof seed === 'number'
      ? seed >>> 0
      : [...seed].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0, 2166136261);
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const hex = (digits: number) =>
    Array.from({ length: digits }, () => int(16).toString(16)).join('');
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      if (!items.length) throw new Error('pick from an empty list');
      return items[int(items.length)];
    },
    weighted: (choices) => {
      const total = choices.reduce((s, [, w]) => s + w, 0);
      let x = next() * total;
      for (const [choice, weight] of choices) {
        x -= weight;
        if (x < 0) return choice;
      }
      return choices[choices.length - 1][0];
    },
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[int(4)]}${hex(3)}-${hex(12)}`,
  };
}
