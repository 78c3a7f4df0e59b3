/**
 * Why a command was refused. `invalid`: the input itself is wrong (HTTP 400), naming the field and
 * rule. `conflict`: the input is well formed but breaks an invariant of the family's history (409).
 */
export type DomainErrorKind = 'invalid' | 'conflict';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    readonly rule: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const invalid = (field: string, rule: string, message: string): never => {
  throw new DomainError('invalid', rule, message, field);
};

export const conflict = (rule: string, message: string): never => {
  throw new DomainError('conflict', rule, message);
};
