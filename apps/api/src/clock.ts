/** Injection token of the domain `Clock`; tests provide a fixed one. */
export const CLOCK = Symbol('Clock');
