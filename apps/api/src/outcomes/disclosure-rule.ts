/** Injection token of the `DisclosureRule` for evaluator queries (`DISCLOSURE_THRESHOLD`, read at start). */
export const DISCLOSURE_RULE = Symbol('DisclosureRule');
