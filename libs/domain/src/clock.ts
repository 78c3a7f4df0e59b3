/** All rules take the time from a clock, so tests and demos can run "as at" any date. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const fixedClock = (at: Date | string): Clock => {
  const date = new Date(at);
  return { now: () => new Date(date) };
};
