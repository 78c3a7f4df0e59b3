/**
 * How the API, the CLI and returns name the every-authority scope. It is a scope, never an
 * authority's code: a principal holds it as authority `null`, and no family, key or token may be
 * of an authority coded so (in any letter case).
 */
export const NATIONAL = 'national';

export const namesNational = (code: string): boolean => code.toLowerCase() === NATIONAL;
