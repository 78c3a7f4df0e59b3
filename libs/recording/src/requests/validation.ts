import { BadRequestException } from '@nestjs/common';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import {
  ValidationError,
  ValidationOptions,
  ValidatorOptions,
  registerDecorator,
  validate,
} from 'class-validator';

/** One broken rule: which field, which rule, in words. */
export interface FieldError {
  field: string;
  rule: string;
  message: string;
  /** The values the field may take, where they are a list (a code list's codes). */
  allowed?: string[];
}

export const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: false,
};

/** Flattens class-validator's tree into `{field, rule, message}` with dotted paths. */
export function fieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({
      field,
      rule: rule === 'whitelistValidation' ? 'unknown-field' : rule,
      message: rule === 'whitelistValidation' ? `${field} is not a known field` : message,
    }));
    return [...own, ...fieldErrors(e.children ?? [], field)];
  });
}

export class RequestInvalid extends BadRequestException {
  constructor(readonly errors: FieldError[]) {
    super({ statusCode: 400, error: 'Bad Request', message: 'the request is invalid', errors });
  }
}

/** Validates a plain value against a DTO class; returns the instance or throws `RequestInvalid`. */
export async function validated<T extends object>(
  cls: ClassConstructor<T>,
  plain: unknown,
  prefix = '',
): Promise<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new RequestInvalid([
      {
        field: prefix || 'body',
        rule: 'isObject',
        message: `${prefix || 'body'} must be an object`,
      },
    ]);
  }
  checkShape(plain, prefix);
  const instance = plainToInstance(cls, plain);
  const errors = await validate(instance, VALIDATOR_OPTIONS);
  if (errors.length) throw new RequestInvalid(fieldErrors(errors, prefix));
  return instance;
}

/** Deeper than any request of this API: anything more is an attack on the parsers behind it. */
const MAX_DEPTH = 16;
/** The longest array any request may hold (a batch's events): longer ones cost CPU to validate. */
const MAX_ARRAY = 1000;
/** Keys that would reach an object's prototype once copied into a class instance. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Refuses bodies nested too deep, arrays longer than any request needs and keys that address
 * prototypes, before anything copies or validates them item by item.
 */
function checkShape(value: unknown, prefix: string): void {
  const stack: [unknown, string, number][] = [[value, prefix, 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_DEPTH) {
      const field = prefix || 'body';
      throw new RequestInvalid([
        { field, rule: 'max-depth', message: `${field} is nested deeper than ${MAX_DEPTH} levels` },
      ]);
    }
    if (Array.isArray(v) && v.length > MAX_ARRAY) {
      const field = path || 'body';
      throw new RequestInvalid([
        { field, rule: 'arrayMaxSize', message: `${field} must hold at most ${MAX_ARRAY} items` },
      ]);
    }
    for (const key of Object.keys(v)) {
      const child = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) {
        throw new RequestInvalid([
          { field: child, rule: 'forbidden-key', message: `${child} is not an allowed field name` },
        ]);
      }
      stack.push([(v as Record<string, unknown>)[key], child, depth + 1]);
    }
  }
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** The years a date may fall in: anything outside is a typo or an attack on date arithmetic. */
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2999;

/**
 * An effective date: ISO 8601 (a date, or a date-time with an offset or Z), a real calendar day,
 * from FIRST_YEAR to LAST_YEAR (so a day added to the last one is still a date PostgreSQL and
 * `toISOString` agree on). "Not in the future" is the decider's rule, since it needs the clock.
 */
export function IsEffectiveDate(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isEffectiveDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be an ISO 8601 date from ${FIRST_YEAR} to ${LAST_YEAR} (e.g. 2025-03-31 or 2025-03-31T10:00:00Z)`,
        ...options,
      },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string') return false;
          const m = ISO_DATE.exec(value);
          if (!m) return false;
          const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
          const calendar = new Date(Date.UTC(year, month - 1, day));
          const real = calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
          return (
            real && year >= FIRST_YEAR && year <= LAST_YEAR && !Number.isNaN(Date.parse(value))
          );
        },
      },
    });
}

/** The stored form of an effective date: UTC, millisecond precision. */
export const normaliseDate = (value: string) => new Date(value).toISOString();

/**
 * Text that is safe to store and show: well-formed UTF-16 (no lone surrogates, which PostgreSQL
 * refuses in JSON), no control characters but tab and newlines (NUL included, which PostgreSQL
 * refuses too), and no bidirectional overrides or isolates (which make text read as something else).
 */
export function IsCleanText(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCleanText',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be text without control characters, bidirectional overrides or broken characters`,
        ...options,
      },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isCleanText(value),
      },
    });
}

const UNSAFE_CHARACTERS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const isCleanText = (value: string) =>
  !UNSAFE_CHARACTERS.test(value) && !LONE_SURROGATE.test(value);

/** A date of birth: YYYY-MM-DD, a real day, from 1900 and not in the future. */
export function IsBirthDate(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isBirthDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be a date (YYYY-MM-DD) from 1900 on and not in the future`,
        ...options,
      },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string') return false;
          const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
          if (!m) return false;
          const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
          const date = new Date(Date.UTC(year, month - 1, day));
          const real = date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
          return real && year >= 1900 && date.getTime() <= Date.now();
        },
      },
    });
}
